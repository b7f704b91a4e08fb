package llm_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
)

func TestRetryTransport(t *testing.T) {
	ok := llmtest.Reply{Body: `{"ok":true}`}
	tests := []struct {
		name       string
		script     []llmtest.Reply
		wantStatus int
		wantCalls  int
		wantWaits  []time.Duration
	}{
		{"429 then success waits Retry-After", []llmtest.Reply{{Status: 429, Header: map[string]string{"Retry-After": "1"}}, ok},
			200, 2, []time.Duration{time.Second}},
		{"Retry-After-Ms is preferred", []llmtest.Reply{{Status: 503, Header: map[string]string{"Retry-After-Ms": "5", "Retry-After": "9"}}, ok},
			200, 2, []time.Duration{5 * time.Millisecond}},
		{"Retry-After beyond the cap returns at once", []llmtest.Reply{{Status: 429, Header: map[string]string{"Retry-After": "120"}}, ok},
			429, 1, nil},
		{"5xx without Retry-After backs off then gives up", []llmtest.Reply{{Status: 502}}, 502, 3, nil},
		{"4xx is not retried", []llmtest.Reply{{Status: 400}}, 400, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tt.script...)
			var waits []time.Duration
			rt := &llm.RetryTransport{MaxRetries: 2, MaxRetryWait: 60 * time.Second, InitialInterval: time.Millisecond,
				OnRetry: func(_ int, wait time.Duration, _ error) { waits = append(waits, wait) }}
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, bytes.NewReader([]byte(`{"q":1}`)))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := (&http.Client{Transport: rt}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || srv.Count() != tt.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d (body %s)", resp.StatusCode, srv.Count(), tt.wantStatus, tt.wantCalls, body)
			}
			if tt.wantWaits != nil && (len(waits) != len(tt.wantWaits) || waits[0] != tt.wantWaits[0]) {
				t.Errorf("waits = %v, want %v", waits, tt.wantWaits)
			}
			for _, r := range srv.Requests() {
				if string(r.Body) != `{"q":1}` {
					t.Errorf("attempt sent body %q", r.Body)
				}
			}
		})
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2027, 4, 1, 12, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
	if d, ok := llm.RetryAfter(h, now); !ok || d != 90*time.Second {
		t.Errorf("HTTP-date Retry-After = %v, %v", d, ok)
	}
	h.Set("Retry-After", "soon")
	if _, ok := llm.RetryAfter(h, now); ok {
		t.Error("garbage Retry-After accepted")
	}
}
