package link_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
)

// BenchmarkWebhookAccept accepts GitHub deliveries (each a new delivery id
// of a ~4 KiB issues payload) with 32 senders at once, on each engine: the
// connection and its secret are read, the signature is checked on the raw
// bytes, and the delivery and its job are committed, as POST
// /hooks/trackers/{id} does before it answers. It reports deliveries/s and
// the p99 accept latency, the CPU time this process spent per 1,000
// deliveries (the PostgreSQL server's own is not counted), and how many
// deliveries one commit carried on average; it asserts nothing on time.
// webhookJobs counts the webhook processing jobs enqueued so far.
func webhookJobs(b *testing.B, f *fixture) int {
	b.Helper()
	var n int
	if err := f.db.WritePool().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'tracker.webhook'`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0 // no figure rather than a wrong one
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkWebhookAccept(b *testing.B) {
	const senders = 32
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			f := newKindFixture(b, storetest.Open(b, d), github.Kind)
			f.svc.Hooks = f.db
			c, err := f.svc.Connection(ctx, f.admin)
			if err != nil {
				b.Fatal(err)
			}
			secret, err := f.svc.NewWebhookSecret(ctx, f.admin, c.ID)
			if err != nil {
				b.Fatal(err)
			}
			pad := make([]byte, 4000)
			for i := range pad {
				pad[i] = 'x'
			}
			body := fmt.Appendf(nil, `{"action":"edited","issue":{"number":1,"state":"open","body":"%s"},"repository":{"full_name":"acme/payments"}}`, pad)
			h := http.Header{}
			h.Set("X-GitHub-Event", "issues")
			h.Set("X-Hub-Signature-256", tracker.SignHMACHex("sha256=", body, []byte(secret)))
			var next atomic.Int64
			var mu sync.Mutex
			lat := make([]time.Duration, 0, b.N)
			b.SetParallelism(senders / runtime.GOMAXPROCS(0)) // about 32 senders
			jobs0 := webhookJobs(b, f)
			b.ResetTimer()
			cpu0 := processCPU()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				hd := h.Clone()
				var mine []time.Duration
				for pb.Next() {
					hd.Set("X-GitHub-Delivery", fmt.Sprintf("bench-%d", next.Add(1)))
					t0 := time.Now()
					res, err := f.svc.ReceiveWebhook(ctx, c.ID, hd, body)
					mine = append(mine, time.Since(t0))
					if err != nil || res.Duplicate {
						b.Errorf("accept: %+v %v", res, err)
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			cpu := processCPU() - cpu0
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "deliveries/s")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
				b.ReportMetric(cpu.Seconds()*1000/float64(len(lat)), "cpu-s/1k")
			}
			// One processing job per commit: its deliveries arrived together.
			if commits := webhookJobs(b, f) - jobs0; commits > 0 {
				b.ReportMetric(float64(len(lat))/float64(commits), "deliveries/commit")
			}
		})
	}
}
