package link_test

import (
	"context"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// BenchmarkSync10k syncs 10,000 linked issues (100 tickets × 100
// applications) against the in-process Jira answering every request after
// 20 ms, on each engine:
//
//   - unchanged/paced: the steady state with the production client policy
//     (20 requests per second, 4 chunk searches at once);
//   - unchanged/unpaced: the same without pacing, to show what the store
//     and the diff cost;
//   - all_changed/unpaced: every issue changed status since the last sync
//     (10,000 updates and audit rows).
//
// It reports issues/s, seconds per sync and this process's CPU seconds per
// sync (the in-process Jira's included) and, on PostgreSQL served from this
// machine, its backends' CPU seconds per sync; it asserts nothing on time.
func BenchmarkSync10k(b *testing.B) {
	const tickets, apps = 100, 100
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			f := newFixture(b, storetest.Open(b, d), jira.Cloud)
			f.linkedTickets(b, tickets, apps)
			f.jira.SetLatency(20 * time.Millisecond)
			keys := make([]string, 0, tickets*apps)
			for _, iss := range f.jira.Issues() {
				keys = append(keys, iss.Key)
			}
			for _, tc := range []struct {
				name   string
				paced  bool
				change bool
			}{{"unchanged/paced", true, false}, {"unchanged/unpaced", false, false}, {"all_changed/unpaced", false, true}} {
				b.Run(tc.name, func(b *testing.B) {
					var opts jira.Options
					if !tc.paced {
						opts.Resilience.RatePerSecond = -1
					}
					svc := &link.Service{Store: f.db, Tickets: f.tickets, Now: time.Now, Providers: tracker.NewRegistry(jira.Factories(opts)...)}
					if _, err := svc.Sync(context.Background(), f.tenant); err != nil { // settle the stored statuses
						b.Fatal(err)
					}
					var total, cpu, server time.Duration
					serverOK := true
					b.ResetTimer()
					for range b.N {
						if tc.change {
							b.StopTimer()
							first, _ := f.jira.Issue(keys[0])
							flip := first.StatusCategory != jiratest.CategoryInProgress
							for _, k := range keys {
								if flip {
									f.jira.SetStatus(k, "In Progress", jiratest.CategoryInProgress)
								} else {
									f.jira.SetStatus(k, "To Do", jiratest.CategoryToDo)
								}
							}
							b.StartTimer()
						}
						start, cpu0, server0 := time.Now(), processCPU(), serverCPU(f.db)
						res, err := svc.Sync(context.Background(), f.tenant)
						total += time.Since(start)
						cpu += processCPU() - cpu0
						s, ok := serverCPUSince(f.db, server0)
						server, serverOK = server+s, serverOK && ok
						if err != nil {
							b.Fatal(err)
						}
						if res.Links != tickets*apps || res.Searches != tickets*apps/100 || (tc.change && res.Changed != tickets*apps) {
							b.Fatalf("sync: %+v", res)
						}
					}
					b.ReportMetric(float64(tickets*apps*b.N)/total.Seconds(), "issues/s")
					b.ReportMetric(total.Seconds()/float64(b.N), "s/sync")
					b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/sync")
					if serverOK {
						b.ReportMetric(server.Seconds()/float64(b.N), "server-cpu-s/sync")
					}
				})
			}
		})
	}
}
