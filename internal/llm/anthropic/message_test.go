package anthropic

import (
	"encoding/json"
	"testing"

	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
)

// FuzzDecodeMessage: whatever the decoder accepts as the structured answer
// is the forced tool call's input, a JSON value.
func FuzzDecodeMessage(f *testing.F) {
	schema := &llm.Schema{Name: "decision"}
	llmtest.FuzzDecoder(f, "message_tool_use.json", []string{
		`{"content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn"}`,
		`{"content":[{"type":"tool_use","name":"decision","input":null}]}`,
		`{"content":[{"type":"tool_use","name":"decision"}],"stop_reason":"max_tokens"}`,
		`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
	}, func(body []byte) (llm.Response, error) { return decodeMessage(body, schema) },
		func(t *testing.T, r llm.Response) {
			if !json.Valid([]byte(r.Text)) {
				t.Errorf("structured answer is not JSON: %q", r.Text)
			}
		})
}

// FuzzDecodeText: the decoder without a schema.
func FuzzDecodeText(f *testing.F) {
	llmtest.FuzzDecoder(f, "message_tool_use.json", []string{
		`{"content":[{"type":"text","text":"hi"},{"type":"text","text":" there"}],"stop_reason":"end_turn"}`,
	}, func(body []byte) (llm.Response, error) { return decodeMessage(body, nil) }, nil)
}
