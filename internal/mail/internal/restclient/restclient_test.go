package restclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"10", 10 * time.Second, true},
		{" 0 ", 0, true},
		{"Tue, 01 Apr 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Tue, 01 Apr 2025 11:00:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
		{"-5", 0, false},
	}
	for _, tt := range tests {
		got, ok := RetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDo(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch r.URL.Path {
		case "/throttled-once":
			if n == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(`{"ok":true}`))
		case "/throttled-long":
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}`))
		case "/forbidden":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":{"code":403,"message":"Request had insufficient authentication scopes.","status":"PERMISSION_DENIED"}}`))
		}
	}))
	t.Cleanup(srv.Close)
	c := &Client{HTTP: srv.Client(), Service: "Test API"}
	ctx := context.Background()

	var out struct{ OK bool }
	if err := c.JSON(ctx, http.MethodGet, srv.URL+"/throttled-once", nil, &out); err != nil || !out.OK {
		t.Errorf("JSON after a 429 = %v, %+v; want the retried answer", err, out)
	}
	tests := map[string]apperr.Code{
		"/throttled-long": apperr.Unavailable,
		"/missing":        apperr.NotFound,
		"/forbidden":      apperr.Forbidden,
	}
	for path, want := range tests {
		_, err := c.Raw(ctx, srv.URL+path+"?pageToken=secret")
		if !apperr.Is(err, want) {
			t.Errorf("Do(%s) = %v, want %s", path, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q shows the query string", err)
		}
	}
	srv.Close()
	if _, err := c.Raw(ctx, srv.URL+"/missing"); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("Do on a closed server = %v, want Unavailable", err)
	}
}
