package link_test

import (
	"context"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
)

// BenchmarkPollReconcile reconciles 10,000 changed issues of one GitHub
// repository and of one Jira Cloud project, read in pages of 100 with
// 20 ms per request at the fake, on each engine: every page is listed,
// each issue looked up among the links (one is linked), and the cursor
// committed after each page (GitHub) or after the last (Jira). It reports
// issues/s; it asserts nothing on time.
func BenchmarkPollReconcile(b *testing.B) {
	const changed = 10000
	for _, k := range []tracker.Kind{github.Kind, jira.KindCloud} {
		for _, d := range storetest.Dialects(b) {
			b.Run(string(k)+"/"+string(d), func(b *testing.B) {
				ctx := context.Background()
				f := newKindFixture(b, storetest.Open(b, d), k)
				f.svc.Hooks = f.db
				a := f.app(b, "PaymentService", true)
				tk := f.ticket(b, a)
				f.attempt(b, tk, a)
				r := f.remote.(pollRemote)
				r.seed(b, changed-1)
				f.remote.setLatency(20 * time.Millisecond)
				c, err := f.svc.Connection(ctx, f.admin)
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				var elapsed time.Duration
				// Each run's changes a second apart, after the last run's.
				base := time.Now().Add(-changed*time.Second - time.Hour)
				for i := range b.N {
					// Every issue changed again since the last run.
					b.StopTimer()
					r.layOut(b, base.Add(time.Duration(i*changed)*time.Second))
					b.StartTimer()
					t0 := time.Now()
					res, err := f.svc.Poll(ctx, f.tenant, c.ID)
					elapsed += time.Since(t0)
					if err != nil || res.Issues != changed || res.Pages != changed/100 {
						b.Fatalf("%+v %v", res, err)
					}
				}
				b.ReportMetric(float64(changed*b.N)/elapsed.Seconds(), "issues/s")
			})
		}
	}
}
