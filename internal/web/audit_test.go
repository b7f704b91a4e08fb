package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// record appends an audit row for tenant, as a store write would.
func (e *env) record(actor auth.Principal, action, entityType, entityID string, before, after any, flags ...string) {
	e.t.Helper()
	ctx := context.Background()
	err := e.db.InTx(ctx, func(tx *sqlstore.Tx) error {
		return tx.Audit(ctx, audit.Record(actor, action, entityType, entityID, before, after, flags...))
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

type auditJSON struct {
	Seq   int64 `json:"seq"`
	Actor struct {
		Kind  string `json:"kind"`
		Label string `json:"label"`
	} `json:"actor"`
	Action     string         `json:"action"`
	EntityType string         `json:"entity_type"`
	EntityID   string         `json:"entity_id"`
	Changes    []audit.Change `json:"changes"`
	Flags      []string       `json:"flags"`
	Hash       string         `json:"hash"`
}

type auditPageJSON struct {
	Items      []auditJSON `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			globex, globexKey := e.newTenant("globex")
			alice := auth.Principal{Kind: auth.KindUser, TenantID: e.tenant.ID, UserID: "u-alice", Label: "alice@acme.test", Role: auth.RoleAdmin}
			e.record(alice, "vendor.create", "vendor", "v1", nil, map[string]any{"name": "Acme Cloud", "tier": 2})
			e.record(alice, "vendor.update", "vendor", "v1", map[string]any{"name": "Acme Cloud", "tier": 2},
				map[string]any{"name": "Acme Cloud Inc", "tier": 2}, "manual_override")
			e.record(auth.System(e.tenant.ID), "rule.update", "rule", "r1", map[string]any{"sla_hours": 24}, map[string]any{"sla_hours": 8})
			e.record(auth.System(globex.ID), "vendor.update", "vendor", "gv", map[string]any{"name": "Secret"}, map[string]any{"name": "Globex Secret"})
			list := func(key, query string) auditPageJSON {
				t.Helper()
				r := e.do("GET", "/api/v1/audit"+query, key, nil)
				wantStatus(t, r, http.StatusOK)
				var p auditPageJSON
				r.JSON(t, &p)
				return p
			}

			t.Run("lists the tenant's rows newest first with their changes", func(t *testing.T) {
				p := list(e.key, "?entity_type=vendor")
				if len(p.Items) != 2 || p.Items[0].Action != "vendor.update" || p.Items[1].Action != "vendor.create" {
					t.Fatalf("rows = %+v", p.Items)
				}
				up := p.Items[0]
				if len(up.Changes) != 1 || up.Changes[0] != (audit.Change{Field: "name", Before: "Acme Cloud", After: "Acme Cloud Inc"}) {
					t.Errorf("changes = %+v", up.Changes)
				}
				if len(up.Flags) != 1 || up.Flags[0] != "manual_override" || up.Actor.Label != "alice@acme.test" || up.Hash == "" {
					t.Errorf("row = %+v", up)
				}
				for _, it := range list(e.key, "?limit=500").Items {
					if it.EntityID == "gv" {
						t.Fatal("another tenant's row is listed")
					}
				}
				if p := list(globexKey, "?entity_id=v1"); len(p.Items) != 0 {
					t.Fatalf("globex sees acme's rows: %+v", p.Items)
				}
			})

			t.Run("filters by actor, action, entity and time", func(t *testing.T) {
				if p := list(e.key, "?actor=alice@acme.test"); len(p.Items) != 2 {
					t.Errorf("by actor: %d rows", len(p.Items))
				}
				if p := list(e.key, "?action=rule.update"); len(p.Items) != 1 || p.Items[0].Actor.Kind != "system" {
					t.Errorf("by action: %+v", p.Items)
				}
				if p := list(e.key, "?entity_type=vendor&entity_id=v1&action=vendor.create"); len(p.Items) != 1 {
					t.Errorf("by entity: %d rows", len(p.Items))
				}
				future := url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
				if p := list(e.key, "?from="+future); len(p.Items) != 0 {
					t.Errorf("from the future: %d rows", len(p.Items))
				}
				if p := list(e.key, "?to="+future+"&entity_type=vendor"); len(p.Items) != 2 {
					t.Errorf("until the future: %d rows", len(p.Items))
				}
				today := time.Now().UTC().Format(time.DateOnly)
				if p := list(e.key, "?from="+today+"&to="+today+"&entity_type=vendor"); len(p.Items) != 2 {
					t.Errorf("today by date: %d rows", len(p.Items))
				}
				wantProblem(t, e.do("GET", "/api/v1/audit?from=yesterday", e.key, nil), http.StatusUnprocessableEntity)
			})

			t.Run("pages with a cursor", func(t *testing.T) {
				all := list(e.key, "?limit=500").Items
				var seen []int64
				query := "?limit=2"
				for range 10 {
					p := list(e.key, query)
					for _, it := range p.Items {
						seen = append(seen, it.Seq)
					}
					if p.NextCursor == "" {
						break
					}
					query = "?limit=2&cursor=" + p.NextCursor
				}
				if len(seen) != len(all) {
					t.Fatalf("paged %d rows, listed %d", len(seen), len(all))
				}
				for i := 1; i < len(seen); i++ {
					if seen[i] >= seen[i-1] {
						t.Fatalf("not newest first: %v", seen)
					}
				}
			})

			t.Run("verify reports the tenant's chain", func(t *testing.T) {
				r := e.do("GET", "/api/v1/audit/verify", e.key, nil)
				wantStatus(t, r, http.StatusOK)
				var v struct {
					OK      bool  `json:"ok"`
					Checked int64 `json:"checked"`
				}
				r.JSON(t, &v)
				if !v.OK || v.Checked != int64(len(list(e.key, "?limit=500").Items)) {
					t.Fatalf("verify = %+v", v)
				}
				wantProblem(t, e.do("GET", "/api/v1/audit/verify", e.newKey(e.tenant, auth.RoleViewer), nil), http.StatusForbidden)
			})

			t.Run("UI shows rows, diffs and filters to every role", func(t *testing.T) {
				viewer := e.signIn(auth.RoleViewer)
				r := viewer.get(t, "/audit?entity_type=vendor")
				body := string(r.Body)
				if r.Status != http.StatusOK {
					t.Fatalf("GET /audit = %d:\n%s", r.Status, body)
				}
				for _, want := range []string{"vendor.update", "alice@acme.test", "<del>Acme Cloud</del>", "<ins>Acme Cloud Inc</ins>", "manual_override", `name="entity_type" value="vendor"`} {
					if !strings.Contains(body, want) {
						t.Errorf("page lacks %q", want)
					}
				}
				if strings.Contains(body, "rule.update") || strings.Contains(body, "Globex Secret") {
					t.Error("page shows rows outside the filter or the tenant")
				}
				r = viewer.get(t, "/audit?from=not-a-date")
				if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "RFC 3339") {
					t.Fatalf("bad date = %d:\n%s", r.Status, r.Body)
				}
			})
		})
	}
}
