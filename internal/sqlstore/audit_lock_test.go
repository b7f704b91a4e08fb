package sqlstore_test

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestAuditHeadLockedOnlyAtCommit: a transaction that recorded audit rows
// leaves its tenant's chain head free until it commits, so the tenant's
// other transactions do not queue behind the rest of its work. The rows
// are still appended, in order, before it commits. On PostgreSQL the head
// is tried with NOWAIT from another connection meanwhile; SQLite has one
// writer, so only the rows are checked there.
func TestAuditHeadLockedOnlyAtCommit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		tenant := b.Tenant.ID
		before, _, err := db.AuditHead(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		rec := func(n int) audit.Event {
			return audit.Record(auth.System(tenant), "vendor.update", "vendor", "v1", nil, map[string]any{"n": n})
		}
		err = db.InTx(ctx, func(tx *sqlstore.Tx) error {
			if err := tx.Audit(ctx, rec(1)); err != nil {
				return err
			}
			if db.Dialect == sqlstore.Postgres {
				other, err := db.WritePool().BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				defer other.Rollback()
				var seq int64
				if err := other.QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE tenant_id = $1 FOR UPDATE NOWAIT`, tenant).Scan(&seq); err != nil {
					t.Errorf("the head is locked before the commit: %v", err)
				}
			}
			return tx.AuditAll(ctx, []audit.Event{rec(2), rec(3)})
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := audit.Verify(ctx, db, tenant, db.AuditKey)
		if err != nil || !res.OK || res.Checked != before+3 {
			t.Fatalf("verify = %+v, %v; want %d rows", res, err, before+3)
		}
		page, _, err := db.ListAudit(ctx, tenant, audit.Filter{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range page {
			if want := `{"n":` + string(rune('3'-i)) + `}`; e.After != want {
				t.Errorf("row %d after = %s, want %s (in the order recorded)", e.Seq, e.After, want)
			}
		}
	})
}
