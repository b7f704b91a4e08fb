package anthropic_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/llm/anthropic"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
)

func newClient(t *testing.T, srv *llmtest.Server, retries int) *anthropic.Client {
	t.Helper()
	c, err := anthropic.New(anthropic.Config{
		APIKey: "sk-ant-test", BaseURL: srv.URL, Model: "claude-sonnet-4-5",
		Timeout: 5 * time.Second, MaxRetries: retries, MaxRetryWait: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request() llm.Request {
	req := llm.User("You triage vendor emails.", "<email>Visa retires v1.</email>")
	req.Schema = llmtest.Schema()
	req.MaxTokens = 1024
	return req
}

func TestCompleteForcesTheSchemaTool(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.ReadFile(t, "message_tool_use.json")})
	resp, err := newClient(t, srv, -1).Complete(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	llmtest.SameJSON(t, resp.Text, llmtest.WantText)
	if resp.InputTokens != 2095 || resp.OutputTokens != 503 || resp.Model != "claude-sonnet-4-5-20250929" {
		t.Errorf("usage/model = %d/%d/%s", resp.InputTokens, resp.OutputTokens, resp.Model)
	}
	if resp.Provider != "anthropic:claude-sonnet-4-5" || resp.Raw == "" {
		t.Errorf("provider %q, raw %q", resp.Provider, resp.Raw)
	}

	got := srv.Requests()[0]
	if got.Method != http.MethodPost || got.Path != "/v1/messages" {
		t.Errorf("request = %s %s", got.Method, got.Path)
	}
	if got.Header.Get("X-Api-Key") != "sk-ant-test" || got.Header.Get("Anthropic-Version") == "" {
		t.Errorf("headers = %v", got.Header)
	}
	body := got.JSON(t)
	tools, _ := body["tools"].([]any)
	if len(tools) != 1 {
		t.Fatalf("tools = %v", body["tools"])
	}
	tool := tools[0].(map[string]any)
	schema, _ := tool["input_schema"].(map[string]any)
	props, _ := schema["properties"].(map[string]any)
	if tool["name"] != "decision" || schema["type"] != "object" || props["severity"] == nil ||
		schema["additionalProperties"] != false || len(schema["required"].([]any)) != 2 {
		t.Errorf("tool = %v", tool)
	}
	choice, _ := body["tool_choice"].(map[string]any)
	if choice["type"] != "tool" || choice["name"] != "decision" {
		t.Errorf("tool_choice = %v", body["tool_choice"])
	}
	system, _ := body["system"].([]any)
	if len(system) != 1 || system[0].(map[string]any)["text"] != "You triage vendor emails." {
		t.Errorf("system = %v", body["system"])
	}
	if body["max_tokens"] != float64(1024) || body["model"] != "claude-sonnet-4-5" {
		t.Errorf("max_tokens/model = %v/%v", body["max_tokens"], body["model"])
	}
}

func TestRetriesAfterRateLimitHonouringRetryAfter(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "1"},
			Body: llmtest.AnthropicError("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit")},
		llmtest.Reply{Body: llmtest.ReadFile(t, "message_tool_use.json")})
	resp, err := newClient(t, srv, 2).Complete(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	llmtest.SameJSON(t, resp.Text, llmtest.WantText)
	if srv.Count() != 2 {
		t.Errorf("requests = %d, want 2", srv.Count())
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name     string
		reply    llmtest.Reply
		want     httpx.Kind
		status   int
		attempts int
	}{
		{"retry-after beyond the cap fails at once", llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "3600"},
			Body: llmtest.AnthropicError("rate_limit_error", "slow down")}, httpx.RateLimited, 429, 1},
		{"overloaded", llmtest.Reply{Status: 529, Header: map[string]string{"Retry-After": "0"},
			Body: llmtest.AnthropicError("overloaded_error", "Overloaded")}, httpx.Transient, 529, 2},
		{"bad key", llmtest.Reply{Status: 401, Body: llmtest.AnthropicError("authentication_error", "invalid x-api-key")}, httpx.Auth, 401, 1},
		{"bad request", llmtest.Reply{Status: 400, Body: llmtest.AnthropicError("invalid_request_error", "max_tokens: must be positive")}, httpx.BadRequest, 400, 1},
		{"malformed body", llmtest.Reply{Body: `{"id": "msg_01", "content": [`}, httpx.Transient, 200, 1},
		{"no tool call", llmtest.Reply{Body: `{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",
			"content":[{"type":"text","text":"I cannot help."}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`}, httpx.Transient, 200, 1},
		{"cut off", llmtest.Reply{Body: `{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",
			"content":[{"type":"tool_use","id":"t","name":"decision","input":{}}],"stop_reason":"max_tokens","usage":{"input_tokens":1,"output_tokens":1}}`}, httpx.Transient, 200, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tt.reply)
			_, err := newClient(t, srv, 1).Complete(context.Background(), request())
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
	srv := llmtest.NewServer(t, llmtest.Reply{Status: 401, Body: llmtest.AnthropicError("authentication_error", "invalid x-api-key")})
	_, err := newClient(t, srv, -1).Complete(context.Background(), request())
	var e *httpx.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *httpx.Error", err)
	}
	if e.Upstream != "anthropic:claude-sonnet-4-5" || e.Code != "authentication_error" || e.Message != "invalid x-api-key" || e.Temporary() {
		t.Errorf("error = %+v", e)
	}
}

func TestConversationTurnsAndParallelToolUse(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.ReadFile(t, "message_tool_use.json")})
	req := request()
	temp := 0.0
	req.Temperature = &temp
	req.Messages = append(req.Messages, llm.Message{Role: llm.RoleAssistant, Content: "{}"},
		llm.Message{Role: llm.RoleUser, Content: "severity is missing"})
	if _, err := newClient(t, srv, -1).Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	body := srv.Requests()[0].JSON(t)
	msgs, _ := body["messages"].([]any)
	var roles []string
	for _, m := range msgs {
		m := m.(map[string]any)
		block := m["content"].([]any)[0].(map[string]any)
		if block["type"] != "text" || block["text"] == "" {
			t.Errorf("content block = %v", block)
		}
		roles = append(roles, m["role"].(string))
	}
	if strings.Join(roles, ",") != "user,assistant,user" {
		t.Errorf("roles = %v", roles)
	}
	if choice := body["tool_choice"].(map[string]any); choice["disable_parallel_tool_use"] != true {
		t.Errorf("tool_choice = %v", choice)
	}
	if body["temperature"] != float64(0) {
		t.Errorf("temperature = %v", body["temperature"])
	}
	if tool := body["tools"].([]any)[0].(map[string]any); tool["description"] != "The triage decision." {
		t.Errorf("tool = %v", tool)
	}
}

// TestPDFsGoAsDocuments: a PDF on a user turn is a base64 document block
// before the text (the Messages API's document input); other files and
// assistant turns carry none.
func TestPDFsGoAsDocuments(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.ReadFile(t, "message_tool_use.json")})
	req := request()
	req.Messages[0].Documents = []llm.Document{{Name: "notice.pdf", MediaType: "application/pdf", Data: []byte("%PDF-1.4 notice")},
		{Name: "logo.png", MediaType: "image/png", Data: []byte("png")}}
	if _, err := newClient(t, srv, -1).Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	content := srv.Requests()[0].JSON(t)["messages"].([]any)[0].(map[string]any)["content"].([]any)
	if len(content) != 2 {
		t.Fatalf("content = %v", content)
	}
	doc := content[0].(map[string]any)
	src, _ := doc["source"].(map[string]any)
	if doc["type"] != "document" || doc["title"] != "notice.pdf" || src["type"] != "base64" || src["media_type"] != "application/pdf" ||
		src["data"] != base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 notice")) {
		t.Errorf("document block = %v", doc)
	}
	if text := content[1].(map[string]any); text["type"] != "text" || text["text"] == "" {
		t.Errorf("text block = %v", text)
	}
}
