package contract_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// benchCatalog stores n ERP items ("I-0000001"…) with a unit and a price
// each, one in ten priced a cent below what the vendor file asks.
func benchCatalog(b *testing.B, db *sqlstore.DB, admin auth.Principal, n int, at time.Time) {
	b.Helper()
	ctx := context.Background()
	tenantID := admin.TenantID
	conn, err := (&erp.Service{Store: db, Providers: erp.NewRegistry(erp.CSVFactory())}).Create(ctx, admin,
		erp.Input{Name: "Bench catalog", Provider: erp.CSVCatalog})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 2000
	for start := 0; start < n; start += batch {
		var items []erp.Item
		var uoms []erp.UOM
		var prices []erp.Price
		for i := start; i < min(start+batch, n); i++ {
			ext := fmt.Sprint(i)
			items = append(items, erp.Item{ExternalID: ext, ItemNumber: fmt.Sprintf("I-%07d", i), Description: "Bench item", BaseUOM: "EA", Active: true})
			uoms = append(uoms, erp.UOM{ItemExternalID: ext, UOM: "EA", Factor: decimal.NewFromInt(1)})
			p := decimal.New(int64(i%5000)*100+25, -2)
			if i%10 == 0 {
				p = p.Sub(decimal.New(1, -2))
			}
			prices = append(prices, erp.Price{ItemExternalID: ext, Key: ext, UOM: "EA", Price: p})
		}
		if err := db.UpsertERPItems(ctx, tenantID, conn.ID, items, at); err != nil {
			b.Fatal(err)
		}
		if err := db.UpsertERPUOMs(ctx, tenantID, conn.ID, uoms); err != nil {
			b.Fatal(err)
		}
		if err := db.UpsertERPPrices(ctx, tenantID, conn.ID, prices); err != nil {
			b.Fatal(err)
		}
	}
}

// benchMappings maps vendor item P-i (EA) to ERP item I-i for every item,
// written directly: the approval path with its audit rows is not what is
// measured.
func benchMappings(b *testing.B, db *sqlstore.DB, tenantID string, at time.Time) {
	b.Helper()
	ctx := context.Background()
	items, err := db.MatchCatalog(ctx, tenantID)
	if err != nil {
		b.Fatal(err)
	}
	const rows = 500
	err = db.InTx(ctx, func(tx *sqlstore.Tx) error {
		for start := 0; start < len(items); start += rows {
			var q strings.Builder
			q.WriteString(`INSERT INTO item_mappings (id, tenant_id, vendor_id, vendor_item_number, vendor_uom, erp_item_id, erp_uom,
				confidence, method, approved_by, approved_at) VALUES `)
			var args []any
			for i, it := range items[start:min(start+rows, len(items))] {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(")
				for c := range 11 {
					if c > 0 {
						q.WriteString(", ")
					}
					if db.Dialect == sqlstore.Postgres {
						fmt.Fprintf(&q, "$%d", len(args)+c+1)
					} else {
						q.WriteString("?")
					}
				}
				q.WriteString(")")
				args = append(args, ident.New(), tenantID, "", "P-"+strings.TrimPrefix(it.Number, "I-"), "EA", it.ID, "EA", 1.0, "bulk", "bench", at)
			}
			if _, err := tx.SQL().ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReconcile100k reconciles a contract of 100,000 lines against
// 100,000 mapped ERP items on each engine: every op is one run (queue,
// read, rules, 10,000 price exceptions opened on the first run and
// touched again on later ones).
func BenchmarkReconcile100k(b *testing.B) {
	const n = 100_000
	var csv strings.Builder
	csv.WriteString("Part #,Description,U/M,Net Price,Eff. Date,Expires\n")
	for i := range n {
		fmt.Fprintf(&csv, "P-%07d,Bench item,EA,%d.%02d,2026-01-01,2027-12-31\n", i, i%5000, 25)
	}
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			f := newFixture(b, db)
			at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			benchCatalog(b, db, f.admin, n, at)
			file := f.importFile(b, "bench.csv", []byte(csv.String()), contract.Confirmation{})
			if file.LinesImported != n {
				b.Fatalf("imported %+v", file)
			}
			benchMappings(b, db, f.admin.TenantID, at)
			svc := &contract.ReconciliationService{Store: db, Now: func() time.Time { return at }}
			ctx := context.Background()
			var last contract.Run
			b.ResetTimer()
			for b.Loop() {
				r, err := svc.Start(ctx, f.admin, file.ContractID)
				if err != nil {
					b.Fatal(err)
				}
				if err := svc.Run(ctx, f.admin.TenantID, r.ID); err != nil {
					b.Fatal(err)
				}
				if last, err = svc.GetRun(ctx, f.admin, r.ID); err != nil {
					b.Fatal(err)
				}
			}
			if last.Status != contract.RunCompleted || last.RuleCounts[contract.RulePriceMismatch] != n/10 || last.LinesDone != n {
				b.Fatalf("last run %+v", last)
			}
		})
	}
}
