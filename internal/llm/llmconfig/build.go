package llmconfig

import (
	"fmt"
	"net/http"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/llm/anthropic"
	"github.com/vendorsync/vendorsync/internal/llm/gemini"
	"github.com/vendorsync/vendorsync/internal/llm/openai"
)

// Options tune the clients Build makes.
type Options struct {
	// MaxRetries per request; 0 means the provider package's default,
	// negative disables retries (the "test" button wants a quick answer).
	MaxRetries int
	// HTTPClient's Transport carries the requests, under the outbound
	// layer's retries and breaker, when set.
	HTTPClient *http.Client
	// Telemetry receives the calls' metrics and debug logs.
	Telemetry httpx.Telemetry
	// OnFallback is told when the primary was passed over.
	OnFallback func(primary string, err error)
}

// Build returns the client for cfg with its keys: the primary alone, or the
// primary with the fallback behind it (llm.Fallback). With no primary it
// returns nil: triage runs offline.
func Build(cfg Config, keys Keys) (llm.Client, error) {
	return BuildWith(cfg, keys, Options{})
}

// BuildWith is Build with options.
func BuildWith(cfg Config, keys Keys, opts Options) (llm.Client, error) {
	if cfg.Primary == nil {
		return nil, nil
	}
	primary, err := buildOne(*cfg.Primary, keys.Primary, opts)
	if err != nil {
		return nil, fmt.Errorf("llmconfig.Build primary: %w", err)
	}
	if cfg.Fallback == nil {
		return primary, nil
	}
	secondary, err := buildOne(*cfg.Fallback, keys.Fallback, opts)
	if err != nil {
		return nil, fmt.Errorf("llmconfig.Build fallback: %w", err)
	}
	return &llm.Fallback{Primary: primary, Secondary: secondary, OnFallback: opts.OnFallback}, nil
}

// buildOne makes the client of one provider.
func buildOne(pc ProviderConfig, key string, opts Options) (llm.Client, error) {
	timeout := time.Duration(pc.TimeoutSeconds) * time.Second
	var (
		c   llm.Client
		err error
	)
	switch pc.Provider {
	case Anthropic:
		c, err = anthropic.New(anthropic.Config{APIKey: key, BaseURL: pc.BaseURL, Model: pc.Model, Timeout: timeout,
			MaxRetries: opts.MaxRetries, HTTPClient: opts.HTTPClient, Telemetry: opts.Telemetry})
	case OpenAI, OpenAICompatible:
		c, err = openai.New(openai.Config{APIKey: key, BaseURL: pc.BaseURL, Model: pc.Model, Timeout: timeout,
			MaxRetries: opts.MaxRetries, HTTPClient: opts.HTTPClient, Telemetry: opts.Telemetry})
	case AzureOpenAI:
		c, err = openai.New(openai.Config{APIKey: key, BaseURL: pc.BaseURL, Model: pc.Model, Timeout: timeout,
			AzureAPIVersion: pc.AzureAPIVersion, AzureDeployment: pc.AzureDeployment,
			MaxRetries: opts.MaxRetries, HTTPClient: opts.HTTPClient, Telemetry: opts.Telemetry})
	case Gemini:
		c, err = gemini.New(gemini.Config{APIKey: key, BaseURL: pc.BaseURL, Model: pc.Model,
			Timeout: timeout, MaxRetries: opts.MaxRetries, HTTPClient: opts.HTTPClient, Telemetry: opts.Telemetry})
	default:
		return nil, apperr.Invalidf("unknown language model provider %q", pc.Provider)
	}
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "the %s settings are incomplete", pc.Provider.Label())
	}
	return c, nil
}
