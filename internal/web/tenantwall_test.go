package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/web"
)

// wallFixture creates one object in a tenant (through the API with that
// tenant's admin key) and returns the value its routes take as path parameter.
type wallFixture func(e *env, key string) string

// created posts body to a collection and returns the new object's id.
func created(e *env, key, path string, body any) string {
	e.t.Helper()
	res := e.do(http.MethodPost, path, key, body)
	if res.Status != http.StatusCreated && res.Status != http.StatusOK {
		e.t.Fatalf("fixture POST %s: %d %s", path, res.Status, res.Body)
	}
	var out struct {
		ID string `json:"id"`
	}
	res.JSON(e.t, &out)
	if out.ID == "" {
		e.t.Fatalf("fixture POST %s returned no id: %s", path, res.Body)
	}
	return out.ID
}

// wallFixtures has one entry per resource that routes address by a path
// parameter, keyed by the route's first path segment after /api/v1/ (or /
// for UI pages). A route whose resource is missing here fails the test.
var wallFixtures = map[string]wallFixture{
	"vendors": func(e *env, key string) string {
		return created(e, key, "/api/v1/vendors", map[string]any{"name": "Wall Vendor", "tier": "tier_2", "email_domains": []string{"wall.example"}})
	},
	"applications": func(e *env, key string) string {
		return created(e, key, "/api/v1/applications", map[string]any{"name": "Wall App", "description": "Behind the wall."})
	},
	"rules": func(e *env, key string) string {
		return created(e, key, "/api/v1/rules", map[string]any{"name": "Wall rule", "text": "Any change is high.", "severity": "high"})
	},
	"users": func(e *env, key string) string {
		return created(e, key, "/api/v1/users", map[string]any{"email": "walled@b.test", "role": "viewer"})
	},
	"teams": func(e *env, key string) string {
		return created(e, key, "/api/v1/teams", map[string]any{"name": "Wall Team"})
	},
	"apikeys": func(e *env, key string) string {
		return created(e, key, "/api/v1/apikeys", map[string]any{"name": "wall-key", "role": "viewer"})
	},
	"secrets": func(e *env, key string) string {
		res := e.do(http.MethodPut, "/api/v1/secrets/wall-secret", key, map[string]any{"value": "b-only-value"})
		if res.Status >= 300 {
			e.t.Fatalf("fixture secret: %d %s", res.Status, res.Body)
		}
		return "wall-secret"
	},
	"settings": func(e *env, key string) string { return "wall-secret" }, // /settings/secrets/{name}/…
	"tickets":  ticketWallFixture,
	"emails":   emailWallFixture,
	"jobs": func(e *env, key string) string {
		var tenantID string
		for _, t := range mustTenants(e) {
			if t.Slug == "wallb" {
				tenantID = t.ID
			}
		}
		a := boomArgs{Target: "wall"}
		a.TenantID = tenantID
		return fmt.Sprint(e.deadLetters(a)[0])
	},
	"mail-sources":            mailboxWallFixture,
	"settings/mailboxes":      mailboxWallFixture,
	"jira":                    jiraWallFixture, // /api/v1/jira/links/{id}/…
	"settings/jira":           jiraWallFixture, // /settings/jira/links/{id}/…
	"tracker/connections":     trackerConnectionWallFixture,
	"tracker/links":           jiraWallFixture,              // /api/v1/tracker/links/{id}/…
	"tracker-issues":          jiraWallFixture,              // /tracker-issues/{id}/…
	"settings/trackers":       trackerConnectionWallFixture, // /settings/trackers/{id}/webhooks…
	"notifications":           notificationWallFixture,
	"score-reports":           reportWallFixture,
	"contract-files":          contractFileWallFixture,
	"contracts/files":         contractFileWallFixture,
	"contracts":               contractWallFixture,
	"scores/reports":          reportWallFixture,
	"ingest/vendors":          func(e *env, key string) string { return ingestVendorFixture(e, key, "wall-vendor").VendorID },
	"ingest/events":           ingestEventWallFixture,
	"ingest/schemas":          ingestSchemaWallFixture,
	"ingest/mappings":         ingestMappingWallFixture,
	"ingest/subscriptions":    ingestSubscriptionWallFixture,
	"ingest/deliveries":       ingestDeliveryWallFixture,
	"ingest/replays":          ingestReplayWallFixture,
	"erp-connectors":          erpConnectorWallFixture,
	"erp-items":               erpItemWallFixture,
	"procurement/connectors":  erpConnectorWallFixture,
	"procurement/items":       erpItemWallFixture,
	"item-mappings":           mappingWallFixture,
	"reconciliation-runs":     runWallFixture,
	"exceptions":              exceptionWallFixture,
	"contracts/mapping":       mappingWallFixture,
	"contracts/exceptions":    exceptionWallFixture,
	"price-exports":           priceExportWallFixture,
	"contracts/price-exports": priceExportWallFixture,
	"price-tolerances": func(e *env, key string) string {
		vendor := created(e, key, "/api/v1/vendors", map[string]any{"name": "Wall Tolerance Vendor", "tier": "tier_3"})
		wantStatus(e.t, e.do(http.MethodPut, "/api/v1/price-tolerances", key, map[string]any{"vendor_id": vendor, "percent": "3"}), http.StatusOK)
		return vendor
	},
	"uom-aliases": func(e *env, key string) string {
		res := e.do(http.MethodPut, "/api/v1/uom-aliases/wallunit", key, map[string]any{"code": "WU"})
		wantStatus(e.t, res, http.StatusOK)
		return "wallunit"
	},
	"score-rules":  scoreRuleWallFixture,
	"scores/rules": scoreRuleWallFixture,
}

// wallExempt lists routes whose parameter is not an identifier of a stored
// object of another tenant, with the reason.
var wallExempt = map[string]string{
	"PUT /api/v1/secrets/{name}":      "names are tenant-local: the PUT stores a secret in the caller's own tenant (checked below)",
	"PUT /api/v1/uom-aliases/{alias}": "aliases are tenant-local: the PUT sets an alias of the caller's own tenant",
}

func mustTenants(e *env) []auth.Tenant {
	e.t.Helper()
	ts, err := e.db.ListTenants(e.t.Context())
	if err != nil {
		e.t.Fatal(err)
	}
	return ts
}

func resourceOf(path string) string {
	p := strings.TrimPrefix(strings.TrimPrefix(path, "/api/v1"), "/")
	parts := strings.SplitN(p, "/", 3)
	if len(parts) > 1 {
		if _, ok := wallFixtures[parts[0]+"/"+parts[1]]; ok {
			return parts[0] + "/" + parts[1] // a resource under a section, e.g. settings/mailboxes
		}
	}
	return parts[0]
}

// TestTenantWall walks every registered route that takes a path parameter
// with a second tenant's identifiers, as the first tenant's admin: every one
// must answer 404, exactly as for an id that does not exist, and the second
// tenant's objects must be unchanged afterwards. Lists must not show them.
func TestTenantWall(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			_, keyB := e.newTenant("wallb")
			ids := map[string]string{}
			for name, fx := range wallFixtures {
				ids[name] = fx(e, keyB)
			}
			admin := e.signInAs(e.admin.Email, e.password)
			walked := 0
			for _, rt := range e.server.Routes() {
				if rt.Kind == web.KindPublic {
					continue
				}
				route := rt.Method + " " + rt.Path
				if !pathParam.MatchString(strings.ReplaceAll(rt.Path, "{$}", "")) {
					continue
				}
				if _, ok := wallExempt[route]; ok {
					continue
				}
				id, ok := ids[resourceOf(rt.Path)]
				if !ok {
					t.Errorf("%s: no tenant-wall fixture for resource %q; add one to wallFixtures", route, resourceOf(rt.Path))
					continue
				}
				walked++
				path := fill(rt.Path, id)
				var res response
				switch {
				case rt.Kind == web.KindAPI:
					var body any
					if hasBody(rt.Method) {
						body = "{}"
					}
					res = e.do(rt.Method, path, e.key, body)
				case rt.Method == http.MethodGet:
					res = admin.get(t, path)
				default:
					res = admin.post(t, path, nil)
				}
				if res.Status != http.StatusNotFound {
					t.Errorf("%s with tenant B's id as tenant A: %d, want 404: %.300s", route, res.Status, res.Body)
				}
			}
			if walked == 0 {
				t.Fatal("no route walked")
			}
			t.Logf("%d routes walked with tenant B's ids", walked)
			// Tenant B's objects are untouched and still visible to B.
			for name, path := range map[string]string{
				"vendors": "/api/v1/vendors/", "applications": "/api/v1/applications/", "rules": "/api/v1/rules/",
				"users": "/api/v1/users/", "teams": "/api/v1/teams/", "apikeys": "/api/v1/apikeys/",
				"mail-sources": "/api/v1/mail-sources/", "erp-connectors": "/api/v1/erp-connectors/", "erp-items": "/api/v1/erp-items/",
			} {
				res := e.do(http.MethodGet, path+ids[name], keyB, nil)
				wantStatus(t, res, http.StatusOK)
				if strings.Contains(string(res.Body), `"is_active":false`) || strings.Contains(string(res.Body), `"revoked_at"`) {
					t.Errorf("tenant B's %s was changed through tenant A: %s", name, res.Body)
				}
			}
			res := e.do(http.MethodGet, "/api/v1/secrets", keyB, nil)
			if !strings.Contains(string(res.Body), "wall-secret") {
				t.Errorf("tenant B's secret is gone: %s", res.Body)
			}
			// Lists as tenant A never show tenant B's ids.
			for _, rt := range e.server.Routes() {
				if rt.Kind != web.KindAPI || rt.Method != http.MethodGet || pathParam.MatchString(rt.Path) {
					continue
				}
				body := string(e.do(http.MethodGet, rt.Path+"?limit=500", e.key, nil).Body)
				for name, id := range ids {
					if len(id) > 8 && strings.Contains(body, id) {
						t.Errorf("GET %s as tenant A shows tenant B's %s %s", rt.Path, name, id)
					}
				}
			}
		})
	}
}

// scoreRuleWallFixture saves a scoring rule version in a tenant.
func scoreRuleWallFixture(e *env, key string) string {
	return created(e, key, "/api/v1/score-rules", map[string]any{"definition": score.DefaultRule(), "note": "wall"})
}
