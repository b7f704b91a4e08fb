package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
)

func TestPost(t *testing.T) {
	decodeOK := func([]byte) (llm.Response, error) { return llm.Response{Text: "ok"}, nil }
	t.Run("sends JSON with the caller's headers through the given transport", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Reply{Body: `{}`})
		var sent atomic.Int32
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent.Add(1)
			return http.DefaultTransport.RoundTrip(r)
		})
		c := llm.NewCaller("test:model", "complete", llm.Transport{Upstream: "test", MaxRetries: -1, HTTPClient: &http.Client{Transport: base}})
		resp, err := c.Post(context.Background(), srv.URL+"/x", http.Header{"X-Key": {"k"}}, map[string]int{"n": 1}, decodeOK)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Text != "ok" || resp.Provider != "test:model" || resp.Raw != `{}` {
			t.Errorf("response = %+v", resp)
		}
		got := srv.Requests()[0]
		if got.Header.Get("X-Key") != "k" || got.Header.Get("Content-Type") != "application/json" || string(got.Body) != `{"n":1}` {
			t.Errorf("request = %+v", got)
		}
		if sent.Load() != 1 {
			t.Errorf("the configured transport carried %d requests, want 1", sent.Load())
		}
	})
	t.Run("an answer beyond the bound is unusable, not read whole", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Reply{Body: `"` + strings.Repeat("a", llm.MaxAnswerBytes) + `"`})
		c := llm.NewCaller("test:model", "complete", llm.Transport{Upstream: "test", MaxRetries: -1})
		called := false
		_, err := c.Post(context.Background(), srv.URL, nil, struct{}{}, func([]byte) (llm.Response, error) { called = true; return llm.Response{}, nil })
		if kind, status := llmtest.KindAndStatus(err); kind != httpx.Transient || status != 200 || called {
			t.Errorf("err = %v (decode called: %v), want an unusable 200 answer", err, called)
		}
	})
	t.Run("a decode failure is an unusable answer", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Reply{Body: `{}`})
		c := llm.NewCaller("test:model", "complete", llm.Transport{Upstream: "test", MaxRetries: -1})
		bad := errors.New("no tool call")
		_, err := c.Post(context.Background(), srv.URL, nil, struct{}{}, func([]byte) (llm.Response, error) { return llm.Response{}, bad })
		if kind, status := llmtest.KindAndStatus(err); kind != httpx.Transient || status != 200 || !errors.Is(err, bad) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a long error message is clipped", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Reply{Status: 400, Body: llmtest.OpenAIError("invalid_request_error", "", strings.Repeat("é", 5000))})
		c := llm.NewCaller("test:model", "complete", llm.Transport{Upstream: "test", MaxRetries: -1})
		_, err := c.Post(context.Background(), srv.URL, nil, struct{}{}, decodeOK)
		var e *httpx.Error
		if !errors.As(err, &e) || e.Kind != httpx.BadRequest || len(e.Message) > 1010 || !strings.HasSuffix(e.Message, "é…") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no answer is transient and keeps the caller's cancellation", func(t *testing.T) {
		c := llm.NewCaller("test:model", "complete", llm.Transport{Upstream: "test", MaxRetries: -1, Timeout: time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Post(ctx, "http://127.0.0.1:1/", nil, struct{}{}, decodeOK)
		if httpx.KindOf(err) != httpx.Transient || !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a redirect to another host is not followed with the key", func(t *testing.T) {
		elsewhere := llmtest.NewServer(t, llmtest.Reply{Body: `{}`})
		srv := llmtest.NewServer(t, llmtest.Reply{Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": elsewhere.URL + "/steal"}})
		c := llm.NewCaller("test:model", "complete", llm.Transport{Upstream: "test", MaxRetries: -1})
		_, err := c.Post(context.Background(), srv.URL, http.Header{"X-Api-Key": {"secret"}}, struct{}{}, decodeOK)
		if kind, status := llmtest.KindAndStatus(err); kind != httpx.Permanent || status != http.StatusTemporaryRedirect || elsewhere.Count() != 0 {
			t.Errorf("err = %v, requests elsewhere %d", err, elsewhere.Count())
		}
	})
	t.Run("a redirect on the same host is followed", func(t *testing.T) {
		srv := llmtest.NewServer(t)
		srv.Handle = func(i int, r llmtest.Request) llmtest.Reply {
			if r.Path == "/old" {
				return llmtest.Reply{Status: http.StatusPermanentRedirect, Header: map[string]string{"Location": "/new"}}
			}
			return llmtest.Reply{Body: `{}`}
		}
		c := llm.NewCaller("test:model", "complete", llm.Transport{Upstream: "test", MaxRetries: -1})
		if _, err := c.Post(context.Background(), srv.URL+"/old", http.Header{"X-Api-Key": {"secret"}}, struct{}{}, decodeOK); err != nil {
			t.Fatal(err)
		}
		if reqs := srv.Requests(); len(reqs) != 2 || reqs[1].Header.Get("X-Api-Key") != "secret" || string(reqs[1].Body) != `{}` {
			t.Errorf("requests = %+v", reqs)
		}
	})
	t.Run("a request that cannot be encoded is never sent", func(t *testing.T) {
		c := llm.NewCaller("test:model", "complete", llm.Transport{Upstream: "test"})
		_, err := c.Post(context.Background(), "http://127.0.0.1:1/", nil, map[string]any{"f": func() {}}, decodeOK)
		if httpx.KindOf(err) != httpx.BadRequest {
			t.Errorf("err = %v", err)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestErrorBody(t *testing.T) {
	tests := []struct{ body, code, message string }{
		{llmtest.AnthropicError("overloaded_error", "Overloaded"), "overloaded_error", "Overloaded"},
		{llmtest.OpenAIError("requests", "rate_limit_exceeded", "slow down"), "rate_limit_exceeded", "slow down"},
		{llmtest.GeminiError(429, "RESOURCE_EXHAUSTED", "quota"), "RESOURCE_EXHAUSTED", "quota"},
		{`{"error": "model not found"}`, "", "model not found"},
		{`{"error": {"message": 7}}`, "", ""},
		{`{"detail": "Not Found"}`, "", ""},
		{`not json`, "", ""},
	}
	for _, tt := range tests {
		if code, message := llm.ErrorBody([]byte(tt.body)); code != tt.code || message != tt.message {
			t.Errorf("ErrorBody(%s) = %q, %q; want %q, %q", tt.body, code, message, tt.code, tt.message)
		}
	}
}

// FuzzErrorBody: an error answer is untrusted input too; the decoder must
// never panic, and finds something only in a JSON body.
func FuzzErrorBody(f *testing.F) {
	f.Add([]byte(llmtest.AnthropicError("overloaded_error", "Overloaded")))
	f.Add([]byte(llmtest.OpenAIError("server_error", "", "boom")))
	f.Add([]byte(llmtest.GeminiError(503, "UNAVAILABLE", "overloaded")))
	f.Add([]byte(`{"error": "plain"}`))
	f.Add([]byte(`{"error": {"code": 400, "status": null}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		code, message := llm.ErrorBody(body)
		if (code != "" || message != "") && !json.Valid(body) {
			t.Errorf("ErrorBody(%q) = %q, %q from a body that is not JSON", body, code, message)
		}
	})
}
