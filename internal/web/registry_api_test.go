package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// problemBody is an RFC 9457 answer as huma writes it.
type problemBody struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

// locations lists where a problem says the input was wrong, sorted.
func (p problemBody) locations() []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Location)
	}
	slices.Sort(out)
	return out
}

// page is a list answer.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// create posts body to path and decodes the 201 answer into out.
func (e *env) create(path string, body, out any) {
	e.t.Helper()
	res := e.do(http.MethodPost, path, e.key, body)
	wantStatus(e.t, res, http.StatusCreated)
	res.JSON(e.t, out)
}

// team creates a team in tenant t through the store.
func (e *env) team(t auth.Tenant, name string) auth.Team {
	e.t.Helper()
	tm := auth.Team{ID: ident.New(), TenantID: t.ID, Name: name, IsActive: true}
	sys := auth.System(t.ID)
	if err := e.db.CreateTeam(context.Background(), tm, audit.Record(sys, "team.create", "team", tm.ID, nil, tm)); err != nil {
		e.t.Fatal(err)
	}
	return tm
}

func TestVendorAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			var visa registry.Vendor
			res := e.do(http.MethodPost, "/api/v1/vendors", e.key, map[string]any{"name": "Visa", "tier": "tier_1",
				"email_domains": []string{"VISA.com"}, "aliases": []string{"VisaNet"}, "website": "developer.visa.com"})
			wantStatus(t, res, http.StatusCreated)
			res.JSON(t, &visa)
			if loc := res.Header.Get("Location"); loc != "/api/v1/vendors/"+visa.ID {
				t.Errorf("Location = %q", loc)
			}
			want := registry.Vendor{ID: visa.ID, Name: "Visa", Tier: registry.Tier1, EmailDomains: []string{"visa.com"},
				Aliases: []string{"VisaNet"}, Website: "https://developer.visa.com", IsActive: true, CreatedAt: visa.CreatedAt, UpdatedAt: visa.UpdatedAt}
			if diff := cmp.Diff(want, visa); diff != "" {
				t.Fatalf("created (-want +got):\n%s", diff)
			}
			var got registry.Vendor
			e.do(http.MethodGet, "/api/v1/vendors/"+visa.ID, e.key, nil).JSON(t, &got)
			if diff := cmp.Diff(visa, got); diff != "" {
				t.Fatalf("GET (-created +got):\n%s", diff)
			}

			// PATCH is a merge patch: absent keeps, null clears.
			res = e.do(http.MethodPatch, "/api/v1/vendors/"+visa.ID, e.key, `{"tier": "tier_2", "website": null}`)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &got)
			if got.Tier != registry.Tier2 || got.Website != "" || got.Name != "Visa" || !cmp.Equal(got.Aliases, []string{"VisaNet"}) {
				t.Errorf("patched = %+v", got)
			}

			for _, name := range []string{"Amex", "Discover"} {
				e.create("/api/v1/vendors", map[string]any{"name": name, "tier": "tier_3"}, &registry.Vendor{})
			}
			var names []string
			cursor := ""
			for pages := 0; ; pages++ {
				var pg page[registry.Vendor]
				e.do(http.MethodGet, "/api/v1/vendors?limit=2&cursor="+cursor, e.key, nil).JSON(t, &pg)
				for _, v := range pg.Items {
					names = append(names, v.Name)
				}
				if cursor = pg.NextCursor; cursor == "" || pages > 3 {
					break
				}
			}
			if diff := cmp.Diff([]string{"Amex", "Discover", "Visa"}, names); diff != "" {
				t.Errorf("paged names (-want +got):\n%s", diff)
			}
			var pg page[registry.Vendor]
			e.do(http.MethodGet, "/api/v1/vendors?q=visanet&tier=tier_2", e.key, nil).JSON(t, &pg)
			if len(pg.Items) != 1 || pg.Items[0].ID != visa.ID {
				t.Errorf("search = %+v", pg.Items)
			}

			wantStatus(t, e.do(http.MethodDelete, "/api/v1/vendors/"+visa.ID, e.key, nil), http.StatusNoContent)
			e.do(http.MethodGet, "/api/v1/vendors/"+visa.ID, e.key, nil).JSON(t, &got)
			if got.IsActive {
				t.Error("still active after DELETE")
			}
			e.do(http.MethodGet, "/api/v1/vendors", e.key, nil).JSON(t, &pg)
			if len(pg.Items) != 2 {
				t.Errorf("active list after DELETE = %+v", pg.Items)
			}
			e.do(http.MethodGet, "/api/v1/vendors?include_inactive=true", e.key, nil).JSON(t, &pg)
			if len(pg.Items) != 3 {
				t.Errorf("list with inactive = %+v", pg.Items)
			}
			res = e.do(http.MethodPatch, "/api/v1/vendors/"+visa.ID, e.key, map[string]any{"is_active": true})
			wantStatus(t, res, http.StatusOK)
			if res.JSON(t, &got); !got.IsActive {
				t.Error("PATCH is_active=true did not reactivate")
			}
			res = e.do(http.MethodPost, "/api/v1/vendors", e.key, map[string]any{"name": "visa", "tier": "tier_1"})
			wantProblem(t, res, http.StatusConflict)
			// The $schema link of an answer may be sent back.
			res = e.do(http.MethodPatch, "/api/v1/vendors/"+visa.ID, e.key, `{"$schema": "http://x.test/api/schemas/Vendor.json", "notes": "n"}`)
			wantStatus(t, res, http.StatusOK)
		})
	}
}

func TestApplicationAndRuleAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			payments := e.team(e.tenant, "Payments")
			var visa, mc registry.Vendor
			e.create("/api/v1/vendors", map[string]any{"name": "Visa", "tier": "tier_1"}, &visa)
			e.create("/api/v1/vendors", map[string]any{"name": "Mastercard", "tier": "tier_1"}, &mc)

			var app registry.Application
			e.create("/api/v1/applications", map[string]any{"name": "PaymentService", "description": "Calls the Visa authorization v2 endpoint.",
				"owner_team_id": payments.ID, "is_critical": true, "vendor_ids": []string{visa.ID, mc.ID},
				"creates_tracker_issue": true, "tracker_project_key": "PAY", "tracker_issue_type": "Task", "tracker_labels": []string{"vendor-change"}}, &app)
			if !app.IsCritical || app.OwnerTeamID != payments.ID || len(app.VendorIDs) != 2 || app.TrackerProjectKey != "PAY" {
				t.Fatalf("created = %+v", app)
			}
			var got registry.Application
			res := e.do(http.MethodPatch, "/api/v1/applications/"+app.ID, e.key, map[string]any{"vendor_ids": []string{mc.ID}, "owner_team_id": nil})
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &got)
			if !cmp.Equal(got.VendorIDs, []string{mc.ID}) || got.OwnerTeamID != "" || got.Description != app.Description {
				t.Errorf("patched = %+v", got)
			}
			var apps page[registry.Application]
			e.do(http.MethodGet, "/api/v1/applications?vendor_id="+visa.ID, e.key, nil).JSON(t, &apps)
			if len(apps.Items) != 0 {
				t.Errorf("apps of Visa after unlinking = %+v", apps.Items)
			}
			e.do(http.MethodGet, "/api/v1/applications?vendor_id="+mc.ID, e.key, nil).JSON(t, &apps)
			if len(apps.Items) != 1 || !cmp.Equal(apps.Items[0].VendorIDs, []string{mc.ID}) {
				t.Errorf("apps of Mastercard = %+v", apps.Items)
			}
			wantStatus(t, e.do(http.MethodDelete, "/api/v1/applications/"+app.ID, e.key, nil), http.StatusNoContent)

			var rule registry.Rule
			e.create("/api/v1/rules", map[string]any{"name": "Card authorization", "text": "Any Visa change to authorization endpoints is critical.",
				"vendor_id": visa.ID, "severity": "critical", "sla_days": 14, "owner_team_id": payments.ID, "alert_channel": "#payments-changes"}, &rule)
			if rule.SLADays == nil || *rule.SLADays != 14 || rule.VendorID != visa.ID {
				t.Fatalf("created rule = %+v", rule)
			}
			var gotRule registry.Rule
			res = e.do(http.MethodPatch, "/api/v1/rules/"+rule.ID, e.key, `{"sla_days": null, "severity": "high"}`)
			wantStatus(t, res, http.StatusOK)
			if res.JSON(t, &gotRule); gotRule.SLADays != nil || gotRule.Severity != registry.SeverityHigh || gotRule.Text != rule.Text {
				t.Errorf("patched rule = %+v", gotRule)
			}
			if strings.Contains(string(res.Body), "sla_days") {
				t.Errorf("a cleared SLA is still in the answer: %s", res.Body)
			}
			var rules page[registry.Rule]
			e.do(http.MethodGet, "/api/v1/rules?severity=high&vendor_id="+visa.ID, e.key, nil).JSON(t, &rules)
			if len(rules.Items) != 1 {
				t.Errorf("rules filtered = %+v", rules.Items)
			}
			wantStatus(t, e.do(http.MethodDelete, "/api/v1/rules/"+rule.ID, e.key, nil), http.StatusNoContent)
			e.do(http.MethodGet, "/api/v1/rules", e.key, nil).JSON(t, &rules)
			if len(rules.Items) != 0 {
				t.Errorf("active rules after DELETE = %+v", rules.Items)
			}
		})
	}
}

func TestRegistryAPITenantWall(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			var visa registry.Vendor
			var app registry.Application
			var rule registry.Rule
			e.create("/api/v1/vendors", map[string]any{"name": "Visa", "tier": "tier_1"}, &visa)
			e.create("/api/v1/applications", map[string]any{"name": "Pay", "description": "Pays.", "vendor_ids": []string{visa.ID}}, &app)
			e.create("/api/v1/rules", map[string]any{"name": "R", "text": "T", "severity": "low"}, &rule)
			_, keyB := e.newTenant("globex")
			for _, path := range []string{"/api/v1/vendors/" + visa.ID, "/api/v1/applications/" + app.ID, "/api/v1/rules/" + rule.ID,
				"/api/v1/vendors/not-a-uuid", "/api/v1/rules/" + missingID} {
				wantProblem(t, e.do(http.MethodGet, path, keyB, nil), http.StatusNotFound)
				wantProblem(t, e.do(http.MethodPatch, path, keyB, `{"name": "Hijacked"}`), http.StatusNotFound)
				wantProblem(t, e.do(http.MethodDelete, path, keyB, nil), http.StatusNotFound)
			}
			var got registry.Vendor
			if e.do(http.MethodGet, "/api/v1/vendors/"+visa.ID, e.key, nil).JSON(t, &got); got.Name != "Visa" || !got.IsActive {
				t.Errorf("tenant A's vendor changed: %+v", got)
			}
			var pg page[registry.Vendor]
			if e.do(http.MethodGet, "/api/v1/vendors?include_inactive=true", keyB, nil).JSON(t, &pg); len(pg.Items) != 0 {
				t.Errorf("tenant B lists %+v", pg.Items)
			}
			res := e.do(http.MethodPost, "/api/v1/applications", keyB, map[string]any{"name": "X", "description": "X", "vendor_ids": []string{visa.ID}})
			wantProblem(t, res, http.StatusUnprocessableEntity)
			var p problemBody
			if res.JSON(t, &p); !cmp.Equal(p.locations(), []string{"body.vendor_ids"}) {
				t.Errorf("cross-tenant link: %s", res.Body)
			}
			res = e.do(http.MethodPost, "/api/v1/rules", keyB, map[string]any{"name": "X", "text": "X", "severity": "low", "vendor_id": visa.ID})
			wantProblem(t, res, http.StatusUnprocessableEntity)
		})
	}
}

func TestRegistryAPIPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	var visa registry.Vendor
	e.create("/api/v1/vendors", map[string]any{"name": "Visa", "tier": "tier_1"}, &visa)
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleOwner} {
		key := e.newKey(e.tenant, role)
		for _, entity := range []string{"vendors", "applications", "rules"} {
			wantStatus(t, e.do(http.MethodGet, "/api/v1/"+entity, key, nil), http.StatusOK)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/"+entity, key, `{"name": "X"}`), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodPatch, "/api/v1/"+entity+"/"+visa.ID, key, `{"name": "X"}`), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodDelete, "/api/v1/"+entity+"/"+visa.ID, key, nil), http.StatusForbidden)
		}
		wantStatus(t, e.do(http.MethodGet, "/api/v1/vendors/"+visa.ID, key, nil), http.StatusOK)
	}
	cm := e.newKey(e.tenant, auth.RoleChangeManager)
	res := e.do(http.MethodPost, "/api/v1/rules", cm, map[string]any{"name": "R", "text": "T", "severity": "low"})
	wantStatus(t, res, http.StatusCreated)
	if got := e.do(http.MethodGet, "/api/v1/vendors/"+visa.ID, e.key, nil); !strings.Contains(string(got.Body), `"is_active":true`) {
		t.Errorf("a refused DELETE changed the vendor: %s", got.Body)
	}
}
