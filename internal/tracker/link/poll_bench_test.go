package link_test

import (
	"context"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
)

// BenchmarkPollReconcile reconciles 10,000 changed issues of one GitHub
// repository, read in pages of 100 with 20 ms per request at the fake, on
// each engine: every page is listed, each issue looked up among the links
// (one is linked), and the cursor committed after each page. It reports
// issues/s; it asserts nothing on time.
func BenchmarkPollReconcile(b *testing.B) {
	const changed = 10000
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			f := newKindFixture(b, storetest.Open(b, d), github.Kind)
			f.svc.Hooks = f.db
			a := f.app(b, "PaymentService", true)
			tk := f.ticket(b, a)
			f.attempt(b, tk, a)
			core := f.remote.(*forgeRemote).Core
			for range changed - 1 {
				core.Create(forgetest.Issue{Project: "acme/payments", Title: "other"})
			}
			core.SetLatency(20 * time.Millisecond)
			c, err := f.svc.Connection(ctx, f.admin)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				// Every issue changed again since the last run.
				b.StopTimer()
				t0 := time.Now()
				at := t0
				for _, is := range core.Issues() {
					core.Touch(is.Project, is.Number, at)
				}
				start = start.Add(time.Since(t0))
				b.StartTimer()
				res, err := f.svc.Poll(ctx, f.tenant, c.ID)
				if err != nil || res.Issues != changed || res.Pages != changed/100 {
					b.Fatalf("%+v %v", res, err)
				}
			}
			b.ReportMetric(float64(changed*b.N)/time.Since(start).Seconds(), "issues/s")
		})
	}
}
