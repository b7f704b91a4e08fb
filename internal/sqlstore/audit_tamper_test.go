package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/secret"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// chain is a store holding one tenant with a ten-row audit chain, plus a raw
// connection to the same database that can bypass the append-only triggers.
type chain struct {
	db     *sqlstore.DB
	raw    *sql.DB
	tenant string
}

const chainRows = 10

func newChain(t *testing.T, d sqlstore.Dialect) chain {
	t.Helper()
	ctx := context.Background()
	url := storetest.URL(t, d)
	db, err := sqlstore.Open(ctx, url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Keys = secret.NewForTest()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := &auth.Service{Store: db, Keys: db.Keys}
	b, err := svc.CreateTenant(ctx, "acme", "Acme", "admin@acme.test") // row 1
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= chainRows; i++ {
		err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
			return tx.Audit(ctx, audit.Record(auth.System(b.Tenant.ID), "vendor.update", "vendor", "v1",
				map[string]any{"name": fmt.Sprint("Vendor ", i-1)}, map[string]any{"name": fmt.Sprint("Vendor ", i)}))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	driver, dsn := "pgx", url
	if d == sqlstore.SQLite {
		driver, dsn = "sqlite", strings.TrimPrefix(url, "sqlite:")
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	return chain{db: db, raw: raw, tenant: b.Tenant.ID}
}

// exec runs statements on the raw connection (PostgreSQL placeholders).
func (c chain) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := c.raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// disableTriggers removes the append-only guard, as an attacker with
// database access would.
func (c chain) disableTriggers(t *testing.T) {
	t.Helper()
	if c.db.Dialect == sqlstore.SQLite {
		c.exec(t, "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete",
			"DROP TRIGGER audit_head_forward", "DROP TRIGGER audit_head_no_delete")
		return
	}
	c.exec(t, "ALTER TABLE audit_log DISABLE TRIGGER USER", "ALTER TABLE audit_head DISABLE TRIGGER USER")
}

func (c chain) verify(t *testing.T) audit.Result {
	t.Helper()
	res, err := audit.Verify(context.Background(), c.db, c.tenant, c.db.AuditKey)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAuditTamperDetection(t *testing.T) {
	cases := []struct {
		name       string
		tamper     []string
		wantBroken int64
	}{
		{"edit a field", []string{`UPDATE audit_log SET after_json = '{"name":"Evil Corp"}' WHERE seq = 5`}, 5},
		{"edit the actor", []string{`UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 3`}, 3},
		{"delete a middle row", []string{`DELETE FROM audit_log WHERE seq = 5`}, 5},
		{"reorder two rows", []string{
			`UPDATE audit_log SET seq = -4 WHERE seq = 4`,
			`UPDATE audit_log SET seq = 4 WHERE seq = 6`,
			`UPDATE audit_log SET seq = 6 WHERE seq = -4`,
		}, 4},
		{"truncate the tail", []string{`DELETE FROM audit_log WHERE seq > 7`}, 8},
		{"truncate the tail and rewind the head count", []string{
			`DELETE FROM audit_log WHERE seq > 7`,
			`UPDATE audit_head SET seq = 7`,
		}, 8},
	}
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					c := newChain(t, d)
					if res := c.verify(t); !res.OK || res.Checked != chainRows {
						t.Fatalf("untouched chain: %+v", res)
					}
					c.disableTriggers(t)
					c.exec(t, tc.tamper...)
					res := c.verify(t)
					if res.OK || res.BrokenSeq != tc.wantBroken {
						t.Fatalf("after tampering: %+v, want broken at %d", res, tc.wantBroken)
					}
					if res.Reason == "" {
						t.Error("no reason given")
					}
				})
			}
		})
	}
}

func TestAuditLogRefusesChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := &auth.Service{Store: db, Keys: db.Keys}
		if _, err := svc.CreateTenant(ctx, "acme", "Acme", "admin@acme.test"); err != nil {
			t.Fatal(err)
		}
		stmts := []string{
			`UPDATE audit_log SET action = 'x'`,
			`DELETE FROM audit_log WHERE seq = 1`,
			`DELETE FROM audit_log`,
			// The head only moves forward.
			`UPDATE audit_head SET seq = seq - 1`,
			`UPDATE audit_head SET seq = 0, hash = ''`,
			`DELETE FROM audit_head`,
		}
		if db.Dialect == sqlstore.Postgres {
			stmts = append(stmts, `TRUNCATE audit_log`, `TRUNCATE audit_head`)
		}
		for _, stmt := range stmts {
			err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
				_, err := tx.SQL().ExecContext(ctx, stmt)
				return sqlstore.Translate(err, "audit log")
			})
			if !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s: err = %v, want forbidden", stmt, err)
			}
		}
		var tenantID string
		tenants, err := db.ListTenants(ctx)
		if err != nil || len(tenants) != 1 {
			t.Fatalf("tenants = %v, %v", tenants, err)
		}
		tenantID = tenants[0].ID
		res, err := audit.Verify(ctx, db, tenantID, db.AuditKey)
		if err != nil || !res.OK || res.Checked != 1 {
			t.Fatalf("verify after refused changes = %+v, %v", res, err)
		}
	})
}

// TestAuditCheckpoints: rows removed together with the head that counts
// them, or a tenant's chain wiped whole, pass the chain's own checks; the
// signed checkpoints written to the blob store before catch them, and a
// checkpoint not signed with our key is reported as forged.
func TestAuditCheckpoints(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			setup := func(t *testing.T) (chain, *blob.Store) {
				c := newChain(t, d)
				vault, err := blob.Open(ctx, "", t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { vault.Close() })
				sign := func() (string, []byte) { return c.db.Keys.MACKey("audit") }
				wrote, err := audit.WriteCheckpoint(ctx, c.db, vault, c.tenant, sign, time.Now())
				if err != nil || !wrote {
					t.Fatalf("write checkpoint: %v, %v", wrote, err)
				}
				if again, err := audit.WriteCheckpoint(ctx, c.db, vault, c.tenant, sign, time.Now()); err != nil || again {
					t.Fatalf("a second checkpoint of the same head: %v, %v", again, err)
				}
				return c, vault
			}
			verify := func(t *testing.T, c chain, vault *blob.Store) (audit.Result, []string) {
				cps, forged, err := audit.Checkpoints(ctx, vault, c.tenant, c.db.AuditKey)
				if err != nil {
					t.Fatal(err)
				}
				res, err := audit.VerifyAgainst(ctx, c.db, c.tenant, c.db.AuditKey, cps)
				if err != nil {
					t.Fatal(err)
				}
				return res, forged
			}
			t.Run("untouched", func(t *testing.T) {
				c, vault := setup(t)
				if res, forged := verify(t, c, vault); !res.OK || len(forged) != 0 {
					t.Fatalf("%+v, forged %q", res, forged)
				}
			})
			t.Run("tail dropped and the head pointed at the new last row", func(t *testing.T) {
				c, vault := setup(t)
				c.disableTriggers(t)
				c.exec(t, `DELETE FROM audit_log WHERE seq > 7`,
					`UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM audit_log WHERE seq = 7)`)
				if res, err := audit.Verify(ctx, c.db, c.tenant, c.db.AuditKey); err != nil || !res.OK {
					t.Fatalf("the chain's own checks: %+v, %v (this tampering is meant to pass them)", res, err)
				}
				res, _ := verify(t, c, vault)
				if res.OK || res.BrokenSeq != 8 || !strings.Contains(res.Reason, "rows were removed") {
					t.Fatalf("against the checkpoint: %+v", res)
				}
			})
			t.Run("the chain wiped with its head", func(t *testing.T) {
				c, vault := setup(t)
				c.disableTriggers(t)
				c.exec(t, `DELETE FROM audit_log`, `DELETE FROM audit_head`)
				res, _ := verify(t, c, vault)
				if res.OK || res.BrokenSeq != 1 {
					t.Fatalf("against the checkpoint: %+v", res)
				}
			})
			t.Run("a forged checkpoint", func(t *testing.T) {
				c, vault := setup(t)
				body := fmt.Sprintf(`{"tenant_id":%q,"rows":99,"hash":"x","at":"2026-01-01T00:00:00Z","key_id":"k","mac":"00"}`, c.tenant)
				if _, err := vault.Put(ctx, "audit/checkpoints/"+c.tenant+"/00000000000000000099.json", strings.NewReader(body)); err != nil {
					t.Fatal(err)
				}
				res, forged := verify(t, c, vault)
				if !res.OK || len(forged) != 1 {
					t.Fatalf("forged checkpoint: %+v, forged %q", res, forged)
				}
			})
		})
	}
}

// TestAuditVerifyLongChain: a chain long enough to be walked in several
// ranges at once still reports the first broken row, whether it lies
// inside a range or on the boundary between two.
func TestAuditVerifyLongChain(t *testing.T) {
	const rows = 12000
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			c := newChain(t, d)
			ctx := context.Background()
			for done := chainRows; done < rows; done += 1000 {
				// Half the batches append row by row, half in one AuditAll.
				err := c.db.InTx(ctx, func(tx *sqlstore.Tx) error {
					var evs []audit.Event
					for i := range min(1000, rows-done) {
						evs = append(evs, audit.Record(auth.System(c.tenant), "vendor.update", "vendor", "v1",
							nil, map[string]any{"n": done + i}))
					}
					if done/1000%2 == 1 {
						return tx.AuditAll(ctx, evs)
					}
					for _, ev := range evs {
						if err := tx.Audit(ctx, ev); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if res := c.verify(t); !res.OK || res.Checked != rows {
				t.Fatalf("untouched long chain: %+v", res)
			}
			c.disableTriggers(t)
			c.exec(t, `UPDATE audit_log SET after_json = '{"n":-1}' WHERE seq = 9000`)
			if res := c.verify(t); res.OK || res.BrokenSeq != 9000 {
				t.Fatalf("edit in the second range: %+v", res)
			}
			c.exec(t, `DELETE FROM audit_log WHERE seq = 6001`) // the first row of the second range
			if res := c.verify(t); res.OK || res.BrokenSeq != 6001 {
				t.Fatalf("row missing at the range boundary: %+v", res)
			}
			c.exec(t, `UPDATE audit_log SET actor_label = 'x' WHERE seq = 2`)
			if res := c.verify(t); res.OK || res.BrokenSeq != 2 {
				t.Fatalf("the first broken row is reported: %+v", res)
			}
		})
	}
}

func TestAuditAllKeepsEachTenantsChain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := &auth.Service{Store: db, Keys: db.Keys}
		var tenants []string
		for _, slug := range []string{"acme", "globex"} {
			b, err := svc.CreateTenant(ctx, slug, slug, "admin@"+slug+".test")
			if err != nil {
				t.Fatal(err)
			}
			tenants = append(tenants, b.Tenant.ID)
		}
		heads := map[string]int64{}
		for _, id := range tenants {
			seq, _, err := db.AuditHead(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			heads[id] = seq
		}
		// Interleaved runs of both tenants, and a batch larger than one INSERT.
		order := []int{0, 1, 1, 0, 0, 0, 1}
		for range 1200 {
			order = append(order, 0)
		}
		var evs []audit.Event
		for i, who := range order {
			evs = append(evs, audit.Record(auth.System(tenants[who]), "vendor.update", "vendor", "v1", nil, map[string]any{"n": i}))
		}
		if err := db.InTx(ctx, func(tx *sqlstore.Tx) error { return tx.AuditAll(ctx, evs) }); err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{tenants[0]: heads[tenants[0]] + 1204, tenants[1]: heads[tenants[1]] + 3}
		for _, id := range tenants {
			res, err := audit.Verify(ctx, db, id, db.AuditKey)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK || res.Checked != want[id] {
				t.Errorf("tenant %s: %+v, want %d rows verified", id, res, want[id])
			}
		}
		page, _, err := db.ListAudit(ctx, tenants[1], audit.Filter{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range page {
			got = append(got, string(e.After))
		}
		if diff := cmp.Diff([]string{`{"n":6}`, `{"n":2}`, `{"n":1}`}, got); diff != "" {
			t.Errorf("globex's newest rows (-want +got):\n%s", diff)
		}
	})
}

// TestAuditVerifyPacksTextAsTheHashDoes: verification reads the text fields
// packed by the database, which must count bytes, not characters, and keep
// empty fields, flags and colons as the hash took them.
func TestAuditVerifyPacksTextAsTheHashDoes(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			c := newChain(t, d)
			ctx := context.Background()
			err := c.db.InTx(ctx, func(tx *sqlstore.Tx) error {
				return tx.AuditAll(ctx, []audit.Event{
					audit.Record(auth.System(c.tenant), "vendor.update", "vendor", "v-Zürich",
						map[string]any{"name": "Zürich 東京 🚚"}, map[string]any{"note": "a:b 12:x"}, "override", "breaking"),
					audit.Record(auth.System(c.tenant), "vendor.delete", "vendor", "", map[string]any{"name": "ü"}, nil),
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if res := c.verify(t); !res.OK || res.Checked != chainRows+2 {
				t.Fatalf("chain with multibyte text: %+v", res)
			}
			c.disableTriggers(t)
			// Same number of characters, one byte fewer.
			c.exec(t, `UPDATE audit_log SET entity_id = 'v-Zurich' WHERE seq = 11`)
			if res := c.verify(t); res.OK || res.BrokenSeq != 11 {
				t.Fatalf("after an edit of multibyte text: %+v", res)
			}
		})
	}
}
