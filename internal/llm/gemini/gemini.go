// Package gemini is the llm.Client for the Gemini API
// (POST /v1beta/models/{model}:generateContent). Structured output uses
// responseMimeType application/json with responseJsonSchema.
package gemini

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
)

// DefaultBaseURL is where the Gemini API is served.
const DefaultBaseURL = "https://generativelanguage.googleapis.com/"

// apiVersion is the API version the shapes in content.go follow.
const apiVersion = "v1beta"

// Config configures a Client. Environment variables are never read.
type Config struct {
	APIKey string
	// BaseURL is DefaultBaseURL when empty.
	BaseURL string
	// Model is required, e.g. "gemini-2.5-flash".
	Model string
	// Timeout bounds each HTTP attempt; llm.DefaultTimeout when zero.
	Timeout time.Duration
	// MaxRetries for 408/429/5xx and network errors; 0 means
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
	// OnRetry, when set, is told about each retry (for logs and tests).
	OnRetry func(attempt int, wait time.Duration, err error)
}

// Client talks to the Gemini API.
type Client struct {
	cfg  Config
	url  string
	call *llm.Caller
}

// New builds a Client; it needs a model and an API key.
func New(cfg Config) (*Client, error) {
	if cfg.Model == "" {
		return nil, errors.New("gemini.New: model is required")
	}
	if cfg.APIKey == "" {
		return nil, errors.New("gemini.New: API key is required")
	}
	c := &Client{cfg: cfg, url: strings.TrimRight(llm.Or(cfg.BaseURL, DefaultBaseURL), "/") + "/" + apiVersion + "/" +
		modelPath(cfg.Model) + ":generateContent"}
	c.call = llm.NewCaller(c.Name(), "generate content", llm.Transport{
		Upstream: "gemini", Timeout: cfg.Timeout, MaxRetries: cfg.MaxRetries,
		MaxRetryWait: cfg.MaxRetryWait, HTTPClient: cfg.HTTPClient, Telemetry: cfg.Telemetry, OnRetry: cfg.OnRetry,
	})
	return c, nil
}

// modelPath is the model's resource name: "models/NAME", or a tuned
// model's "tunedModels/NAME" as given.
func modelPath(model string) string {
	collection := "models"
	for _, prefix := range []string{"models/", "tunedModels/"} {
		if name, ok := strings.CutPrefix(model, prefix); ok {
			collection, model = strings.TrimSuffix(prefix, "/"), name
			break
		}
	}
	return collection + "/" + url.PathEscape(model)
}

// Name implements llm.Client.
func (c *Client) Name() string { return "gemini:" + c.cfg.Model }

// Complete implements llm.Client.
func (c *Client) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	header := http.Header{}
	header.Set("X-Goog-Api-Key", c.cfg.APIKey)
	resp, err := c.call.Post(ctx, c.url, header, newRequest(req), decodeContent)
	if err != nil {
		return llm.Response{}, err
	}
	resp.Model = llm.Or(resp.Model, c.cfg.Model) // an answer need not name its model version
	return resp, nil
}
