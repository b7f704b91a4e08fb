package sqlstore_test

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// auditRows is the length of the chain BenchmarkAuditVerify verifies; a
// million rows: go test -run - -bench AuditVerify -benchtime 1x
// ./internal/sqlstore -args -audit-rows=1000000.
var auditRows = flag.Int("audit-rows", 20000, "rows in the audit chain BenchmarkAuditVerify verifies")

// BenchmarkAuditVerify verifies a chain of -audit-rows rows; ns/op divided
// by the rows is the cost per row (reported as ns/row), and the heap in use
// after the walk shows that memory does not grow with the chain.
func BenchmarkAuditVerify(b *testing.B) {
	rows := *auditRows
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, d)
			bt, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
			if err != nil {
				b.Fatal(err)
			}
			for done := 1; done < rows; done += 5000 {
				evs := make([]audit.Event, 0, 5000)
				for i := range min(5000, rows-done) {
					evs = append(evs, audit.Record(auth.System(bt.Tenant.ID), "vendor.update", "vendor", "v1",
						map[string]any{"name": fmt.Sprint("Vendor ", done+i)}, map[string]any{"name": fmt.Sprint("Vendor ", done+i+1)}))
				}
				if err := db.InTx(ctx, func(tx *sqlstore.Tx) error { return tx.AuditAll(ctx, evs) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			cpu0 := processCPU()
			b.ResetTimer()
			for b.Loop() {
				res, err := audit.Verify(ctx, db, bt.Tenant.ID, db.AuditKey)
				if err != nil || !res.OK || res.Checked != int64(rows) {
					b.Fatalf("%+v %v", res, err)
				}
			}
			// CPU seconds of this process per verification: on a shared machine
			// the wall time says more about the neighbours than the walk
			// (PostgreSQL's own work is not counted here).
			b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N)*1e6/float64(rows), "s/1M-rows")
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
		})
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0 // no figure rather than a wrong one
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
