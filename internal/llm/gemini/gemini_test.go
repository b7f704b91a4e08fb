package gemini_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

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
	c, err := gemini.New(context.Background(), cfg)
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
		want     llm.Kind
		attempts int
	}{
		{"retry-after beyond the cap", llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "3600"},
			Body: llmtest.GeminiError(429, "RESOURCE_EXHAUSTED", "quota")}, llm.KindRateLimited, 1},
		{"server error", llmtest.Reply{Status: 503, Header: map[string]string{"Retry-After": "0"},
			Body: llmtest.GeminiError(503, "UNAVAILABLE", "The model is overloaded.")}, llm.KindUnavailable, 2},
		{"bad key", llmtest.Reply{Status: 403, Body: llmtest.GeminiError(403, "PERMISSION_DENIED", "API key not valid")}, llm.KindAuth, 1},
		{"malformed body", llmtest.Reply{Body: `{"candidates": [`}, llm.KindBadResponse, 1},
		{"safety stop", llmtest.Reply{Body: `{"candidates":[{"content":{"parts":[{"text":"{}"}],"role":"model"},"finishReason":"SAFETY"}]}`}, llm.KindBadResponse, 1},
		{"blocked prompt", llmtest.Reply{Body: `{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}}`}, llm.KindBadResponse, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tt.reply)
			_, err := newClient(t, srv, 1, nil).Complete(context.Background(), request())
			if got := llm.KindOf(err); got != tt.want {
				t.Errorf("kind = %q (%v), want %q", got, err, tt.want)
			}
			if srv.Count() != tt.attempts {
				t.Errorf("attempts = %d, want %d", srv.Count(), tt.attempts)
			}
		})
	}
}
