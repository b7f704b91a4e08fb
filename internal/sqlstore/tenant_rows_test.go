package sqlstore_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestIngestWritesFindRowsByID: the statements that write a batch of a
// tenant's events by id find them through the ids' unique index, on a
// young database whose tables have no statistics yet. Without them both
// engines' planners would rather walk every row of the tenant in an index
// led by tenant_id, checking each against the ids.
func TestIngestWritesFindRowsByID(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		as := &auth.Service{Store: db, Keys: db.Keys}
		b, err := as.CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		tenant := b.Admin.TenantID
		v, err := (&registry.Service{Store: db}).CreateVendor(ctx, b.Admin.Principal(), registry.Vendor{Name: "Vendor A", Tier: registry.Tier2})
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, 100)
		for i := range ids {
			ids[i] = fmt.Sprintf("%026d", 1000+i)
		}
		if db.Dialect == sqlstore.Postgres {
			seedEvents(t, db, tenant, v.ID, 5000)
		}
		for q, args := range sqlstore.TenantRowsQueries(db.Dialect, tenant, ids) {
			plan := explain(t, db, q, args)
			if db.Dialect == sqlstore.SQLite {
				if strings.Contains(plan, "tenant_id=?") || !strings.Contains(plan, "id=?") {
					t.Errorf("plan of %q:\n%s\nwant the rows found by id", q, plan)
				}
				continue
			}
			for _, m := range regexp.MustCompile(`(?:Index|Index Only) Scan (?:using|on) (\w+)`).FindAllStringSubmatch(plan, -1) {
				if !strings.HasSuffix(m[1], "_pkey") {
					t.Errorf("plan of %q:\n%s\nwant the rows found by id, not through %s", q, plan, m[1])
				}
			}
			if strings.Contains(q, "ingest_events") && !strings.Contains(plan, "ingest_events_pkey") {
				t.Errorf("plan of %q:\n%s\nwant the rows found by id", q, plan)
			}
		}
	})
}

// seedEvents writes n events of about 1 KiB (and their normalized events)
// of a vendor straight into PostgreSQL's tables, which are left without
// statistics.
func seedEvents(t *testing.T, db *sqlstore.DB, tenantID, vendorID string, n int) {
	t.Helper()
	for _, q := range []string{`INSERT INTO ingest_events (id, tenant_id, vendor_id, vendor_key, external_event_id, event_type,
			occurred_at, received_at, channel, payload_sha256, raw, raw_sha256, raw_key, status)
		SELECT lpad(g::text, 26, '0'), $1, $2, 'vendorA', 'e' || g, 'inventory_update', now(), now(), 'batch', '', convert_to(repeat('x', 1000), 'UTF8'), '',
			'raw/' || g, 'RECEIVED' FROM generate_series(1, $3) g`,
		`INSERT INTO ingest_normalized (ingest_id, tenant_id, vendor_id, event_type, schema_version, occurred_at, mapping_id,
			mapping_version, revision, body, sha256, normalized_at)
		SELECT lpad(g::text, 26, '0'), $1, $2, 'InventoryUpdated', '1.0', now(), 'm', 1, 1, convert_to(repeat('x', 1000), 'UTF8'), '', now()
		FROM generate_series(1, $3) g`} {
		if _, err := db.WritePool().ExecContext(context.Background(), q, tenantID, vendorID, n); err != nil {
			t.Fatal(err)
		}
	}
}

// explain returns the plan of q on db's engine.
func explain(t *testing.T, db *sqlstore.DB, q string, args []any) string {
	t.Helper()
	prefix := "EXPLAIN "
	if db.Dialect == sqlstore.SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.WritePool().QueryContext(context.Background(), prefix+q, args...)
	if err != nil {
		t.Fatalf("explain %q: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, fmt.Sprint(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}
