package llmconfig_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/llm/llmconfig"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

const okAnswer = `{"ok":true}`

// TestEachProviderAnswersTheTest configures each provider against an
// in-process server speaking its protocol and runs the "test" button.
func TestEachProviderAnswersTheTest(t *testing.T) {
	f := newFixture(t, storetest.Open(t, sqlstore.SQLite))
	tests := []struct {
		name     string
		reply    string
		pc       func(url string) llmconfig.ProviderConfig
		key      string
		provider string
		check    func(t *testing.T, r llmtest.Request)
	}{
		{"anthropic", llmtest.AnthropicToolUse("connection_test", okAnswer),
			func(u string) llmconfig.ProviderConfig {
				return llmconfig.ProviderConfig{Provider: llmconfig.Anthropic, Model: "claude-sonnet-4-5", BaseURL: u}
			}, "sk-ant-test", "anthropic:claude-sonnet-4-5",
			func(t *testing.T, r llmtest.Request) {
				if r.Path != "/v1/messages" || r.Header.Get("X-Api-Key") != "sk-ant-test" {
					t.Errorf("request %s with x-api-key %q", r.Path, r.Header.Get("X-Api-Key"))
				}
			}},
		{"openai", llmtest.OpenAIChat(okAnswer),
			func(u string) llmconfig.ProviderConfig {
				return llmconfig.ProviderConfig{Provider: llmconfig.OpenAI, Model: "gpt-4o-mini", BaseURL: u + "/v1"}
			}, "sk-openai-test", "openai:gpt-4o-mini",
			func(t *testing.T, r llmtest.Request) {
				if r.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-openai-test" {
					t.Errorf("request %s with authorization %q", r.Path, r.Header.Get("Authorization"))
				}
			}},
		{"azure_openai", llmtest.OpenAIChat(okAnswer),
			func(u string) llmconfig.ProviderConfig {
				return llmconfig.ProviderConfig{Provider: llmconfig.AzureOpenAI, Model: "gpt-4o", BaseURL: u,
					AzureAPIVersion: "2024-10-21", AzureDeployment: "prod-gpt4o"}
			}, "azure-key", "azure-openai:prod-gpt4o",
			func(t *testing.T, r llmtest.Request) {
				if r.Path != "/openai/deployments/prod-gpt4o/chat/completions" || r.Query.Get("api-version") != "2024-10-21" ||
					r.Header.Get("Api-Key") != "azure-key" || r.Header.Get("Authorization") != "" {
					t.Errorf("request %s?%s api-key %q authorization %q", r.Path, r.Query.Encode(), r.Header.Get("Api-Key"), r.Header.Get("Authorization"))
				}
			}},
		{"openai_compatible", llmtest.OpenAIChat(okAnswer),
			func(u string) llmconfig.ProviderConfig {
				return llmconfig.ProviderConfig{Provider: llmconfig.OpenAICompatible, Model: "llama3.1", BaseURL: u + "/v1"}
			}, "", "openai:llama3.1",
			func(t *testing.T, r llmtest.Request) {
				if r.Path != "/v1/chat/completions" {
					t.Errorf("request %s", r.Path)
				}
			}},
		{"gemini", llmtest.GeminiText(okAnswer),
			func(u string) llmconfig.ProviderConfig {
				return llmconfig.ProviderConfig{Provider: llmconfig.Gemini, Model: "gemini-2.5-flash", BaseURL: u}
			}, "gemini-key", "gemini:gemini-2.5-flash",
			func(t *testing.T, r llmtest.Request) {
				if !strings.HasSuffix(r.Path, "/models/gemini-2.5-flash:generateContent") || r.Header.Get("X-Goog-Api-Key") != "gemini-key" {
					t.Errorf("request %s with x-goog-api-key %q", r.Path, r.Header.Get("X-Goog-Api-Key"))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Reply{Body: tt.reply})
			pc := tt.pc(srv.URL)
			if _, err := f.svc.Update(context.Background(), f.p, llmconfig.Config{Primary: &pc}, llmconfig.Keys{Primary: tt.key}); err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.Test(context.Background(), f.p, llmconfig.SlotPrimary)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK || res.Provider != tt.provider || res.Model == "" || !strings.HasPrefix(res.Message, "Connected") {
				t.Errorf("Test = %+v", res)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			tt.check(t, reqs[0])
			if !strings.Contains(string(reqs[0].Body), "connection_test") && tt.name != "gemini" {
				t.Errorf("the request did not ask for the structured answer: %s", reqs[0].Body)
			}
		})
	}
}

func TestTestReportsFailures(t *testing.T) {
	f := newFixture(t, storetest.Open(t, sqlstore.SQLite))
	const key = "sk-primary-key-do-not-log"
	tests := []struct {
		name    string
		reply   llmtest.Reply
		kind    string
		message string
	}{
		{"rejected key echoed by the server", llmtest.Reply{Status: http.StatusUnauthorized,
			Body: llmtest.OpenAIError("invalid_request_error", "invalid_api_key", "Incorrect API key provided: "+key+".")},
			"auth", "The API key was rejected"},
		{"unknown model", llmtest.Reply{Status: http.StatusNotFound,
			Body: llmtest.OpenAIError("invalid_request_error", "model_not_found", "The model `gpt-9` does not exist")},
			"invalid_request", "The request was refused"},
		{"answer without the JSON", llmtest.Reply{Body: llmtest.OpenAIChat("Sure, ok!")}, "bad_response", "The model answered, but not"},
		{"key without the permission", llmtest.Reply{Status: http.StatusForbidden,
			Body: llmtest.OpenAIError("invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported")},
			"auth", "The API key was rejected: create chat completion: openai:gpt-9 refused: the account lacks a permission: Country"},
		{"rate limited", llmtest.Reply{Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": "20"},
			Body: llmtest.OpenAIError("requests", "rate_limit_exceeded", "Rate limit reached")},
			"rate_limited", "Rate limited: create chat completion: openai:gpt-9 is rate limiting requests (retry after 20s): Rate limit reached"},
		{"server down", llmtest.Reply{Status: http.StatusServiceUnavailable, Body: llmtest.OpenAIError("server_error", "", "The server is overloaded")},
			"unavailable", "The service is unreachable or timed out: create chat completion: openai:gpt-9 is unavailable"},
		{"answer cut off", llmtest.Reply{Body: `{"choices":[{"message":{"content":"{\"ok\""},"finish_reason":"length"}]}`},
			"bad_response", "The answer could not be used: answer cut off at the token limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tt.reply)
			cfg := llmconfig.Config{Primary: &llmconfig.ProviderConfig{Provider: llmconfig.OpenAI, Model: "gpt-9", BaseURL: srv.URL + "/v1"}}
			if _, err := f.svc.Update(context.Background(), f.p, cfg, llmconfig.Keys{Primary: key}); err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.Test(context.Background(), f.p, llmconfig.SlotPrimary)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.Kind != tt.kind || !strings.HasPrefix(res.Message, tt.message) || strings.Contains(res.Message, key) {
				t.Errorf("Test = %+v", res)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("%d requests: a test must not retry", n)
			}
		})
	}
	t.Run("no fallback configured", func(t *testing.T) {
		if _, err := f.svc.Test(context.Background(), f.p, llmconfig.SlotFallback); err == nil {
			t.Error("testing a missing fallback succeeded")
		}
	})
}

func TestBuild(t *testing.T) {
	pc := func(p llmconfig.Provider, model, base string) *llmconfig.ProviderConfig {
		return &llmconfig.ProviderConfig{Provider: p, Model: model, BaseURL: base, AzureAPIVersion: "2024-10-21"}
	}
	tests := []struct {
		cfg  llmconfig.Config
		want string
	}{
		{llmconfig.Config{Primary: pc(llmconfig.Anthropic, "claude-sonnet-4-5", "")}, "anthropic:claude-sonnet-4-5"},
		{llmconfig.Config{Primary: pc(llmconfig.OpenAI, "gpt-4o-mini", "")}, "openai:gpt-4o-mini"},
		{llmconfig.Config{Primary: pc(llmconfig.AzureOpenAI, "gpt-4o", "https://acme.openai.azure.com")}, "azure-openai:gpt-4o"},
		{llmconfig.Config{Primary: pc(llmconfig.OpenAICompatible, "llama3.1", "http://127.0.0.1:11434/v1")}, "openai:llama3.1"},
		{llmconfig.Config{Primary: pc(llmconfig.Gemini, "gemini-2.5-flash", "")}, "gemini:gemini-2.5-flash"},
		{llmconfig.Config{Primary: pc(llmconfig.OpenAI, "gpt-4o", ""), Fallback: pc(llmconfig.Gemini, "gemini-2.5-flash", "")},
			"openai:gpt-4o|gemini:gemini-2.5-flash"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			c, err := llmconfig.Build(tt.cfg, llmconfig.Keys{Primary: "k1", Fallback: "k2"})
			if err != nil {
				t.Fatal(err)
			}
			if c.Name() != tt.want {
				t.Errorf("Name() = %q, want %q", c.Name(), tt.want)
			}
		})
	}
	if _, err := llmconfig.Build(llmconfig.Config{Primary: pc(llmconfig.Anthropic, "claude", "")}, llmconfig.Keys{}); err == nil {
		t.Error("Build without the key Anthropic needs succeeded")
	}
}
