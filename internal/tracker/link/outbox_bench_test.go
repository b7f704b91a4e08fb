package link_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// BenchmarkOutboxDrain pushes 1,000 changes — a title edited on each of
// 1,000 linked issues in an in-process Gitea — as the push jobs would, one
// after another: each reads its outbox rows and mirror, sends one update,
// and commits the snapshot, the rows and the log. It reports changes/s; it
// asserts nothing on time.
func BenchmarkOutboxDrain(b *testing.B) {
	const changes = 1000
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			f := newKindFixture(b, storetest.Open(b, d), gitea.Kind)
			f.svc.Hooks = f.db
			a := f.app(b, "PaymentService", true)
			links := make([]string, 0, changes)
			for range changes {
				tk := f.ticket(b, a)
				f.attempt(b, tk, a)
				links = append(links, f.link(b, tk, a).ID)
			}
			c, err := f.svc.Connection(ctx, f.admin)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.svc.Poll(ctx, f.tenant, c.ID); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			var elapsed time.Duration
			for n := range b.N {
				b.StopTimer()
				for _, id := range links {
					if _, err := f.svc.EditIssue(ctx, f.admin, id, link.IssueEdit{Title: ptr(fmt.Sprintf("Edit %d", n))}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				start := time.Now()
				for _, id := range links {
					if res, err := f.svc.PushOutbox(ctx, f.tenant, id); err != nil || res.LastError != "" || len(res.Fields) != 1 {
						b.Fatalf("%+v %v", res, err)
					}
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(changes*b.N)/elapsed.Seconds(), "changes/s")
		})
	}
}
