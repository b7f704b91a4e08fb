package gemini_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/llm/gemini"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
)

type retryLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (l *retryLog) record(_ int, wait time.Duration, _ error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waits = append(l.waits, wait)
}

func newClient(t *testing.T, srv *llmtest.Server, retries int, log *retryLog) *gemini.Client {
	t.Helper()
	cfg := gemini.Config{APIKey: "AIza-test", BaseURL: srv.URL, Model: "gemini-2.5-flash",
		Timeout: 5 * time.Second, MaxRetries: retries, MaxRetryWait: 5 * time.Second}
	if log != nil {
		cfg.OnRetry = log.record
	}
	c, err := gemini.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request() llm.Request {
	req := llm.User("You triage vendor emails.", "<email>Visa retires v1.</email>")
	req.Schema = llmtest.Schema()
	return req
}

func TestCompleteAsksForJSONWithSchema(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Reply{Body: llmtest.ReadFile(t, "generate_content.json")})
	resp, err := newClient(t, srv, -1, nil).Complete(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	llmtest.SameJSON(t, resp.Text, llmtest.WantText)
	if resp.InputTokens != 1021 || resp.OutputTokens != 88 || resp.Model != "gemini-2.5-flash" {
		t.Errorf("response = %+v", resp)
	}
	if resp.Raw != llmtest.ReadFile(t, "generate_content.json") {
		t.Errorf("raw answer not kept verbatim: %q", resp.Raw)
	}
	got := srv.Requests()[0]
	if got.Method != http.MethodPost || got.Path != "/v1beta/models/gemini-2.5-flash:generateContent" {
		t.Errorf("request = %s %s", got.Method, got.Path)
	}
	if got.Header.Get("X-Goog-Api-Key") != "AIza-test" {
		t.Errorf("x-goog-api-key = %q", got.Header.Get("X-Goog-Api-Key"))
	}
	body := got.JSON(t)
	gen, _ := body["generationConfig"].(map[string]any)
	schema, _ := gen["responseJsonSchema"].(map[string]any)
	if gen["responseMimeType"] != "application/json" || schema["type"] != "object" || schema["properties"] == nil {
		t.Errorf("generationConfig = %v", body["generationConfig"])
	}
	sys, _ := body["systemInstruction"].(map[string]any)
	if sys == nil {
		t.Errorf("no systemInstruction in %v", body)
	}
	contents, _ := body["contents"].([]any)
	if len(contents) != 1 || contents[0].(map[string]any)["role"] != "user" {
		t.Errorf("contents = %v", body["contents"])
	}
}

func TestRetriesAfterRateLimitHonouringRetryAfter(t *testing.T) {
	srv := llmtest.NewServer(t,
		llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "1"},
			Body: llmtest.GeminiError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")},
		llmtest.Reply{Body: llmtest.ReadFile(t, "generate_content.json")})
	log := &retryLog{}
	resp, err := newClient(t, srv, 2, log).Complete(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	llmtest.SameJSON(t, resp.Text, llmtest.WantText)
	if srv.Count() != 2 || len(log.waits) != 1 || log.waits[0] != time.Second {
		t.Errorf("requests = %d, waits = %v; want 2 requests and one 1s wait", srv.Count(), log.waits)
	}
	if a, b := srv.Requests()[0].Body, srv.Requests()[1].Body; string(a) != string(b) {
		t.Errorf("retry sent a different body:\n%s\n%s", a, b)
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
		{"retry-after beyond the cap", llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "3600"},
			Body: llmtest.GeminiError(429, "RESOURCE_EXHAUSTED", "quota")}, httpx.RateLimited, 429, 1},
		{"server error", llmtest.Reply{Status: 503, Header: map[string]string{"Retry-After": "0"},
			Body: llmtest.GeminiError(503, "UNAVAILABLE", "The model is overloaded.")}, httpx.Transient, 503, 2},
		{"bad key", llmtest.Reply{Status: 403, Body: llmtest.GeminiError(403, "PERMISSION_DENIED", "API key not valid")}, httpx.Permission, 403, 1},
		{"malformed body", llmtest.Reply{Body: `{"candidates": [`}, httpx.Transient, 200, 1},
		{"safety stop", llmtest.Reply{Body: `{"candidates":[{"content":{"parts":[{"text":"{}"}],"role":"model"},"finishReason":"SAFETY"}]}`}, httpx.Transient, 200, 1},
		{"blocked prompt", llmtest.Reply{Body: `{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}}`}, httpx.Transient, 200, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tt.reply)
			_, err := newClient(t, srv, 1, nil).Complete(context.Background(), request())
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
	srv := llmtest.NewServer(t, llmtest.Reply{Status: 400,
		Body: llmtest.GeminiError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")})
	_, err := newClient(t, srv, -1, nil).Complete(context.Background(), request())
	var e *httpx.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *httpx.Error", err)
	}
	if e.Kind != httpx.BadRequest || e.Upstream != "gemini:gemini-2.5-flash" || e.Code != "INVALID_ARGUMENT" ||
		e.Message != "API key not valid. Please pass a valid API key." {
		t.Errorf("error = %+v", e)
	}
}

func TestModelTurnsThoughtsAndModelPaths(t *testing.T) {
	answer := `{"candidates":[{"content":{"role":"model","parts":[{"text":"thinking…","thought":true},` +
		`{"text":"{\"severity\":\"high\","},{"text":"\"reasoning\":\"Visa retires the v1 authorization endpoint.\"}"}]},` +
		`"finishReason":"STOP"}]}`
	srv := llmtest.NewServer(t, llmtest.Reply{Body: answer})
	c, err := gemini.New(gemini.Config{APIKey: "k", BaseURL: srv.URL + "/", Model: "tunedModels/triage-v2", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	req := request()
	temp := 0.0
	req.Temperature = &temp
	req.Messages = append(req.Messages, llm.Message{Role: llm.RoleAssistant, Content: "{}"},
		llm.Message{Role: llm.RoleUser, Content: "severity is missing"})
	resp, err := c.Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	llmtest.SameJSON(t, resp.Text, llmtest.WantText)
	if resp.Model != "tunedModels/triage-v2" || resp.InputTokens != 0 {
		t.Errorf("response = %+v", resp)
	}
	got := srv.Requests()[0]
	if got.Path != "/v1beta/tunedModels/triage-v2:generateContent" {
		t.Errorf("path = %s", got.Path)
	}
	body := got.JSON(t)
	var roles []string
	for _, c := range body["contents"].([]any) {
		roles = append(roles, c.(map[string]any)["role"].(string))
	}
	if len(roles) != 3 || roles[1] != "model" || roles[2] != "user" {
		t.Errorf("roles = %v", roles)
	}
	gen := body["generationConfig"].(map[string]any)
	if gen["temperature"] != float64(0) || gen["maxOutputTokens"] != float64(llm.DefaultMaxTokens) {
		t.Errorf("generationConfig = %v", gen)
	}
}

// TestPDFsGoAsInlineData: a PDF on a user turn is an inlineData part before
// the text; other files are not sent.
func TestPDFsGoAsInlineData(t *testing.T) {
	answer := `{"candidates":[{"content":{"role":"model","parts":[{"text":"{\"severity\":\"high\",\"reasoning\":\"Visa retires the v1 authorization endpoint.\"}"}]},"finishReason":"STOP"}]}`
	srv := llmtest.NewServer(t, llmtest.Reply{Body: answer})
	req := request()
	req.Messages[0].Documents = []llm.Document{{Name: "notice.pdf", MediaType: "application/pdf", Data: []byte("%PDF-1.4 notice")},
		{Name: "logo.png", MediaType: "image/png", Data: []byte("png")}}
	if _, err := newClient(t, srv, -1, nil).Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	parts := srv.Requests()[0].JSON(t)["contents"].([]any)[0].(map[string]any)["parts"].([]any)
	if len(parts) != 2 {
		t.Fatalf("parts = %v", parts)
	}
	inline, _ := parts[0].(map[string]any)["inlineData"].(map[string]any)
	if inline["mimeType"] != "application/pdf" || inline["data"] != base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 notice")) {
		t.Errorf("inline part = %v", parts[0])
	}
	if parts[1].(map[string]any)["text"] == "" {
		t.Errorf("text part = %v", parts[1])
	}
}
