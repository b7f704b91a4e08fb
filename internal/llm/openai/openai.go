// Package openai is the llm.Client for the Chat Completions API
// (POST {base}/chat/completions) as served by OpenAI and by compatible
// servers: Azure OpenAI, Ollama, vLLM, a LiteLLM proxy. Structured output
// uses response_format {"type": "json_schema", "strict": true}.
package openai

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

// DefaultBaseURL is OpenAI's own API.
const DefaultBaseURL = "https://api.openai.com/v1"

// Config configures a Client. Environment variables are never read.
type Config struct {
	// APIKey is sent as "Authorization: Bearer", or as "api-key" for Azure;
	// servers that need none (a local Ollama) leave it empty.
	APIKey string
	// BaseURL is DefaultBaseURL when empty; for compatible servers it ends
	// in /v1 (http://127.0.0.1:11434/v1 for Ollama). For Azure it is the
	// resource endpoint (https://NAME.openai.azure.com).
	BaseURL string
	// Model is required: the model name, or for Azure the deployment name
	// unless AzureDeployment is set.
	Model string
	// AzureAPIVersion switches to Azure OpenAI: requests go to
	// {BaseURL}/openai/deployments/{deployment}/chat/completions?api-version=….
	AzureAPIVersion string
	// AzureDeployment names the Azure deployment; Model when empty.
	AzureDeployment string
	// LegacyMaxTokens sends max_tokens instead of max_completion_tokens, for
	// compatible servers that predate the newer field.
	LegacyMaxTokens bool
	// Headers are added to every request (a LiteLLM proxy's routing keys).
	Headers map[string]string
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
}

// Client talks to a Chat Completions endpoint.
type Client struct {
	cfg    Config
	name   string
	url    string
	header http.Header
	call   *llm.Caller
}

// New builds a Client; it needs a model.
func New(cfg Config) (*Client, error) {
	if cfg.Model == "" {
		return nil, errors.New("openai.New: model is required")
	}
	c := &Client{cfg: cfg, name: "openai:" + cfg.Model, header: http.Header{}}
	upstream := "openai"
	if cfg.AzureAPIVersion != "" {
		if cfg.BaseURL == "" {
			return nil, errors.New("openai.New: Azure needs the resource endpoint as base URL")
		}
		deployment := llm.Or(cfg.AzureDeployment, cfg.Model)
		c.url = strings.TrimRight(cfg.BaseURL, "/") + "/openai/deployments/" + url.PathEscape(deployment) +
			"/chat/completions?" + url.Values{"api-version": {cfg.AzureAPIVersion}}.Encode()
		if cfg.APIKey != "" {
			c.header.Set("Api-Key", cfg.APIKey) // Azure takes no bearer token
		}
		c.name, upstream = "azure-openai:"+deployment, "azure-openai"
	} else {
		c.url = strings.TrimRight(llm.Or(cfg.BaseURL, DefaultBaseURL), "/") + "/chat/completions"
		if cfg.APIKey != "" {
			c.header.Set("Authorization", "Bearer "+cfg.APIKey)
		}
	}
	for k, v := range cfg.Headers {
		c.header.Set(k, v)
	}
	c.call = llm.NewCaller(c.name, "create chat completion", llm.Transport{
		Upstream: upstream, Timeout: cfg.Timeout, MaxRetries: cfg.MaxRetries,
		MaxRetryWait: cfg.MaxRetryWait, HTTPClient: cfg.HTTPClient, Telemetry: cfg.Telemetry,
	})
	return c, nil
}

// Name implements llm.Client.
func (c *Client) Name() string { return c.name }

// Complete implements llm.Client.
func (c *Client) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	return c.call.Post(ctx, c.url, c.header, newRequest(c.cfg.Model, c.cfg.LegacyMaxTokens, req), decodeCompletion)
}
