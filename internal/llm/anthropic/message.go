package anthropic

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/vendorsync/vendorsync/internal/llm"
)

// The request and answer shapes of POST /v1/messages, as far as VendorSync
// uses them.

type messageRequest struct {
	Model       string      `json:"model"`
	MaxTokens   int         `json:"max_tokens"`
	System      []textBlock `json:"system,omitempty"`
	Messages    []message   `json:"messages"`
	Temperature *float64    `json:"temperature,omitempty"`
	Tools       []tool      `json:"tools,omitempty"`
	ToolChoice  *toolChoice `json:"tool_choice,omitempty"`
}

type textBlock struct {
	Type string `json:"type"` // "text"
	Text string `json:"text"`
}

type message struct {
	Role    llm.Role `json:"role"`
	Content []block  `json:"content"`
}

// block is a text or a document content block of a turn.
type block struct {
	Type   string       `json:"type"` // "text" or "document"
	Text   string       `json:"text,omitempty"`
	Source *blockSource `json:"source,omitempty"`
	Title  string       `json:"title,omitempty"`
}

type blockSource struct {
	Type      string `json:"type"` // "base64"
	MediaType string `json:"media_type"`
	Data      string `json:"data"`
}

type tool struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	InputSchema map[string]any `json:"input_schema"`
}

type toolChoice struct {
	Type                   string `json:"type"` // "tool"
	Name                   string `json:"name"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use"`
}

// newRequest builds the Messages request for req: the system prompt as a
// text block, each turn as one text block, and with a schema one tool whose
// input is the answer, forced by tool_choice.
func newRequest(model string, req llm.Request) messageRequest {
	r := messageRequest{
		Model:       model,
		MaxTokens:   llm.Or(req.MaxTokens, llm.DefaultMaxTokens),
		Temperature: req.Temperature,
	}
	if req.System != "" {
		r.System = []textBlock{{Type: "text", Text: req.System}}
	}
	for _, m := range req.Messages {
		role := llm.RoleUser
		if m.Role == llm.RoleAssistant {
			role = llm.RoleAssistant
		}
		var content []block
		if role == llm.RoleUser {
			for _, d := range m.Documents {
				if d.MediaType == "application/pdf" { // the document type the Messages API reads
					content = append(content, block{Type: "document", Title: d.Name,
						Source: &blockSource{Type: "base64", MediaType: d.MediaType, Data: base64.StdEncoding.EncodeToString(d.Data)}})
				}
			}
		}
		content = append(content, block{Type: "text", Text: m.Content})
		r.Messages = append(r.Messages, message{Role: role, Content: content})
	}
	if s := req.Schema; s != nil {
		schema := maps.Clone(s.Schema)
		if schema == nil {
			schema = map[string]any{}
		}
		schema["type"] = "object" // tool input is always an object
		r.Tools = []tool{{Name: s.Name, Description: s.Description, InputSchema: schema}}
		r.ToolChoice = &toolChoice{Type: "tool", Name: s.Name, DisableParallelToolUse: true}
	}
	return r
}

// messageAnswer is the answer to a Messages request.
type messageAnswer struct {
	Model      string         `json:"model"`
	Content    []contentBlock `json:"content"`
	StopReason string         `json:"stop_reason"`
	Usage      struct {
		InputTokens  int `json:"input_tokens"`
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"`
}

type contentBlock struct {
	Type  string          `json:"type"`
	Text  string          `json:"text"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

// decodeMessage reads an answer and extracts the structured answer (the
// forced tool call's input) or, without a schema, the text blocks.
func decodeMessage(body []byte, schema *llm.Schema) (llm.Response, error) {
	var msg messageAnswer
	if err := json.Unmarshal(body, &msg); err != nil {
		return llm.Response{}, fmt.Errorf("decode message: %w", err)
	}
	if msg.StopReason == "max_tokens" {
		return llm.Response{}, errors.New("answer cut off at max_tokens")
	}
	out := llm.Response{Model: msg.Model, InputTokens: msg.Usage.InputTokens, OutputTokens: msg.Usage.OutputTokens}
	var text strings.Builder
	for _, block := range msg.Content {
		switch block.Type {
		case "tool_use":
			if schema != nil && block.Name == schema.Name {
				if len(block.Input) == 0 {
					return llm.Response{}, errors.New("tool_use block without input")
				}
				out.Text = string(block.Input)
				return out, nil
			}
		case "text":
			text.WriteString(block.Text)
		}
	}
	if schema != nil {
		return llm.Response{}, errors.New("no " + schema.Name + " tool call in the answer")
	}
	if text.Len() == 0 {
		return llm.Response{}, errors.New("empty answer")
	}
	out.Text = text.String()
	return out, nil
}
