package gemini

import (
	"testing"

	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
)

// FuzzDecodeContent fuzzes the generateContent answer decoder.
func FuzzDecodeContent(f *testing.F) {
	llmtest.FuzzDecoder(f, "generate_content.json", []string{
		`{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}}`,
		`{"candidates":[{"content":{"parts":[{"text":"{}"}],"role":"model"},"finishReason":"SAFETY"}]}`,
		`{"candidates":[{"content":{"parts":[{"text":"x","thought":true}]}}]}`,
		`{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}`,
	}, decodeContent, nil)
}
