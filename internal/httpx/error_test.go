package httpx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
)

func TestKindForStatus(t *testing.T) {
	cases := map[int]httpx.Kind{
		200: "", 302: "", 400: httpx.BadRequest, 401: httpx.Auth, 403: httpx.Permission, 404: httpx.NotFound,
		410: httpx.NotFound, 408: httpx.Transient, 409: httpx.BadRequest, 422: httpx.BadRequest,
		429: httpx.RateLimited, 500: httpx.Transient, 502: httpx.Transient, 503: httpx.Transient, 504: httpx.Transient,
	}
	for status, want := range cases {
		if got := httpx.KindForStatus(status); got != want {
			t.Errorf("KindForStatus(%d) = %q, want %q", status, got, want)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		h    http.Header
		d    time.Duration
		ok   bool
	}{
		{"none", http.Header{}, 0, false},
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second, true},
		{"fraction", http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond, true},
		{"milliseconds win", http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"7"}}, 250 * time.Millisecond, true},
		{"bad milliseconds fall back", http.Header{"Retry-After-Ms": {"x"}, "Retry-After": {"2"}}, 2 * time.Second, true},
		{"date", http.Header{"Retry-After": {"Thu, 01 Jan 2026 12:00:30 GMT"}}, 30 * time.Second, true},
		{"negative", http.Header{"Retry-After": {"-3"}}, 0, false},
		{"nan", http.Header{"Retry-After": {"NaN"}}, 0, false},
	}
	for _, c := range cases {
		d, ok := httpx.RetryAfter(c.h, now)
		if d != c.d || ok != c.ok {
			t.Errorf("%s: RetryAfter = %v, %v; want %v, %v", c.name, d, ok, c.d, c.ok)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"12"}}}
	e := httpx.StatusError("jira", "create issue in PAY", resp, "", "slow down")
	if e.Kind != httpx.RateLimited || e.RetryAfter != 12*time.Second || !e.Temporary() {
		t.Fatalf("429 = %+v", e)
	}
	if httpx.RetryAfterOf(error(e)) != 12*time.Second || httpx.KindOf(e) != httpx.RateLimited {
		t.Fatalf("RetryAfterOf/KindOf through error = %v, %q", httpx.RetryAfterOf(e), httpx.KindOf(e))
	}
	wrapped := errors.Join(errors.New("context"), httpx.StatusError("slack", "post", &http.Response{StatusCode: 403, Header: http.Header{}}, "missing_scope", ""))
	if httpx.KindOf(wrapped) != httpx.Permission || httpx.IsTemporary(wrapped) {
		t.Fatalf("403 kind = %q temporary = %v", httpx.KindOf(wrapped), httpx.IsTemporary(wrapped))
	}
	if !apperr.Is(wrapped, apperr.Invalid) {
		t.Fatalf("a 403 from an upstream is a misconfiguration (Invalid), got %v", apperr.CodeOf(wrapped))
	}
	nf := httpx.StatusError("gitea", "get issue 7", &http.Response{StatusCode: 404, Header: http.Header{}}, "", "")
	if !apperr.Is(nf, apperr.NotFound) || apperr.MessageOf(nf) != "get issue 7: gitea did not find it" {
		t.Fatalf("404 = %v / %q", apperr.CodeOf(nf), apperr.MessageOf(nf))
	}
	slack := &httpx.Error{Upstream: "slack", Op: "chat.postMessage to #nowhere", Kind: httpx.NotFound, Code: "channel_not_found"}
	if got := slack.Explain(); got != "chat.postMessage to #nowhere: slack did not find it (channel_not_found)" {
		t.Errorf("Explain without a message = %q", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ce := httpx.CallError(ctx, "anthropic", "messages", errors.New("dial tcp: refused"))
	if ce.Kind != httpx.Transient || !errors.Is(ce, context.Canceled) {
		t.Fatalf("call error = %+v", ce)
	}
	if !httpx.IsTemporary(errors.New("unclassified")) || httpx.IsTemporary(nil) {
		t.Fatal("unclassified errors count as temporary, nil does not")
	}
}

func TestErrorMapsToAppErr(t *testing.T) {
	cases := []struct {
		kind httpx.Kind
		code apperr.Code
	}{
		{httpx.BadRequest, apperr.Invalid},
		{httpx.Auth, apperr.Invalid},
		{httpx.Permission, apperr.Invalid},
		{httpx.Permanent, apperr.Invalid},
		{httpx.NotFound, apperr.NotFound},
		{httpx.RateLimited, apperr.Unavailable},
		{httpx.Transient, apperr.Unavailable},
	}
	for _, tc := range cases {
		err := fmt.Errorf("job: %w", &httpx.Error{Upstream: "jira", Op: "create issue in PAY", Kind: tc.kind, Status: 400,
			Message: "Specify a valid issue type", Err: context.DeadlineExceeded})
		if got := apperr.CodeOf(err); got != tc.code {
			t.Errorf("%s: apperr code %s, want %s", tc.kind, got, tc.code)
		}
		if msg := apperr.MessageOf(err); !strings.Contains(msg, "create issue in PAY: jira") || !strings.Contains(msg, "Specify a valid issue type") {
			t.Errorf("%s: message %q", tc.kind, msg)
		}
		if !errors.Is(err, context.DeadlineExceeded) || httpx.KindOf(err) != tc.kind {
			t.Errorf("%s: chain lost (kind %q)", tc.kind, httpx.KindOf(err))
		}
	}
}
