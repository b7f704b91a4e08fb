package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/web"
)

// TestSecurityHeadersEveryRoute calls every registered route (signed out
// and as an admin) and checks that each answer carries the browser-hardening
// headers, whatever its status.
func TestSecurityHeadersEveryRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	admin := e.signIn("admin")
	check := func(what string, h http.Header) {
		t.Helper()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, want)
			}
		}
		for name, want := range map[string]string{
			"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "strict-origin-when-cross-origin",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", what, name, got, want)
			}
		}
		if h.Get("Permissions-Policy") == "" {
			t.Errorf("%s: no Permissions-Policy", what)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain http", what)
		}
	}
	n := 0
	for _, rt := range e.server.Routes() {
		path := fill(rt.Path, missingID)
		check("anonymous "+rt.Method+" "+rt.Path, e.do(rt.Method, path, "", nil).Header)
		if rt.Method == http.MethodGet {
			check("admin GET "+rt.Path, admin.get(t, path).Header)
		}
		n++
	}
	check("unknown page", e.do("GET", "/no/such/page", "", nil).Header)
	check("unknown API path", e.do("GET", "/api/v1/no-such-thing", e.key, nil).Header)
	if n == 0 {
		t.Fatal("no routes registered")
	}
}

// TestHSTSOverHTTPS sends Strict-Transport-Security when VendorSync is
// reached over https (its base URL), and only then.
func TestHSTSOverHTTPS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	sessions := scs.New()
	sessions.Store = e.db.Sessions()
	d := deps(e, sessions)
	d.BaseURL = "https://vendorsync.example"
	srv, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
	if got := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Fatalf("Strict-Transport-Security = %q over https", got)
	}
}
