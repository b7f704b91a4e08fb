package oidc

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

func TestNewChecksConfig(t *testing.T) {
	for _, cfg := range []Config{
		{ClientID: "c", RedirectURL: "http://x/cb"},
		{Issuer: "https://idp.test", RedirectURL: "http://x/cb"},
		{Issuer: "https://idp.test", ClientID: "c"},
		{Issuer: "idp.test", ClientID: "c", RedirectURL: "http://x/cb"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a bad configuration", cfg)
		}
	}
	c, err := New(Config{Issuer: "https://idp.test/", ClientID: "c", RedirectURL: "http://x/cb"})
	if err != nil || c.Issuer() != "https://idp.test" {
		t.Errorf("New = %v, %v", c, err)
	}
}

func TestUnreachableProviderIsUnavailable(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	c, err := New(Config{Issuer: down.URL, ClientID: "c", RedirectURL: "http://x/cb"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Begin(context.Background()); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("Begin err = %v, want unavailable", err)
	}
}

func TestParseEmailVerified(t *testing.T) {
	for raw, want := range map[string]bool{`true`: true, `false`: false, `"true"`: true, `"false"`: false} {
		got, err := parseBool(json.RawMessage(raw))
		if err != nil || got != want {
			t.Errorf("parseBool(%s) = %v, %v; want %v", raw, got, err, want)
		}
	}
	for _, raw := range []string{`"yes"`, `1`, `{}`} {
		if _, err := parseBool(json.RawMessage(raw)); err == nil {
			t.Errorf("parseBool(%s) accepted", raw)
		}
	}
}
