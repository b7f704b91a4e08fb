package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestAPIKeyLifecycleOverHTTP(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			create := func(body map[string]any) (auth.APIKey, string) {
				t.Helper()
				r := e.do("POST", "/api/v1/apikeys", e.key, body)
				wantStatus(t, r, http.StatusCreated)
				noCredentials(t, r)
				var k struct {
					auth.APIKey
					Key string `json:"key"`
				}
				r.JSON(t, &k)
				if !strings.HasPrefix(k.Key, "vsk_"+k.Prefix+"_") {
					t.Fatalf("key %q does not carry prefix %q", k.Key, k.Prefix)
				}
				return k.APIKey, k.Key
			}
			k, full := create(map[string]any{"name": "ci", "role": "viewer"})

			t.Run("a new key works and is never shown again", func(t *testing.T) {
				wantStatus(t, e.do("GET", "/api/v1/me", full, nil), http.StatusOK)
				for _, path := range []string{"/api/v1/apikeys", "/api/v1/apikeys/" + k.ID} {
					r := e.do("GET", path, e.key, nil)
					wantStatus(t, r, http.StatusOK)
					noCredentials(t, r)
					if strings.Contains(string(r.Body), full) || strings.Contains(string(r.Body), `"key"`) {
						t.Errorf("%s shows the key: %s", path, r.Body)
					}
				}
			})

			t.Run("its role is enforced", func(t *testing.T) {
				wantProblem(t, e.do("GET", "/api/v1/users", full, nil), http.StatusForbidden)
				wantProblem(t, e.do("POST", "/api/v1/teams", full, map[string]any{"name": "T"}), http.StatusForbidden)
				wantStatus(t, e.do("GET", "/api/v1/teams", full, nil), http.StatusOK)
			})

			t.Run("the right prefix with a wrong secret is refused", func(t *testing.T) {
				wrong := "vsk_" + k.Prefix + "_" + strings.Repeat("a", 32)
				wantProblem(t, e.do("GET", "/api/v1/me", wrong, nil), http.StatusUnauthorized)
			})

			t.Run("a key of tenant B never sees tenant A", func(t *testing.T) {
				_, keyB := e.newTenant("beta")
				wantProblem(t, e.do("GET", "/api/v1/apikeys/"+k.ID, keyB, nil), http.StatusNotFound)
				wantProblem(t, e.do("DELETE", "/api/v1/apikeys/"+k.ID, keyB, nil), http.StatusNotFound)
				var page struct{ Items []auth.APIKey }
				e.do("GET", "/api/v1/apikeys", keyB, nil).JSON(t, &page)
				for _, got := range page.Items {
					if got.ID == k.ID || got.Name == "ci" {
						t.Errorf("tenant B lists tenant A's key %+v", got)
					}
				}
				wantStatus(t, e.do("GET", "/api/v1/me", full, nil), http.StatusOK) // still fine in A
			})

			t.Run("a revoked key stops working", func(t *testing.T) {
				wantStatus(t, e.do("DELETE", "/api/v1/apikeys/"+k.ID, e.key, nil), http.StatusNoContent)
				wantProblem(t, e.do("GET", "/api/v1/me", full, nil), http.StatusUnauthorized)
				wantStatus(t, e.do("DELETE", "/api/v1/apikeys/"+k.ID, e.key, nil), http.StatusNoContent)
				var got auth.APIKey
				e.do("GET", "/api/v1/apikeys/"+k.ID, e.key, nil).JSON(t, &got)
				if got.RevokedAt == nil {
					t.Errorf("revoked_at not set: %+v", got)
				}
			})

			t.Run("an expired key is refused", func(t *testing.T) {
				_, soon := create(map[string]any{"name": "short", "role": "viewer", "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
				wantStatus(t, e.do("GET", "/api/v1/me", soon, nil), http.StatusOK)
				// An hour passes.
				later := time.Now().UTC().Add(time.Hour + time.Minute)
				e.auth.Now = func() time.Time { return later }
				defer func() { e.auth.Now = nil }()
				wantProblem(t, e.do("GET", "/api/v1/me", soon, nil), http.StatusUnauthorized)
			})

			t.Run("bad input is 422", func(t *testing.T) {
				past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
				for _, body := range []map[string]any{{"name": "", "role": "viewer"}, {"name": "x", "role": "root"},
					{"name": "x", "role": "viewer", "expires_at": past}, {"name": "x", "role": "viewer", "expires_at": "tomorrow"}} {
					wantProblem(t, e.do("POST", "/api/v1/apikeys", e.key, body), http.StatusUnprocessableEntity)
				}
				wantProblem(t, e.do("GET", "/api/v1/apikeys/nope", e.key, nil), http.StatusNotFound)
			})
		})
	}
}
