package erp_test

import (
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/erp/p21/p21test"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// BenchmarkP21Sync is a first (full) sync of 100,000 items — with two
// units, a supplier part and a price each, 500,000 rows — from the fake
// P21 answering each page of 1,000 rows 20 ms late, into a fresh store on
// each engine.
//
//	go test -run '^$' -bench P21Sync -benchtime 1x ./internal/erp/
func BenchmarkP21Sync(b *testing.B) {
	const items = 100_000
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				f := newFixture(b, storetest.Open(b, d))
				f.p21.Catalog(items, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
				f.p21.SetPageDelay(20 * time.Millisecond)
				c := f.connector(b, p21test.Password)
				b.StartTimer()
				if err := f.svc.Sync(b.Context(), f.admin.TenantID, c.ID, true); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				got, err := f.svc.Get(b.Context(), f.admin, c.ID)
				if err != nil || got.Items != items || got.Sync.PricesRead != items {
					b.Fatalf("synced %+v, %v", got, err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(items)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
