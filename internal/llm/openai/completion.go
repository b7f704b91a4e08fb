package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/llm"
)

// The request and answer shapes of POST /chat/completions, as far as
// VendorSync uses them.

type completionRequest struct {
	Model               string          `json:"model"`
	Messages            []message       `json:"messages"`
	MaxCompletionTokens int             `json:"max_completion_tokens,omitempty"`
	MaxTokens           int             `json:"max_tokens,omitempty"`
	Temperature         *float64        `json:"temperature,omitempty"`
	ResponseFormat      *responseFormat `json:"response_format,omitempty"`
}

type message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

type responseFormat struct {
	Type       string     `json:"type"` // "json_schema"
	JSONSchema jsonSchema `json:"json_schema"`
}

type jsonSchema struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Schema      map[string]any `json:"schema"`
	Strict      bool           `json:"strict"`
}

// newRequest builds the Chat Completions request for req: the system
// prompt as a system message, and with a schema strict JSON-schema output.
// legacy sends the token bound as max_tokens, for servers that predate
// max_completion_tokens.
func newRequest(model string, legacy bool, req llm.Request) completionRequest {
	r := completionRequest{Model: model, Temperature: req.Temperature}
	if req.System != "" {
		r.Messages = append(r.Messages, message{Role: "system", Content: req.System})
	}
	for _, m := range req.Messages {
		role := "user"
		if m.Role == llm.RoleAssistant {
			role = "assistant"
		}
		r.Messages = append(r.Messages, message{Role: role, Content: m.Content})
	}
	maxTokens := llm.Or(req.MaxTokens, llm.DefaultMaxTokens)
	if legacy {
		r.MaxTokens = maxTokens
	} else {
		r.MaxCompletionTokens = maxTokens
	}
	if s := req.Schema; s != nil {
		r.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: jsonSchema{
			Name: s.Name, Description: s.Description, Schema: s.Schema, Strict: true,
		}}
	}
	return r
}

// completion is the answer to a Chat Completions request.
type completion struct {
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content string `json:"content"`
			Refusal string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

// decodeCompletion reads an answer and returns the first choice's text,
// refusing a refusal, a cut-off answer and an empty one.
func decodeCompletion(body []byte) (llm.Response, error) {
	var out completion
	if err := json.Unmarshal(body, &out); err != nil {
		return llm.Response{}, fmt.Errorf("decode chat completion: %w", err)
	}
	if len(out.Choices) == 0 {
		return llm.Response{}, errors.New("no choices in the answer")
	}
	choice := out.Choices[0]
	switch {
	case choice.Message.Refusal != "":
		return llm.Response{}, fmt.Errorf("model refused: %s", choice.Message.Refusal)
	case choice.FinishReason == "length":
		return llm.Response{}, errors.New("answer cut off at the token limit")
	case strings.TrimSpace(choice.Message.Content) == "":
		return llm.Response{}, errors.New("empty answer")
	}
	return llm.Response{Text: choice.Message.Content, Model: out.Model,
		InputTokens: out.Usage.PromptTokens, OutputTokens: out.Usage.CompletionTokens}, nil
}
