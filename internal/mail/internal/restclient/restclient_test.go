package restclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

func noAuth(rt http.RoundTripper) http.RoundTripper { return rt }

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
	c := New("test", "Test API", srv.Client(), httpx.Telemetry{}, noAuth)
	ctx := context.Background()

	var out struct{ OK bool }
	if err := c.JSON(ctx, http.MethodGet, srv.URL+"/throttled-once", nil, &out); err != nil || !out.OK {
		t.Errorf("JSON after a 429 = %v, %+v; want the retried answer", err, out)
	}
	tests := map[string]struct {
		kind          httpx.Kind
		code, message string
	}{
		"/throttled-long": {httpx.RateLimited, "", ""},
		"/missing":        {httpx.NotFound, "ErrorItemNotFound", "The specified object was not found in the store."},
		"/forbidden":      {httpx.Permission, "PERMISSION_DENIED", "Request had insufficient authentication scopes."},
	}
	for path, want := range tests {
		_, err := c.Raw(ctx, srv.URL+path+"?pageToken=secret")
		var e *httpx.Error
		if !errors.As(err, &e) || e.Kind != want.kind || e.Code != want.code || e.Message != want.message {
			t.Errorf("Do(%s) = %v, want %s [%s] %q", path, err, want.kind, want.code, want.message)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q shows the query string", err)
		}
	}
	srv.Close()
	if _, err := c.Raw(ctx, srv.URL+"/missing?pageToken=secret"); httpx.KindOf(err) != httpx.Transient || strings.Contains(err.Error(), "secret") {
		t.Errorf("Do on a closed server = %v, want transient without the query", err)
	}
}

func TestTokenEndpointRefusal(t *testing.T) {
	status := http.StatusBadRequest
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(`{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`))
	}))
	t.Cleanup(tokens.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the API was called without a token")
	}))
	t.Cleanup(api.Close)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, TokenClient(tokens.Client(), httpx.Telemetry{}))
	cfg := &oauth2.Config{ClientID: "c", ClientSecret: "s", Endpoint: oauth2.Endpoint{TokenURL: tokens.URL, AuthStyle: oauth2.AuthStyleInParams}}
	ts := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: "revoked"})
	c := New("test", "Test API", api.Client(), httpx.Telemetry{}, func(base http.RoundTripper) http.RoundTripper {
		return &oauth2.Transport{Source: ts, Base: base}
	})
	err := c.JSON(context.Background(), http.MethodGet, api.URL+"/profile", nil, nil)
	var e *httpx.Error
	if !errors.As(err, &e) || e.Kind != httpx.Auth || e.Code != "invalid_grant" || e.Status != http.StatusBadRequest {
		t.Fatalf("revoked refresh token: %v, want auth [invalid_grant]", err)
	}

	status = http.StatusServiceUnavailable
	ts = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: "fine"})
	c = New("test", "Test API", api.Client(), httpx.Telemetry{}, func(base http.RoundTripper) http.RoundTripper {
		return &oauth2.Transport{Source: ts, Base: base}
	})
	err = c.JSON(context.Background(), http.MethodGet, api.URL+"/profile", nil, nil)
	if httpx.KindOf(err) != httpx.Transient {
		t.Errorf("token endpoint down: %v, want transient", err)
	}
}
