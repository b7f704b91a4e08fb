package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// BenchmarkAuditVerify verifies a 20,000-row chain; ns/op divided by the
// rows is the cost per row (reported as ns/row).
func BenchmarkAuditVerify(b *testing.B) {
	const rows = 20000
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, d)
			bt, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
			if err != nil {
				b.Fatal(err)
			}
			for done := 1; done < rows; done += 1000 {
				err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
					for i := range 1000 {
						if err := tx.Audit(ctx, audit.Record(auth.System(bt.Tenant.ID), "vendor.update", "vendor", "v1",
							map[string]any{"name": fmt.Sprint("Vendor ", done+i)}, map[string]any{"name": fmt.Sprint("Vendor ", done+i+1)})); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := audit.Verify(ctx, db, bt.Tenant.ID, db.AuditKey)
				if err != nil || !res.OK {
					b.Fatalf("%+v %v", res, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows+1), "ns/row")
		})
	}
}
