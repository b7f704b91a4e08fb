package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestRegistryAPIBadInput sends every kind of bad body to every registry
// write endpoint: each answers 422 problem+json naming what is wrong, and
// nothing is stored.
func TestRegistryAPIBadInput(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			var visa registry.Vendor
			var app registry.Application
			var rule registry.Rule
			e.create("/api/v1/vendors", map[string]any{"name": "Visa", "tier": "tier_1"}, &visa)
			e.create("/api/v1/applications", map[string]any{"name": "Pay", "description": "Pays."}, &app)
			e.create("/api/v1/rules", map[string]any{"name": "R", "text": "T", "severity": "low"}, &rule)
			long := strings.Repeat("x", registry.MaxName+1)

			type badCase struct {
				name string
				body any
				want []string // problem locations; nil to check only the status
			}
			common := []badCase{
				{"truncated JSON", `{"name": `, []string{"body"}},
				{"not JSON", `name=Visa`, []string{"body"}},
				{"an array", `[{"name": "Visa"}]`, []string{"body"}},
				{"trailing data", `{"name": "A"} {"name": "B"}`, []string{"body"}},
				{"a mistyped name", `{"name": 42}`, []string{"body"}},
				{"an unknown field", `{"nmae": "Visa"}`, []string{"body"}},
				{"a too long name", map[string]any{"name": long}, nil},
			}
			endpoints := []struct {
				method, path string
				cases        []badCase
			}{
				{"POST", "/api/v1/vendors", []badCase{
					{"nothing", `{}`, []string{"body.name", "body.tier"}},
					{"a bad tier", map[string]any{"name": "A", "tier": "tier_9"}, []string{"body.tier"}},
					{"a bad domain", map[string]any{"name": "A", "tier": "tier_1", "email_domains": []string{"ops@visa.com"}}, []string{"body.email_domains"}},
					{"domains as a string", `{"name": "A", "tier": "tier_1", "email_domains": "visa.com"}`, []string{"body"}},
				}},
				{"PATCH", "/api/v1/vendors/" + visa.ID, []badCase{
					{"a null name", `{"name": null}`, []string{"body.name"}},
					{"a bad tier", `{"tier": "gold"}`, []string{"body.tier"}},
					{"a mistyped is_active", `{"is_active": "yes"}`, []string{"body"}},
				}},
				{"POST", "/api/v1/applications", []badCase{
					{"nothing", `{}`, []string{"body.description", "body.name"}},
					{"tracker without routing", map[string]any{"name": "A", "description": "D", "creates_tracker_issue": true},
						[]string{"body.tracker_issue_type", "body.tracker_project_key"}},
					{"an unknown vendor", map[string]any{"name": "A", "description": "D", "vendor_ids": []string{missingID}}, []string{"body.vendor_ids"}},
					{"an unknown team", map[string]any{"name": "A", "description": "D", "owner_team_id": missingID}, []string{"body.owner_team_id"}},
					{"a mistyped is_critical", `{"name": "A", "description": "D", "is_critical": "yes"}`, []string{"body"}},
				}},
				{"PATCH", "/api/v1/applications/" + app.ID, []badCase{
					{"an empty description", `{"description": "  "}`, []string{"body.description"}},
					{"vendor ids as objects", `{"vendor_ids": [{"id": "x"}]}`, []string{"body"}},
				}},
				{"POST", "/api/v1/rules", []badCase{
					{"nothing", `{}`, []string{"body.name", "body.severity", "body.text"}},
					{"a bad severity", map[string]any{"name": "A", "text": "T", "severity": "urgent"}, []string{"body.severity"}},
					{"an SLA of zero", map[string]any{"name": "A", "text": "T", "severity": "low", "sla_days": 0}, []string{"body.sla_days"}},
					{"an SLA too long", map[string]any{"name": "A", "text": "T", "severity": "low", "sla_days": 5000}, []string{"body.sla_days"}},
					{"a fractional SLA", `{"name": "A", "text": "T", "severity": "low", "sla_days": 1.5}`, []string{"body"}},
				}},
				{"PATCH", "/api/v1/rules/" + rule.ID, []badCase{
					{"a null severity", `{"severity": null}`, []string{"body.severity"}},
					{"an SLA as text", `{"sla_days": "two weeks"}`, []string{"body"}},
					{"an unknown vendor", map[string]any{"vendor_id": "nope"}, []string{"body.vendor_id"}},
				}},
			}
			for _, ep := range endpoints {
				for _, tc := range append(common, ep.cases...) {
					res := e.do(ep.method, ep.path, e.key, tc.body)
					if res.Status != http.StatusUnprocessableEntity {
						t.Errorf("%s %s with %s: status %d, want 422; body %s", ep.method, ep.path, tc.name, res.Status, res.Body)
						continue
					}
					wantProblem(t, res, http.StatusUnprocessableEntity)
					var p problemBody
					res.JSON(t, &p)
					if tc.want != nil && !cmp.Equal(tc.want, p.locations()) {
						t.Errorf("%s %s with %s: locations %v, want %v; body %s", ep.method, ep.path, tc.name, p.locations(), tc.want, res.Body)
					}
					for _, fe := range p.Errors {
						if fe.Message == "" {
							t.Errorf("%s %s with %s: error without a message: %s", ep.method, ep.path, tc.name, res.Body)
						}
					}
				}
			}
			for _, entity := range []string{"vendors", "applications", "rules"} {
				var pg page[map[string]any]
				e.do(http.MethodGet, "/api/v1/"+entity+"?include_inactive=true", e.key, nil).JSON(t, &pg)
				if len(pg.Items) != 1 {
					t.Errorf("%s after bad input: %d stored, want 1", entity, len(pg.Items))
				}
			}
			for _, q := range []string{"/api/v1/vendors?tier=gold", "/api/v1/rules?severity=urgent", "/api/v1/vendors?limit=0",
				"/api/v1/applications?cursor=not-a-cursor", "/api/v1/rules?q=" + long} {
				wantProblem(t, e.do(http.MethodGet, q, e.key, nil), http.StatusUnprocessableEntity)
			}
		})
	}
}

// TestRegistryAPIMessages checks that type errors name the field and the
// expected type, so that an API user can fix the request.
func TestRegistryAPIMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	for body, want := range map[string]string{
		`{"name": 42, "tier": "tier_1"}`:                         "name must be a string",
		`{"name": "A", "tier": "tier_1", "aliases": "x"}`:        "aliases must be an array",
		`{"name": "A", "tier": "tier_1", "surprise": true}`:      "unknown field",
		`{"name": "A", "tier": "tier_1", "email_domains": [1]}`:  "email_domains",
		`{"name": "A", "tier": "tier_1", "email_domains": null}`: "",
	} {
		res := e.do(http.MethodPost, "/api/v1/vendors", e.key, body)
		if want == "" {
			wantStatus(t, res, http.StatusCreated)
			continue
		}
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), want) {
			t.Errorf("POST %s: %d %s; want 422 mentioning %q", body, res.Status, res.Body, want)
		}
	}
	var v registry.Vendor
	e.create("/api/v1/vendors", map[string]any{"name": "B", "tier": "tier_2"}, &v)
	res := e.do(http.MethodPatch, "/api/v1/vendors/"+v.ID, e.key, `{"tier": 3}`)
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "tier must be a string") {
		t.Errorf("PATCH mistyped tier: %d %s", res.Status, res.Body)
	}
}
