package score_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkSignalToBandNotification measures one signal submitted and its
// vendor rescored, the rescore crossing a band and enqueueing the
// notification (the budget: p95 ≤ 50 ms), on each engine, for a
// vendor with 200 signals already.
func BenchmarkSignalToBandNotification(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			f := newFixtureTB(b, db)
			ctx := context.Background()
			ref := score.VendorRef{ID: f.acme.ID}
			var seed []score.Submission
			for i := range 200 {
				seed = append(seed, f.sub(fmt.Sprintf("seed-%d", i), "defect_rate", 0.05, ref))
			}
			if _, err := f.svc.Submit(ctx, f.admin, "bench", seed); err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				n++
				v := 1.0 // alternate bad and good news
				if n%2 == 0 {
					v = 0
				}
				if _, err := f.svc.Submit(ctx, f.admin, "bench", []score.Submission{
					f.sub(fmt.Sprintf("b-%d", n), "security_incident_count", 5*v, ref),
				}); err != nil {
					b.Fatal(err)
				}
				if _, err := f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFullRescore rescores a portfolio (VENDORSYNC_BENCH_VENDORS
// vendors, default 100, with VENDORSYNC_BENCH_SIGNALS signals each, default
// 1000) on each engine.
func BenchmarkFullRescore(b *testing.B) {
	vendors, per := envInt("VENDORSYNC_BENCH_VENDORS", 100), envInt("VENDORSYNC_BENCH_SIGNALS", 1000)
	for _, d := range storetest.Dialects(b) {
		b.Run(fmt.Sprintf("%s/%dx%d", d, vendors, per), func(b *testing.B) {
			db := storetest.Open(b, d)
			f := newFixtureTB(b, db)
			ctx := context.Background()
			for v := range vendors {
				vd, err := f.reg.CreateVendor(ctx, f.admin, registry.Vendor{Name: fmt.Sprintf("Vendor %04d", v), Tier: registry.Tier2})
				if err != nil {
					b.Fatal(err)
				}
				batch := make([]score.Submission, 0, per)
				for i := range per {
					def := score.Catalog[i%len(score.Catalog)]
					s := f.sub(fmt.Sprintf("%d-%d", v, i), def.Code, def.Min, score.VendorRef{ID: vd.ID})
					s.ObservedAt = f.now.Add(-time.Duration(i%300) * 24 * time.Hour)
					batch = append(batch, s)
					if len(batch) == score.MaxBatch {
						if _, err := f.svc.Submit(ctx, f.admin, "bench", batch); err != nil {
							b.Fatal(err)
						}
						batch = batch[:0]
					}
				}
				if len(batch) > 0 {
					if _, err := f.svc.Submit(ctx, f.admin, "bench", batch); err != nil {
						b.Fatal(err)
					}
				}
			}
			// The first rescore also marks every signal scored; the daily
			// rescore after it is what the loop measures.
			start := time.Now()
			if _, err := f.svc.RescoreTenant(ctx, f.admin.TenantID); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(start).Seconds(), "first-rescore-s")
			for b.Loop() {
				n, err := f.svc.RescoreTenant(ctx, f.admin.TenantID)
				if err != nil || n != vendors {
					b.Fatalf("rescored %d: %v", n, err)
				}
			}
		})
	}
}
