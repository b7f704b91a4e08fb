package openai_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
	"github.com/vendorsync/vendorsync/internal/llm/openai"
)

func newClient(t *testing.T, cfg openai.Config) *openai.Client {
	t.Helper()
	cfg.Timeout, cfg.MaxRetryWait = 5*time.Second, 5*time.Second
	c, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request() llm.Request {
	req := llm.User("You triage vendor emails.", "<email>Visa retires v1.</email>")
	req.Schema = llmtest.Schema()
	temp := 0.0
	req.Temperature = &temp
	return req
}

// checkSchemaRequest asserts the body asked for strict JSON-schema output.
func checkSchemaRequest(t *testing.T, got llmtest.Request) {
	t.Helper()
	body := got.JSON(t)
	rf, _ := body["response_format"].(map[string]any)
	js, _ := rf["json_schema"].(map[string]any)
	schema, _ := js["schema"].(map[string]any)
	if rf["type"] != "json_schema" || js["name"] != "decision" || js["strict"] != true || schema["type"] != "object" {
		t.Errorf("response_format = %v", body["response_format"])
	}
	msgs, _ := body["messages"].([]any)
	if len(msgs) != 2 || msgs[0].(map[string]any)["role"] != "system" || msgs[1].(map[string]any)["role"] != "user" {
		t.Errorf("messages = %v", body["messages"])
	}
	if body["temperature"] != float64(0) {
		t.Errorf("temperature = %v", body["temperature"])
	}
}

func TestCompleteAsksForStrictJSONSchema(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.ReadFile(t, "chat_completion.json")})
	c := newClient(t, openai.Config{APIKey: "sk-test", BaseURL: srv.URL + "/v1", Model: "gpt-4o", MaxRetries: -1})
	resp, err := c.Complete(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	llmtest.SameJSON(t, resp.Text, llmtest.WantText)
	if resp.InputTokens != 1117 || resp.OutputTokens != 46 || resp.Model != "gpt-4o-2024-08-06" || resp.Raw == "" {
		t.Errorf("response = %+v", resp)
	}
	got := srv.Requests()[0]
	if got.Method != http.MethodPost || got.Path != "/v1/chat/completions" {
		t.Errorf("request = %s %s", got.Method, got.Path)
	}
	if got.Header.Get("Authorization") != "Bearer sk-test" {
		t.Errorf("Authorization = %q", got.Header.Get("Authorization"))
	}
	if body := got.JSON(t); body["model"] != "gpt-4o" || body["max_completion_tokens"] != float64(llm.DefaultMaxTokens) {
		t.Errorf("model/max tokens = %v/%v", body["model"], body["max_completion_tokens"])
	}
	checkSchemaRequest(t, got)
}

func TestAzureUsesDeploymentPathAPIKeyHeaderAndVersion(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.ReadFile(t, "chat_completion.json")})
	c := newClient(t, openai.Config{APIKey: "azure-key", BaseURL: srv.URL, Model: "gpt-4o",
		AzureDeployment: "triage-prod", AzureAPIVersion: "2024-10-21", MaxRetries: -1})
	if _, err := c.Complete(context.Background(), request()); err != nil {
		t.Fatal(err)
	}
	got := srv.Requests()[0]
	if got.Path != "/openai/deployments/triage-prod/chat/completions" || got.Query.Get("api-version") != "2024-10-21" {
		t.Errorf("request = %s?%s", got.Path, got.Query.Encode())
	}
	if got.Header.Get("Api-Key") != "azure-key" || got.Header.Get("Authorization") != "" {
		t.Errorf("api-key = %q, Authorization = %q", got.Header.Get("Api-Key"), got.Header.Get("Authorization"))
	}
	if c.Name() != "azure-openai:triage-prod" {
		t.Errorf("name = %q", c.Name())
	}
	checkSchemaRequest(t, got)
}

func TestCompatibleServerWithoutKeyAndLegacyMaxTokens(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.ReadFile(t, "chat_completion.json")})
	c := newClient(t, openai.Config{BaseURL: srv.URL + "/v1", Model: "llama3.1:8b", LegacyMaxTokens: true,
		Headers: map[string]string{"X-Litellm-Tag": "triage"}, MaxRetries: -1})
	if _, err := c.Complete(context.Background(), request()); err != nil {
		t.Fatal(err)
	}
	got := srv.Requests()[0]
	body := got.JSON(t)
	if got.Header.Get("Authorization") != "" || got.Header.Get("X-Litellm-Tag") != "triage" {
		t.Errorf("headers = %v", got.Header)
	}
	if body["max_tokens"] != float64(llm.DefaultMaxTokens) || body["max_completion_tokens"] != nil {
		t.Errorf("max_tokens = %v, max_completion_tokens = %v", body["max_tokens"], body["max_completion_tokens"])
	}
}

func TestRetriesAfterRateLimitHonouringRetryAfter(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "1"},
			Body: llmtest.OpenAIError("requests", "rate_limit_exceeded", "Rate limit reached for gpt-4o")},
		llmtest.Reply{Body: llmtest.ReadFile(t, "chat_completion.json")})
	c := newClient(t, openai.Config{APIKey: "sk-test", BaseURL: srv.URL + "/v1", Model: "gpt-4o", MaxRetries: 2})
	resp, err := c.Complete(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	llmtest.SameJSON(t, resp.Text, llmtest.WantText)
	if srv.Count() != 2 {
		t.Errorf("requests = %d, want 2", srv.Count())
	}
}

func TestFailures(t *testing.T) {
	refusal := `{"id":"c","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,
		"message":{"role":"assistant","content":null,"refusal":"I can't assist with that."},"finish_reason":"stop"}]}`
	tests := []struct {
		name     string
		reply    llmtest.Reply
		want     httpx.Kind
		status   int
		attempts int
	}{
		{"retry-after beyond the cap", llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "3600"},
			Body: llmtest.OpenAIError("requests", "rate_limit_exceeded", "slow down")}, httpx.RateLimited, 429, 1},
		{"server error", llmtest.Reply{Status: 500, Header: map[string]string{"Retry-After": "0"},
			Body: llmtest.OpenAIError("server_error", "", "The server had an error")}, httpx.Transient, 500, 2},
		{"bad key", llmtest.Reply{Status: 401, Body: llmtest.OpenAIError("invalid_request_error", "invalid_api_key", "Incorrect API key")}, httpx.Auth, 401, 1},
		{"malformed body", llmtest.Reply{Body: `{"id": "chatcmpl-1", "choices": [`}, httpx.Transient, 200, 1},
		{"refusal", llmtest.Reply{Body: refusal}, httpx.Transient, 200, 1},
		{"no choices", llmtest.Reply{Body: `{"id":"c","object":"chat.completion","created":1,"model":"gpt-4o","choices":[]}`}, httpx.Transient, 200, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tt.reply)
			c := newClient(t, openai.Config{APIKey: "sk-test", BaseURL: srv.URL + "/v1", Model: "gpt-4o", MaxRetries: 1})
			_, err := c.Complete(context.Background(), request())
			if got, status := llmtest.KindAndStatus(err); got != tt.want || status != tt.status {
				t.Errorf("kind = %q, status %d (%v), want %q, %d", got, status, err, tt.want, tt.status)
			}
			if srv.Count() != tt.attempts {
				t.Errorf("attempts = %d, want %d", srv.Count(), tt.attempts)
			}
		})
	}
}

func TestErrorsCarryTheProviderExplanation(t *testing.T) {
	tests := []struct {
		name, body, code, message string
	}{
		{"openai", llmtest.OpenAIError("invalid_request_error", "model_not_found", "The model `gpt-9` does not exist"),
			"model_not_found", "The model `gpt-9` does not exist"},
		{"null code", `{"error": {"message": "The server had an error", "type": "server_error", "param": null, "code": null}}`,
			"server_error", "The server had an error"},
		{"numeric code (LiteLLM)", `{"error": {"message": "no healthy deployment", "type": "None", "code": 400}}`,
			"None", "no healthy deployment"},
		{"plain string (Ollama)", `{"error": "model 'llama9' not found"}`, "", "model 'llama9' not found"},
		{"not JSON (a proxy)", `<html>Bad Request</html>`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Reply{Status: 404, Body: tt.body})
			c := newClient(t, openai.Config{APIKey: "sk-test", BaseURL: srv.URL + "/v1", Model: "gpt-9", MaxRetries: -1})
			_, err := c.Complete(context.Background(), request())
			var e *httpx.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *httpx.Error", err)
			}
			if e.Kind != httpx.NotFound || e.Upstream != "openai:gpt-9" || e.Code != tt.code || e.Message != tt.message {
				t.Errorf("error = %+v", e)
			}
		})
	}
}

func TestAssistantTurnsAndDefaultBase(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.ReadFile(t, "chat_completion.json")})
	c := newClient(t, openai.Config{APIKey: "sk-test", BaseURL: srv.URL + "/v1/", Model: "gpt-4o", MaxRetries: -1})
	req := request()
	req.Messages = append(req.Messages, llm.Message{Role: llm.RoleAssistant, Content: "{}"},
		llm.Message{Role: llm.RoleUser, Content: "severity is missing"})
	if _, err := c.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got := srv.Requests()[0]
	if got.Path != "/v1/chat/completions" {
		t.Errorf("path = %s", got.Path)
	}
	msgs, _ := got.JSON(t)["messages"].([]any)
	var roles []string
	for _, m := range msgs {
		roles = append(roles, m.(map[string]any)["role"].(string))
	}
	if len(roles) != 4 || roles[2] != "assistant" || roles[3] != "user" {
		t.Errorf("roles = %v", roles)
	}
}
