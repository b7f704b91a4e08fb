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

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
)

// DefaultBaseURL is where the Messages API is served.
const DefaultBaseURL = "https://api.anthropic.com"

// apiVersion is the Messages API version the request and answer shapes in
// message.go follow.
const apiVersion = "2023-06-01"

// Config configures a Client. Environment variables are never read.
type Config struct {
	APIKey string
	// BaseURL is DefaultBaseURL when empty.
	BaseURL string
	// Model is required, e.g. "claude-sonnet-4-5".
	Model string
	// Timeout bounds each HTTP attempt; llm.DefaultTimeout when zero.
	Timeout time.Duration
	// MaxRetries for 408/429/5xx/529 and network errors; 0 means
	// llm.DefaultMaxRetries, negative disables retries.
	MaxRetries int
	// MaxRetryWait is the longest Retry-After honoured; longer asks fail at
	// once so that a fallback can answer. httpx.DefaultMaxRetryAfter when
	// zero.
	MaxRetryWait time.Duration
	// HTTPClient's Transport sends the attempts when set.
	HTTPClient *http.Client
	// Telemetry receives the calls\' metrics and debug logs.
	Telemetry httpx.Telemetry
}

// Client talks to the Messages API.
type Client struct {
	cfg  Config
	url  string
	call *llm.Caller
}

// New builds a Client; it needs a model and an API key.
func New(cfg Config) (*Client, error) {
	if cfg.Model == "" {
		return nil, errors.New("anthropic.New: model is required")
	}
	if cfg.APIKey == "" {
		return nil, errors.New("anthropic.New: API key is required")
	}
	c := &Client{cfg: cfg, url: strings.TrimRight(llm.Or(cfg.BaseURL, DefaultBaseURL), "/") + "/v1/messages"}
	c.call = llm.NewCaller(c.Name(), "create message", llm.Transport{
		Upstream: "anthropic", Timeout: cfg.Timeout, MaxRetries: cfg.MaxRetries,
		MaxRetryWait: cfg.MaxRetryWait, HTTPClient: cfg.HTTPClient, Telemetry: cfg.Telemetry,
	})
	return c, nil
}

// Name implements llm.Client.
func (c *Client) Name() string { return "anthropic:" + c.cfg.Model }

// Complete implements llm.Client.
func (c *Client) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	header := http.Header{}
	header.Set("X-Api-Key", c.cfg.APIKey)
	header.Set("Anthropic-Version", apiVersion)
	return c.call.Post(ctx, c.url, header, newRequest(c.cfg.Model, req), func(body []byte) (llm.Response, error) {
		return decodeMessage(body, req.Schema)
	})
}
