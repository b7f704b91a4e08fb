package web_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/github/githubtest"
)

// putFixture saves a real value behind one PUT route and says where it is
// read back.
type putFixture struct {
	// setup stores a value and returns the PUT path and the GET paths that
	// show it.
	setup func(t *testing.T, e *env) (put string, reads []string)
	// emptyObjectAllowed says {} is a complete, harmless value of the route
	// (nothing it replaces is lost); otherwise {} must be refused too.
	emptyObjectAllowed bool
}

// putFixtures has one entry per PUT route of the API, by its OpenAPI path.
var putFixtures = map[string]putFixture{
	"/api/v1/secrets/{name}": {setup: func(t *testing.T, e *env) (string, []string) {
		wantStatus(t, e.do(http.MethodPut, "/api/v1/secrets/walk-token", e.key, map[string]any{"value": "s3cret"}), http.StatusOK)
		return "/api/v1/secrets/walk-token", []string{"/api/v1/secrets"}
	}},
	"/api/v1/llm": {setup: func(t *testing.T, e *env) (string, []string) {
		wantStatus(t, e.do(http.MethodPut, "/api/v1/llm", e.key, map[string]any{"primary": map[string]any{
			"provider": "openai_compatible", "model": "llama3", "base_url": "http://127.0.0.1:11434/v1", "api_key": "k-1"}}), http.StatusOK)
		return "/api/v1/llm", []string{"/api/v1/llm"}
	}},
	"/api/v1/jira": {setup: func(t *testing.T, e *env) (string, []string) {
		wantStatus(t, e.do(http.MethodPut, "/api/v1/jira", e.key, map[string]any{"flavor": "server",
			"base_url": "https://jira.example.com", "token": "pat-1"}), http.StatusOK)
		return "/api/v1/jira", []string{"/api/v1/jira", "/api/v1/tracker/connections"}
	}},
	"/api/v1/tracker/connection": {setup: func(t *testing.T, e *env) (string, []string) {
		gh := githubtest.New(t)
		wantStatus(t, e.do(http.MethodPut, "/api/v1/tracker/connection", e.key, map[string]any{"kind": "github",
			"base_url": gh.URL, "token": githubtest.Token}), http.StatusOK)
		return "/api/v1/tracker/connection", []string{"/api/v1/tracker/connection", "/api/v1/tracker/connections"}
	}},
	"/api/v1/tracker/connections/{id}": {setup: func(t *testing.T, e *env) (string, []string) {
		gh := githubtest.New(t)
		id := created(e, e.key, "/api/v1/tracker/connections", map[string]any{"name": "GitHub", "kind": "github",
			"base_url": gh.URL, "token": githubtest.Token})
		return "/api/v1/tracker/connections/" + id, []string{"/api/v1/tracker/connections/" + id}
	}},
	"/api/v1/tracker/connections/{id}/sync-settings": {setup: func(t *testing.T, e *env) (string, []string) {
		id := trackerConnectionWallFixture(e, e.key)
		put := "/api/v1/tracker/connections/" + id + "/sync-settings"
		wantStatus(t, e.do(http.MethodPut, put, e.key, map[string]any{"delete_policy": "update_wins", "close_with_ticket": true,
			"in_progress_labels": []string{"wip"}, "in_progress_when_assigned": true}), http.StatusOK)
		return put, []string{put}
	}},
	"/api/v1/ingest/vendors/{id}": {setup: func(t *testing.T, e *env) (string, []string) {
		id := created(e, e.key, "/api/v1/vendors", map[string]any{"name": "Acme Parts", "tier": "tier_2"})
		wantStatus(t, e.do(http.MethodPut, "/api/v1/ingest/vendors/"+id, e.key, map[string]any{"vendor_key": "acme-parts",
			"rate_per_second": 5}), http.StatusOK)
		return "/api/v1/ingest/vendors/" + id, []string{"/api/v1/ingest/vendors/" + id}
	}},
	"/api/v1/uom-aliases/{alias}": {setup: func(t *testing.T, e *env) (string, []string) {
		wantStatus(t, e.do(http.MethodPut, "/api/v1/uom-aliases/EACH", e.key, map[string]any{"code": "EA"}), http.StatusOK)
		return "/api/v1/uom-aliases/EACH", []string{"/api/v1/uom-aliases"}
	}},
	"/api/v1/price-tolerances": {setup: func(t *testing.T, e *env) (string, []string) {
		wantStatus(t, e.do(http.MethodPut, "/api/v1/price-tolerances", e.key, map[string]any{"percent": "5"}), http.StatusOK)
		return "/api/v1/price-tolerances", []string{"/api/v1/price-tolerances"}
	}},
	"/api/v1/contract-features": {setup: func(t *testing.T, e *env) (string, []string) {
		wantStatus(t, e.do(http.MethodPut, "/api/v1/contract-features", e.key, map[string]any{"writeback": true, "advanced_rules": false,
			"p21_company_id": "ACME"}), http.StatusOK)
		return "/api/v1/contract-features", []string{"/api/v1/contract-features"}
	}},
	"/api/v1/notifications/settings": {setup: func(t *testing.T, e *env) (string, []string) {
		wantStatus(t, e.do(http.MethodPut, "/api/v1/notifications/settings", e.key, map[string]any{
			"slack_enabled": true, "slack_token": "xoxb-1", "default_channel": "#changes",
			"pagerduty_enabled": true, "pagerduty_routing_key": "rk-1"}), http.StatusOK)
		return "/api/v1/notifications/settings", []string{"/api/v1/notifications/settings"}
	}},
}

// TestPutNeverWipes sends null, nothing, whitespace and {} to every PUT
// route over a stored value: each answers 422 and the value, its secrets
// and the audit log stay exactly as they were. A PUT route without a
// fixture still gets the null and empty checks (over a missing id).
func TestPutNeverWipes(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			var paths []string
			for path, item := range e.server.API().OpenAPI().Paths {
				if item.Put != nil {
					paths = append(paths, path)
				}
			}
			slices.Sort(paths)
			for _, path := range paths {
				t.Run(path, func(t *testing.T) {
					bodies := map[string]string{"null": "null", "nothing": "", "whitespace": " \n ", "null with spaces": " null "}
					f, ok := putFixtures[path]
					if !ok {
						t.Logf("no fixture: checking null and empty bodies only")
						for what, body := range bodies {
							if res := e.do(http.MethodPut, fill(path, missingID), e.key, body); res.Status != http.StatusUnprocessableEntity {
								t.Errorf("PUT %s with %s: status %d, want 422", path, what, res.Status)
							}
						}
						return
					}
					if !f.emptyObjectAllowed {
						bodies["an empty object"] = "{}"
					}
					put, reads := f.setup(t, e)
					reads = append(reads, "/api/v1/secrets", "/api/v1/audit?limit=5")
					before := map[string]string{}
					for _, r := range reads {
						res := e.do(http.MethodGet, r, e.key, nil)
						wantStatus(t, res, http.StatusOK)
						before[r] = string(res.Body)
					}
					for what, body := range bodies {
						res := e.do(http.MethodPut, put, e.key, body)
						if res.Status != http.StatusUnprocessableEntity {
							t.Errorf("PUT %s with %s: status %d, want 422; body %.300s", put, what, res.Status, res.Body)
						}
					}
					for _, r := range reads {
						if after := string(e.do(http.MethodGet, r, e.key, nil).Body); after != before[r] {
							t.Errorf("GET %s changed:\nbefore %.600s\nafter  %.600s", r, before[r], after)
						}
					}
				})
			}
		})
	}
}
