package link_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
)

// webhookRate is the rate the fixed-rate part of BenchmarkWebhookAccept
// offers deliveries at.
var webhookRate = flag.Float64("webhook.rate", 2000, "deliveries per second BenchmarkWebhookAccept/…/rate offers")

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

// serverCPU is the CPU time used so far by each PostgreSQL backend serving
// db's database, by process id, when the server runs on this machine and
// /proc shows its processes; nil on SQLite or when it cannot be read. The
// server's shared processes (WAL writer, checkpointer) are not counted.
func serverCPU(db *sqlstore.DB) map[int]time.Duration {
	if db.Dialect != sqlstore.Postgres {
		return nil
	}
	rows, err := db.WritePool().Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			return nil
		}
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return nil // another machine's server: no figure
		}
		// utime and stime are fields 14 and 15, after the parenthesised
		// command name, in clock ticks of 1/100 s.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 13 {
			return nil
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(u+s) * 10 * time.Millisecond
	}
	if rows.Err() != nil {
		return nil
	}
	return out
}

// serverCPUSince is the server CPU the backends used since before, or
// false when there is no figure. A backend that ended meanwhile is not
// counted.
func serverCPUSince(db *sqlstore.DB, before map[int]time.Duration) (time.Duration, bool) {
	after := serverCPU(db)
	if before == nil || after == nil {
		return 0, false
	}
	var d time.Duration
	for pid, t := range after {
		d += t - before[pid]
	}
	return d, true
}

// webhookBench is one engine's GitHub connection with a webhook secret, and
// a signed ~4 KiB issues delivery to send to it.
type webhookBench struct {
	f    *fixture
	conn string
	h    http.Header
	body []byte
	next atomic.Int64
}

func newWebhookBench(b *testing.B, d sqlstore.Dialect) *webhookBench {
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
	pad := strings.Repeat("x", 4000)
	body := fmt.Appendf(nil, `{"action":"edited","issue":{"number":1,"state":"open","body":"%s"},"repository":{"full_name":"acme/payments"}}`, pad)
	h := http.Header{}
	h.Set("X-GitHub-Event", "issues")
	h.Set("X-Hub-Signature-256", tracker.SignHMACHex("sha256=", body, []byte(secret)))
	return &webhookBench{f: f, conn: c.ID, h: h, body: body}
}

// send delivers the body once with a new delivery id, as POST
// /hooks/trackers/{id} does before it answers.
func (w *webhookBench) send(ctx context.Context, h http.Header) error {
	h.Set("X-GitHub-Delivery", fmt.Sprintf("bench-%d", w.next.Add(1)))
	res, err := w.f.svc.ReceiveWebhook(ctx, w.conn, h, w.body)
	if err == nil && res.Duplicate {
		err = fmt.Errorf("a new delivery taken for a duplicate")
	}
	return err
}

// report reports the rate, latency quantiles, CPU per 1,000 deliveries
// (this process's, and the PostgreSQL backends' where they can be read)
// and the deliveries each commit carried.
func (w *webhookBench) report(b *testing.B, lat []time.Duration, elapsed, cpu time.Duration, server map[int]time.Duration, jobs0 int) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p int) float64 { return float64(lat[(len(lat)-1)*p/100].Microseconds()) / 1000 }
	n := float64(len(lat))
	b.ReportMetric(n/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(q(50), "p50_ms")
	b.ReportMetric(q(95), "p95_ms")
	b.ReportMetric(q(99), "p99_ms")
	b.ReportMetric(cpu.Seconds()*1000/n, "cpu-s/1k")
	if s, ok := serverCPUSince(w.f.db, server); ok {
		b.ReportMetric(s.Seconds()*1000/n, "server-cpu-s/1k")
	}
	// One processing job per commit: its deliveries arrived together.
	if commits := webhookJobs(b, w.f) - jobs0; commits > 0 {
		b.ReportMetric(n/float64(commits), "deliveries/commit")
	}
}

// BenchmarkWebhookAccept accepts GitHub deliveries (each a new delivery id
// of a ~4 KiB issues payload) on each engine: the connection and its
// secret are read, the signature is checked on the raw bytes, and the
// delivery and its job are committed, as POST /hooks/trackers/{id} does
// before it answers.
//
//   - senders=32: 32 senders, each sending its next delivery once the last
//     is answered, so the latency is mostly time spent queueing;
//   - rate: deliveries offered at a fixed rate (-webhook.rate, 2,000/s by
//     default) whatever the answers, b.N of them; each one's latency runs
//     from the moment it was due, so a late start counts against it.
//
// Each reports deliveries/s, p50/p95/p99 accept latency, the CPU time
// this process spent per 1,000 deliveries and, on PostgreSQL served from
// this machine, its backends' CPU per 1,000 (the server's shared processes
// are not counted), and how many deliveries one commit carried on average.
// It asserts nothing on time.
func BenchmarkWebhookAccept(b *testing.B) {
	const senders = 32
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			w := newWebhookBench(b, d)
			ctx := context.Background()
			b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
				var mu sync.Mutex
				lat := make([]time.Duration, 0, b.N)
				b.SetParallelism(max(1, senders/runtime.GOMAXPROCS(0))) // about 32 senders
				jobs0 := webhookJobs(b, w.f)
				server := serverCPU(w.f.db)
				b.ResetTimer()
				cpu0, start := processCPU(), time.Now()
				b.RunParallel(func(pb *testing.PB) {
					hd := w.h.Clone()
					var mine []time.Duration
					for pb.Next() {
						t0 := time.Now()
						err := w.send(ctx, hd)
						mine = append(mine, time.Since(t0))
						if err != nil {
							b.Errorf("accept: %v", err)
							return
						}
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				})
				elapsed, cpu := time.Since(start), processCPU()-cpu0
				b.StopTimer()
				w.report(b, lat, elapsed, cpu, server, jobs0)
			})
			b.Run(fmt.Sprintf("rate=%g", *webhookRate), func(b *testing.B) {
				lat := make([]time.Duration, b.N)
				interval := time.Duration(float64(time.Second) / *webhookRate)
				jobs0 := webhookJobs(b, w.f)
				server := serverCPU(w.f.db)
				var wg sync.WaitGroup
				var failed atomic.Int64
				b.ResetTimer()
				cpu0, start := processCPU(), time.Now()
				// Every delivery due by now is sent, each on its own
				// goroutine: nothing waits for an answer before sending.
				for i := 0; i < b.N; {
					now := time.Since(start)
					for ; i < b.N && time.Duration(i)*interval <= now; i++ {
						due := start.Add(time.Duration(i) * interval)
						wg.Add(1)
						go func(i int) {
							defer wg.Done()
							err := w.send(ctx, w.h.Clone())
							lat[i] = time.Since(due)
							if err != nil && failed.Add(1) == 1 {
								b.Errorf("accept: %v", err)
							}
						}(i)
					}
					if i < b.N {
						time.Sleep(time.Duration(i)*interval - time.Since(start))
					}
				}
				wg.Wait()
				elapsed, cpu := time.Since(start), processCPU()-cpu0
				b.StopTimer()
				w.report(b, lat, elapsed, cpu, server, jobs0)
			})
		})
	}
}
