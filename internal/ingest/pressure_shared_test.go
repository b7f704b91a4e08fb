package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// batchOf is a batch body of n envelopes of vendorA.
func batchOf(prefix string, n int) []byte {
	var items []string
	for i := range n {
		items = append(items, string(envelope("vendorA", fmt.Sprintf("%s-%03d", prefix, i), fmt.Sprintf(`{"sku":"S-%d","qty":%d}`, i, i))))
	}
	return []byte(`{"events":[` + strings.Join(items, ",") + `]}`)
}

// A web process whose accepts queue for the database records the burst
// for the workers (a process doing both records nothing); a worker apart
// from it waits for a recorded burst as a process doing both waits for
// its own, and a process doing both ignores what others recorded.
func TestBurstsAreToldToWorkersApart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// More events than wait for a commit in a steady stream: a burst.
		if _, err := f.svc.AcceptBatch(ctx, f.vendor, batchOf("own", 40)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond) // a tell, were there one, is written in the background
		if until, err := db.AcceptPressure(ctx); err != nil || !until.IsZero() {
			t.Fatalf("a process doing both recorded a burst until %v (%v)", until, err)
		}

		web := &ingest.Service{Store: db, Auth: f.auth, Blobs: f.blobs, Pressure: ingest.PressureTell}
		before := time.Now()
		if _, err := web.AcceptBatch(ctx, f.vendor, batchOf("web", 40)); err != nil {
			t.Fatal(err)
		}
		var until time.Time
		for i := 0; i < 500 && until.IsZero(); i++ {
			time.Sleep(10 * time.Millisecond)
			var err error
			if until, err = db.AcceptPressure(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if !until.After(before) {
			t.Fatalf("a web process's burst was recorded until %v, want after %v", until, before)
		}

		// A burst that goes on: the worker waits its limit, then runs.
		if err := db.SetAcceptPressure(ctx, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		own := obs.NewMetrics()
		both := &ingest.Service{Store: db, Blobs: f.blobs, AcceptsFirst: 100 * time.Millisecond, Metrics: &own.Ingest}
		if n, err := both.Normalize(ctx, f.vendor.TenantID); err != nil || n != 80 {
			t.Fatalf("normalized %d (%v), want 80", n, err)
		}
		if got := testutil.CollectAndCount(own.Ingest.Paused); got != 0 {
			t.Errorf("a process doing both waited for another's burst (%d series)", got)
		}

		if _, err := f.svc.AcceptBatch(ctx, f.vendor, batchOf("more", 5)); err != nil {
			t.Fatal(err)
		}
		m := obs.NewMetrics()
		worker := &ingest.Service{Store: db, Blobs: f.blobs, AcceptsFirst: 100 * time.Millisecond, Metrics: &m.Ingest,
			Pressure: ingest.PressureHeed}
		if n, err := worker.Normalize(ctx, f.vendor.TenantID); err != nil || n != 5 {
			t.Fatalf("normalized %d (%v), want 5", n, err)
		}
		if got := testutil.ToFloat64(m.Ingest.Paused.WithLabelValues("normalize")); got <= 0 {
			t.Errorf("a worker apart did not wait for a web process's burst: paused %v s", got)
		}

		// The burst is over: the worker does not wait. (The latest time
		// recorded stands, so the test sets it back itself.)
		if _, err := db.WritePool().Exec(`UPDATE ingest_accept_pressure SET until_ms = 0`); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AcceptBatch(ctx, f.vendor, batchOf("after", 5)); err != nil {
			t.Fatal(err)
		}
		m = obs.NewMetrics()
		worker = &ingest.Service{Store: db, Blobs: f.blobs, AcceptsFirst: 100 * time.Millisecond, Metrics: &m.Ingest,
			Pressure: ingest.PressureHeed}
		if n, err := worker.Normalize(ctx, f.vendor.TenantID); err != nil || n != 5 {
			t.Fatalf("normalized %d (%v), want 5", n, err)
		}
		if got := testutil.CollectAndCount(m.Ingest.Paused); got != 0 {
			t.Errorf("a worker waited after the recorded burst ended (%d series)", got)
		}
	})
}
