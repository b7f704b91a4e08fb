package llm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/llm/anthropic"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
	"github.com/vendorsync/vendorsync/internal/llm/openai"
)

func providers(t *testing.T, primary, secondary llmtest.Reply) (*llm.Fallback, *llmtest.Server, *llmtest.Server, *[]string) {
	t.Helper()
	ps := llmtest.NewServer(t, primary)
	ss := llmtest.NewServer(t, secondary)
	p, err := anthropic.New(anthropic.Config{APIKey: "k", BaseURL: ps.URL, Model: "claude-sonnet-4-5", MaxRetries: 1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s, err := openai.New(openai.Config{APIKey: "k", BaseURL: ss.URL + "/v1", Model: "gpt-4o", MaxRetries: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var fellBack []string
	f := &llm.Fallback{Primary: p, Secondary: s, OnFallback: func(name string, err error) {
		fellBack = append(fellBack, name+": "+string(httpx.KindOf(err)))
	}}
	return f, ps, ss, &fellBack
}

func schemaRequest() llm.Request {
	req := llm.User("system", "user")
	req.Schema = llmtest.Schema()
	return req
}

func TestFallback(t *testing.T) {
	good := llmtest.Reply{Body: llmtest.OpenAIChat(llmtest.WantText)}
	tests := []struct {
		name             string
		primary          llmtest.Reply
		wantProvider     string
		wantPrimaryCalls int
	}{
		{"primary answers", llmtest.Reply{Body: llmtest.AnthropicToolUse("decision", llmtest.WantText)}, "anthropic:claude-sonnet-4-5", 1},
		{"500 after retries falls back", llmtest.Reply{Status: 500, Header: map[string]string{"Retry-After": "0"},
			Body: llmtest.AnthropicError("api_error", "Internal server error")}, "openai:gpt-4o", 2},
		{"429 after retries falls back", llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "0"},
			Body: llmtest.AnthropicError("rate_limit_error", "rate limited")}, "openai:gpt-4o", 2},
		{"malformed answer falls back", llmtest.Reply{Body: `{"content": [`}, "openai:gpt-4o", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ps, _, fellBack := providers(t, tt.primary, good)
			resp, err := f.Complete(context.Background(), schemaRequest())
			if err != nil {
				t.Fatal(err)
			}
			llmtest.SameJSON(t, resp.Text, llmtest.WantText)
			if resp.Provider != tt.wantProvider || ps.Count() != tt.wantPrimaryCalls {
				t.Errorf("provider %q after %d primary calls, want %q after %d", resp.Provider, ps.Count(), tt.wantProvider, tt.wantPrimaryCalls)
			}
			if (tt.wantProvider == "openai:gpt-4o") != (len(*fellBack) == 1) {
				t.Errorf("OnFallback calls = %v", *fellBack)
			}
		})
	}
}

func TestFallbackBothFailReportsSecondaryKind(t *testing.T) {
	f, _, ss, _ := providers(t,
		llmtest.Reply{Status: 500, Header: map[string]string{"Retry-After": "0"}, Body: llmtest.AnthropicError("api_error", "boom")},
		llmtest.Reply{Status: 401, Body: llmtest.OpenAIError("invalid_request_error", "invalid_api_key", "Incorrect API key")})
	_, err := f.Complete(context.Background(), schemaRequest())
	if httpx.KindOf(err) != httpx.Auth || ss.Count() != 1 {
		t.Errorf("err = %v (kind %q), secondary calls %d", err, httpx.KindOf(err), ss.Count())
	}
}

func TestFallbackStopsWhenCallerCancels(t *testing.T) {
	f, _, ss, _ := providers(t, llmtest.Reply{Body: llmtest.AnthropicToolUse("decision", llmtest.WantText)},
		llmtest.Reply{Body: llmtest.OpenAIChat(llmtest.WantText)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.Complete(ctx, schemaRequest())
	if !errors.Is(err, context.Canceled) || ss.Count() != 0 {
		t.Errorf("err = %v, secondary calls %d; want context.Canceled and no fallback", err, ss.Count())
	}
}
