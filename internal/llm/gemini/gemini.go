// Package gemini is the llm.Client for the Gemini API
// (POST /v1beta/models/{model}:generateContent). Structured output uses
// responseMimeType application/json with responseJsonSchema. The genai SDK's
// own retries ignore Retry-After, so retries happen in an llm.RetryTransport
// under it.
package gemini

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"google.golang.org/genai"

	"github.com/vendorsync/vendorsync/internal/llm"
)

// Config configures a Client. Environment variables are never read.
type Config struct {
	APIKey string
	// BaseURL is https://generativelanguage.googleapis.com/ when empty.
	BaseURL string
	// Model is required, e.g. "gemini-2.5-flash".
	Model string
	// Timeout bounds each HTTP attempt; llm.DefaultTimeout when zero.
	Timeout time.Duration
	// MaxRetries for 408/429/5xx and network errors; 0 means
	// llm.DefaultMaxRetries, negative disables retries.
	MaxRetries int
	// MaxRetryWait is the longest Retry-After honoured; longer asks fail at
	// once so that a fallback can answer. llm.DefaultMaxRetryWait when zero.
	MaxRetryWait time.Duration
	// HTTPClient's transport sends the attempts when set.
	HTTPClient *http.Client
	// OnRetry, when set, is told about each retry (for logs and tests).
	OnRetry func(attempt int, wait time.Duration, err error)
}

// Client talks to the Gemini API.
type Client struct {
	cfg    Config
	models *genai.Models
}

// New builds a Client; it needs a model and an API key.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Model == "" {
		return nil, errors.New("gemini.New: model is required")
	}
	if cfg.APIKey == "" {
		return nil, errors.New("gemini.New: API key is required")
	}
	var base http.RoundTripper = http.DefaultTransport
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		base = cfg.HTTPClient.Transport
	}
	transport := &captureTransport{base: &llm.RetryTransport{
		Base:           base,
		MaxRetries:     max(0, llm.Or(cfg.MaxRetries, llm.DefaultMaxRetries)),
		MaxRetryWait:   llm.Or(cfg.MaxRetryWait, llm.DefaultMaxRetryWait),
		AttemptTimeout: llm.Or(cfg.Timeout, llm.DefaultTimeout),
		OnRetry:        cfg.OnRetry,
	}}
	gc, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:      cfg.APIKey,
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  &http.Client{Transport: transport},
		HTTPOptions: genai.HTTPOptions{BaseURL: cfg.BaseURL},
	})
	if err != nil {
		return nil, fmt.Errorf("gemini.New: %w", err)
	}
	return &Client{cfg: cfg, models: gc.Models}, nil
}

// Name implements llm.Client.
func (c *Client) Name() string { return "gemini:" + c.cfg.Model }

// Complete implements llm.Client.
func (c *Client) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	conf := &genai.GenerateContentConfig{
		MaxOutputTokens: int32(llm.Or(req.MaxTokens, llm.DefaultMaxTokens)),
	}
	if req.System != "" {
		conf.SystemInstruction = &genai.Content{Parts: []*genai.Part{{Text: req.System}}}
	}
	if req.Temperature != nil {
		t := float32(*req.Temperature)
		conf.Temperature = &t
	}
	if req.Schema != nil {
		conf.ResponseMIMEType = "application/json"
		conf.ResponseJsonSchema = req.Schema.Schema
	}
	var contents []*genai.Content
	for _, m := range req.Messages {
		role := genai.RoleUser
		if m.Role == llm.RoleAssistant {
			role = genai.RoleModel
		}
		contents = append(contents, &genai.Content{Role: role, Parts: []*genai.Part{{Text: m.Content}}})
	}
	sink := &capture{}
	out, err := c.models.GenerateContent(context.WithValue(ctx, captureKey{}, sink), c.cfg.Model, contents, conf)
	if err != nil {
		return llm.Response{}, llm.Classify(ctx, c.Name(), sink.status, err)
	}
	text, err := answer(out)
	if err != nil {
		return llm.Response{}, llm.BadResponse(c.Name(), "%w", err)
	}
	resp := llm.Response{Text: text, Model: llm.Or(out.ModelVersion, c.cfg.Model), Provider: c.Name(), Raw: sink.body.String()}
	if u := out.UsageMetadata; u != nil {
		resp.InputTokens, resp.OutputTokens = int(u.PromptTokenCount), int(u.CandidatesTokenCount)
	}
	return resp, nil
}

func answer(out *genai.GenerateContentResponse) (string, error) {
	if out.PromptFeedback != nil && out.PromptFeedback.BlockReason != "" {
		return "", fmt.Errorf("prompt blocked: %s", out.PromptFeedback.BlockReason)
	}
	if len(out.Candidates) == 0 || out.Candidates[0].Content == nil {
		return "", errors.New("no candidate in the answer")
	}
	cand := out.Candidates[0]
	switch cand.FinishReason {
	case "", genai.FinishReasonStop:
	case genai.FinishReasonMaxTokens:
		return "", errors.New("answer cut off at the token limit")
	default:
		return "", fmt.Errorf("answer stopped: %s", cand.FinishReason)
	}
	var text strings.Builder
	for _, p := range cand.Content.Parts {
		if !p.Thought {
			text.WriteString(p.Text)
		}
	}
	if strings.TrimSpace(text.String()) == "" {
		return "", errors.New("empty answer")
	}
	return text.String(), nil
}

// captureKey marks a context whose last response status and successful body
// are to be kept: the SDK exposes neither the raw answer, which the audit
// trail wants, nor the status of an answer it could not decode.
type captureKey struct{}

type capture struct {
	status int
	body   bytes.Buffer
}

// maxCapture bounds the raw answer kept for audit.
const maxCapture = 4 << 20

type captureTransport struct{ base http.RoundTripper }

// RoundTrip keeps the status and, for a 2xx, a copy of the body.
func (t *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	sink, ok := req.Context().Value(captureKey{}).(*capture)
	if err != nil || !ok {
		return resp, err
	}
	sink.status = resp.StatusCode
	if resp.StatusCode/100 != 2 {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCapture+1))
	closeErr := resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("gemini: read response: %w", err)
	}
	if closeErr != nil {
		return nil, fmt.Errorf("gemini: close response: %w", closeErr)
	}
	if len(body) > maxCapture {
		return nil, fmt.Errorf("gemini: response larger than %d bytes", maxCapture)
	}
	sink.body.Write(body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
