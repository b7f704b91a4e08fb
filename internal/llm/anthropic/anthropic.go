// Package anthropic is the llm.Client for Anthropic's Messages API
// (POST /v1/messages). Structured output is a forced tool call: the request
// declares one tool whose input_schema is the wanted schema and sets
// tool_choice {"type": "tool"}, so the answer is that tool's input.
package anthropic

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"github.com/vendorsync/vendorsync/internal/llm"
)

// Config configures a Client. Environment variables are never read.
type Config struct {
	APIKey string
	// BaseURL is https://api.anthropic.com when empty.
	BaseURL string
	// Model is required, e.g. "claude-sonnet-4-5".
	Model string
	// Timeout bounds each HTTP attempt; llm.DefaultTimeout when zero.
	Timeout time.Duration
	// MaxRetries for 408/409/429/5xx and network errors; 0 means
	// llm.DefaultMaxRetries, negative disables retries.
	MaxRetries int
	// MaxRetryWait is the longest Retry-After honoured; longer asks fail at
	// once so that a fallback can answer. llm.DefaultMaxRetryWait when zero.
	MaxRetryWait time.Duration
	// HTTPClient replaces the SDK's default client when set.
	HTTPClient *http.Client
}

// Client talks to the Messages API.
type Client struct {
	cfg Config
	sdk sdk.Client
}

// New builds a Client; it needs a model and an API key.
func New(cfg Config) (*Client, error) {
	if cfg.Model == "" {
		return nil, errors.New("anthropic.New: model is required")
	}
	if cfg.APIKey == "" {
		return nil, errors.New("anthropic.New: API key is required")
	}
	retries := llm.Or(cfg.MaxRetries, llm.DefaultMaxRetries)
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithAPIKey(cfg.APIKey),
		option.WithMaxRetries(max(0, retries)),
		option.WithRequestTimeout(llm.Or(cfg.Timeout, llm.DefaultTimeout)),
		option.WithMiddleware(capRetryAfter(llm.Or(cfg.MaxRetryWait, llm.DefaultMaxRetryWait))),
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
	}
	return &Client{cfg: cfg, sdk: sdk.NewClient(opts...)}, nil
}

// Name implements llm.Client.
func (c *Client) Name() string { return "anthropic:" + c.cfg.Model }

// Complete implements llm.Client.
func (c *Client) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	params := sdk.MessageNewParams{
		Model:     sdk.Model(c.cfg.Model),
		MaxTokens: int64(llm.Or(req.MaxTokens, llm.DefaultMaxTokens)),
	}
	if req.System != "" {
		params.System = []sdk.TextBlockParam{{Text: req.System}}
	}
	if req.Temperature != nil {
		params.Temperature = sdk.Float(*req.Temperature)
	}
	for _, m := range req.Messages {
		block := sdk.NewTextBlock(m.Content)
		if m.Role == llm.RoleAssistant {
			params.Messages = append(params.Messages, sdk.NewAssistantMessage(block))
		} else {
			params.Messages = append(params.Messages, sdk.NewUserMessage(block))
		}
	}
	if req.Schema != nil {
		params.Tools = []sdk.ToolUnionParam{{OfTool: schemaTool(req.Schema)}}
		choice := sdk.ToolChoiceParamOfTool(req.Schema.Name)
		choice.OfTool.DisableParallelToolUse = sdk.Bool(true)
		params.ToolChoice = choice
	}
	var httpResp *http.Response
	msg, err := c.sdk.Messages.New(ctx, params, option.WithResponseInto(&httpResp))
	if err != nil {
		status := 0
		if httpResp != nil {
			status = httpResp.StatusCode
		}
		return llm.Response{}, llm.Classify(ctx, c.Name(), status, err)
	}
	text, err := answer(msg, req.Schema)
	if err != nil {
		return llm.Response{}, llm.BadResponse(c.Name(), "%w", err)
	}
	return llm.Response{
		Text:         text,
		Model:        string(msg.Model),
		Provider:     c.Name(),
		InputTokens:  int(msg.Usage.InputTokens),
		OutputTokens: int(msg.Usage.OutputTokens),
		Raw:          msg.RawJSON(),
	}, nil
}

// schemaTool declares the tool whose input is the structured answer.
func schemaTool(s *llm.Schema) *sdk.ToolParam {
	in := sdk.ToolInputSchemaParam{ExtraFields: map[string]any{}}
	for k, v := range s.Schema {
		switch k {
		case "type":
			// Always "object"; the SDK writes it.
		case "properties":
			in.Properties = v
		case "required":
			in.Required = toStrings(v)
		default:
			in.ExtraFields[k] = v
		}
	}
	tool := &sdk.ToolParam{Name: s.Name, InputSchema: in}
	if s.Description != "" {
		tool.Description = sdk.String(s.Description)
	}
	return tool
}

func toStrings(v any) []string {
	switch v := v.(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// answer extracts the structured answer (the forced tool call's input) or,
// without a schema, the text blocks.
func answer(msg *sdk.Message, schema *llm.Schema) (string, error) {
	if msg.StopReason == sdk.StopReasonMaxTokens {
		return "", errors.New("answer cut off at max_tokens")
	}
	var text strings.Builder
	for _, block := range msg.Content {
		switch block.Type {
		case "tool_use":
			if schema != nil && block.Name == schema.Name {
				if len(block.Input) == 0 {
					return "", errors.New("tool_use block without input")
				}
				return string(block.Input), nil
			}
		case "text":
			text.WriteString(block.Text)
		}
	}
	if schema != nil {
		return "", errors.New("no " + schema.Name + " tool call in the answer")
	}
	if text.Len() == 0 {
		return "", errors.New("empty answer")
	}
	return text.String(), nil
}

// capRetryAfter stops the SDK from honouring a Retry-After longer than max:
// the response is marked x-should-retry: false, which the SDK obeys, so the
// call fails now and a fallback provider can answer instead.
func capRetryAfter(max time.Duration) option.Middleware {
	return func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if err != nil || resp == nil {
			return resp, err
		}
		if wait, ok := llm.RetryAfter(resp.Header, time.Now()); ok && wait > max {
			resp.Header.Set("X-Should-Retry", "false")
		}
		return resp, nil
	}
}
