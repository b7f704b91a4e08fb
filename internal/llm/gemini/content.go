package gemini

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/llm"
)

// The request and answer shapes of models.generateContent, as far as
// VendorSync uses them.

type contentRequest struct {
	Contents          []content        `json:"contents"`
	SystemInstruction *content         `json:"systemInstruction,omitempty"`
	GenerationConfig  generationConfig `json:"generationConfig"`
}

type content struct {
	Role  string `json:"role,omitempty"` // "user" or "model"
	Parts []part `json:"parts"`
}

type part struct {
	Text       string      `json:"text,omitempty"`
	Thought    bool        `json:"thought,omitempty"`
	InlineData *inlineData `json:"inlineData,omitempty"`
}

// inlineData is a file sent with a turn (a PDF).
type inlineData struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"` // base64
}

type generationConfig struct {
	MaxOutputTokens    int            `json:"maxOutputTokens"`
	Temperature        *float64       `json:"temperature,omitempty"`
	ResponseMIMEType   string         `json:"responseMimeType,omitempty"`
	ResponseJSONSchema map[string]any `json:"responseJsonSchema,omitempty"`
}

// newRequest builds the generateContent request for req: the system prompt
// as systemInstruction, assistant turns as the "model" role, and with a
// schema JSON output following it.
func newRequest(req llm.Request) contentRequest {
	r := contentRequest{GenerationConfig: generationConfig{
		MaxOutputTokens: llm.Or(req.MaxTokens, llm.DefaultMaxTokens),
		Temperature:     req.Temperature,
	}}
	if req.System != "" {
		r.SystemInstruction = &content{Parts: []part{{Text: req.System}}}
	}
	for _, m := range req.Messages {
		role := "user"
		if m.Role == llm.RoleAssistant {
			role = "model"
		}
		var parts []part
		if role == "user" {
			for _, d := range m.Documents {
				if d.MediaType == "application/pdf" {
					parts = append(parts, part{InlineData: &inlineData{MimeType: d.MediaType, Data: base64.StdEncoding.EncodeToString(d.Data)}})
				}
			}
		}
		r.Contents = append(r.Contents, content{Role: role, Parts: append(parts, part{Text: m.Content})})
	}
	if req.Schema != nil {
		r.GenerationConfig.ResponseMIMEType = "application/json"
		r.GenerationConfig.ResponseJSONSchema = req.Schema.Schema
	}
	return r
}

// contentAnswer is the answer to a generateContent request.
type contentAnswer struct {
	Candidates []struct {
		Content      *content `json:"content"`
		FinishReason string   `json:"finishReason"`
	} `json:"candidates"`
	PromptFeedback *struct {
		BlockReason string `json:"blockReason"`
	} `json:"promptFeedback"`
	UsageMetadata *struct {
		PromptTokenCount     int `json:"promptTokenCount"`
		CandidatesTokenCount int `json:"candidatesTokenCount"`
	} `json:"usageMetadata"`
	ModelVersion string `json:"modelVersion"`
}

// decodeContent reads an answer and returns the first candidate's text
// without its thought parts, refusing a blocked prompt, a candidate stopped
// for any reason but STOP, and an empty answer.
func decodeContent(body []byte) (llm.Response, error) {
	var out contentAnswer
	if err := json.Unmarshal(body, &out); err != nil {
		return llm.Response{}, fmt.Errorf("decode generated content: %w", err)
	}
	if out.PromptFeedback != nil && out.PromptFeedback.BlockReason != "" {
		return llm.Response{}, fmt.Errorf("prompt blocked: %s", out.PromptFeedback.BlockReason)
	}
	if len(out.Candidates) == 0 || out.Candidates[0].Content == nil {
		return llm.Response{}, errors.New("no candidate in the answer")
	}
	cand := out.Candidates[0]
	switch cand.FinishReason {
	case "", "STOP":
	case "MAX_TOKENS":
		return llm.Response{}, errors.New("answer cut off at the token limit")
	default:
		return llm.Response{}, fmt.Errorf("answer stopped: %s", cand.FinishReason)
	}
	var text strings.Builder
	for _, p := range cand.Content.Parts {
		if !p.Thought {
			text.WriteString(p.Text)
		}
	}
	if strings.TrimSpace(text.String()) == "" {
		return llm.Response{}, errors.New("empty answer")
	}
	resp := llm.Response{Text: text.String(), Model: out.ModelVersion}
	if u := out.UsageMetadata; u != nil {
		resp.InputTokens, resp.OutputTokens = u.PromptTokenCount, u.CandidatesTokenCount
	}
	return resp, nil
}
