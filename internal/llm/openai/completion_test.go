package openai

import (
	"testing"

	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
)

// FuzzDecodeCompletion fuzzes the Chat Completions answer decoder.
func FuzzDecodeCompletion(f *testing.F) {
	llmtest.FuzzDecoder(f, "chat_completion.json", []string{
		`{"choices":[{"message":{"content":null,"refusal":"no"},"finish_reason":"stop"}]}`,
		`{"choices":[{"message":{"content":"{}"},"finish_reason":"length"}]}`,
		`{"choices":[]}`,
		`{"error":{"message":"x","type":"server_error","code":null}}`,
	}, decodeCompletion, nil)
}
