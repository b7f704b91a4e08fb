package score_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// p95 reports the 95th percentile of per-iteration durations in ms.
func p95(b *testing.B, times []time.Duration) {
	b.Helper()
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}

// mean reports the mean of per-iteration durations in ms (ns/op also
// counts the setup of each iteration).
func mean(b *testing.B, times []time.Duration) {
	b.Helper()
	var sum time.Duration
	for _, t := range times {
		sum += t
	}
	if len(times) > 0 {
		b.ReportMetric(float64(sum.Microseconds())/1000/float64(len(times)), "mean-ms")
	}
}

// seedSignals writes per accepted, already scored signals for each vendor
// straight into the signal table in multi-row inserts (the daily rescore's
// steady state), observed over the last 300 days across the catalog: a
// third at the worst value, the rest at the best, or all at the worst when
// risky. It returns the CPU time the PostgreSQL server process spent on
// the inserts (its triggers included) where it can read it, else 0.
func seedSignals(tb testing.TB, db *sqlstore.DB, tenantID string, vendors []string, per int, now time.Time, risky bool) time.Duration {
	tb.Helper()
	const cols = 11
	const rows = 1000
	ctx := context.Background()
	tx, err := db.WritePool().BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	var pid int
	if db.Dialect == sqlstore.Postgres {
		if err := tx.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			tb.Fatal(err)
		}
	}
	serverCPU := pidCPU(pid)
	flush := func(args []any) {
		n := len(args) / cols
		var q strings.Builder
		q.WriteString(`INSERT INTO score_signals (id, tenant_id, event_id, source, vendor_id, code, category, value, observed_at,
			recorded_at, status) VALUES `)
		for r := range n {
			if r > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for c := range cols {
				if c > 0 {
					q.WriteByte(',')
				}
				if db.Dialect == sqlstore.Postgres {
					fmt.Fprintf(&q, "$%d", r*cols+c+1)
				} else {
					q.WriteByte('?')
				}
			}
			q.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			tb.Fatal(err)
		}
	}
	args := make([]any, 0, rows*cols)
	for v, vendor := range vendors {
		for i := range per {
			def := score.Catalog[(i+v)%len(score.Catalog)]
			best, worst := def.Min, def.Max
			if def.Risk(def.Min) > def.Risk(def.Max) {
				best, worst = worst, best
			}
			val := best
			if risky || i%3 == 0 {
				val = worst
			}
			args = append(args, ident.New(), tenantID, fmt.Sprintf("seed-%d-%d", v, i), "bench", vendor, def.Code,
				string(def.Category), val, now.Add(-time.Duration(i%300)*24*time.Hour-time.Duration(i)*time.Second), now, "scored")
			if len(args) == rows*cols {
				flush(args)
				args = args[:0]
			}
		}
	}
	if len(args) > 0 {
		flush(args)
	}
	if pid != 0 {
		serverCPU = pidCPU(pid) - serverCPU
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	// What autovacuum does to tables this size before long: statistics,
	// the visibility map that lets the index answer alone, and the running
	// totals' rows cleared of the versions each signal's update left.
	if len(vendors)*per < 10000 {
		return serverCPU
	}
	analyze := "ANALYZE"
	if db.Dialect == sqlstore.Postgres {
		analyze = "VACUUM ANALYZE score_signals, score_signal_days, score_signal_blocks"
	}
	if _, err := db.WritePool().ExecContext(ctx, analyze); err != nil {
		tb.Fatal(err)
	}
	return serverCPU
}

// BenchmarkVendorRescore10k rescores one vendor with 10,000 signals in the
// database: the rule, the signals, the composite and the saved score (the
// budget for the composite score: p95 ≤ 5 ms).
func BenchmarkVendorRescore10k(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			f := newFixtureTB(b, db)
			ctx := context.Background()
			seedSignals(b, db, f.admin.TenantID, []string{f.acme.ID}, 10000, f.now, false)
			// On PostgreSQL the rescores run on one connection, so that its
			// server process's CPU time can be read.
			var pid int
			if d == sqlstore.Postgres {
				db.WritePool().SetMaxOpenConns(1)
				if err := db.WritePool().QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
					b.Fatal(err)
				}
			}
			var times []time.Duration
			cpu, server := processCPU(b), pidCPU(pid)
			for b.Loop() {
				start := time.Now()
				vs, err := f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID)
				if err != nil || vs.Signals != 10000 {
					b.Fatalf("%d signals: %v", vs.Signals, err)
				}
				times = append(times, time.Since(start))
			}
			// This process's CPU time per rescore: all of it on SQLite, the
			// client's part on PostgreSQL; unlike wall time, it does not
			// grow with the machine's load.
			b.ReportMetric(float64((processCPU(b)-cpu).Microseconds())/1000/float64(len(times)), "cpu-ms")
			if pid != 0 {
				b.ReportMetric(float64((pidCPU(pid)-server).Microseconds())/1000/float64(len(times)), "server-cpu-ms")
			}
			mean(b, times)
			p95(b, times)
		})
	}
}

// BenchmarkFullRescore rescores a portfolio (VENDORSYNC_BENCH_VENDORS
// vendors, default 1,000, with VENDORSYNC_BENCH_SIGNALS signals each,
// default 1,000) on each engine: the daily full rescore (budget: 10 s on
// PostgreSQL, 20 s on SQLite for 1,000 × 1,000).
func BenchmarkFullRescore(b *testing.B) {
	vendors, per := envInt("VENDORSYNC_BENCH_VENDORS", 1000), envInt("VENDORSYNC_BENCH_SIGNALS", 1000)
	for _, d := range storetest.Dialects(b) {
		b.Run(fmt.Sprintf("%s/%dx%d", d, vendors, per), func(b *testing.B) {
			db := storetest.Open(b, d)
			f := newFixtureTB(b, db)
			ctx := context.Background()
			ids := make([]string, vendors)
			for v := range vendors {
				vd, err := f.reg.CreateVendor(ctx, f.admin, registry.Vendor{Name: fmt.Sprintf("Vendor %04d", v), Tier: registry.Tier2})
				if err != nil {
					b.Fatal(err)
				}
				ids[v] = vd.ID
			}
			start := time.Now()
			seedCPU := processCPU(b)
			seedSignals(b, db, f.admin.TenantID, ids, per, f.now, false)
			seed, seedCPU := time.Since(start), processCPU(b)-seedCPU
			var cpu time.Duration
			for b.Loop() {
				c := processCPU(b)
				n, err := f.svc.RescoreTenant(ctx, f.admin.TenantID)
				cpu += processCPU(b) - c
				if err != nil || n != vendors {
					b.Fatalf("rescored %d: %v", n, err)
				}
			}
			// After the loop, which clears metrics reported before it. CPU
			// is this process's: all of it on SQLite, the client's part on
			// PostgreSQL.
			b.ReportMetric(seed.Seconds(), "seed-s")
			b.ReportMetric(seedCPU.Seconds(), "seed-cpu-s")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// crossingStore tells when a score that crossed a band has committed, with
// its notification jobs.
type crossingStore struct {
	*sqlstore.DB
	crossed chan struct{}
}

func (s crossingStore) SaveScores(ctx context.Context, cs []score.ScoreChange) error {
	err := s.DB.SaveScores(ctx, cs)
	for _, c := range cs {
		if err == nil && c.Crossed != nil {
			s.crossed <- struct{}{}
		}
	}
	return err
}

// BenchmarkSignalToBandNotification submits one signal for a vendor with
// 200 risky signals and no score yet and waits until the band crossing it
// causes (none → high) has committed with its notification enqueued: the
// submit, the rescore job picked up by a working queue, the rescore and
// its transaction (budget: p95 ≤ 50 ms).
func BenchmarkSignalToBandNotification(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			f := newFixtureTB(b, db)
			ctx := context.Background()
			cs := crossingStore{DB: db, crossed: make(chan struct{}, 16)}
			f.svc.Store = cs
			ws := river.NewWorkers()
			jobs.AddScoreWorkers(ws, f.svc, db)
			river.AddWorker(ws, river.WorkFunc(func(context.Context, *river.Job[bandJob]) error { return nil }))
			q, err := jobs.New(db, jobs.Config{Work: true, Workers: ws, ID: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			if err := q.Start(ctx); err != nil {
				b.Fatal(err)
			}
			defer q.Stop(ctx) //nolint:errcheck // end of benchmark
			var times []time.Duration
			n := 0
			for b.Loop() {
				n++
				v, err := f.reg.CreateVendor(ctx, f.admin, registry.Vendor{Name: fmt.Sprintf("Vendor %04d", n), Tier: registry.Tier2})
				if err != nil {
					b.Fatal(err)
				}
				seedSignals(b, db, f.admin.TenantID, []string{v.ID}, 200, f.now, true)
				start := time.Now()
				if _, err := f.svc.Submit(ctx, f.admin, "bench", []score.Submission{
					f.sub(fmt.Sprintf("b-%d", n), "security_incident_count", 5, score.VendorRef{ID: v.ID})}); err != nil {
					b.Fatal(err)
				}
				select {
				case <-cs.crossed:
				case <-time.After(10 * time.Second):
					b.Fatalf("signal %d crossed no band", n)
				}
				times = append(times, time.Since(start))
			}
			mean(b, times)
			p95(b, times)
		})
	}
}

// BenchmarkSignalInserts bulk-inserts 1,000 accepted signals for a new
// vendor per iteration (as seedSignals does), so the cost of the
// database's running totals shows: CPU and wall time per signal.
func BenchmarkSignalInserts(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			f := newFixtureTB(b, db)
			ctx := context.Background()
			const per = 1000
			var took, server time.Duration
			var n int
			cpu := processCPU(b)
			for b.Loop() {
				n++
				v, err := f.reg.CreateVendor(ctx, f.admin, registry.Vendor{Name: fmt.Sprintf("Vendor %04d", n), Tier: registry.Tier2})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				server += seedSignals(b, db, f.admin.TenantID, []string{v.ID}, per, f.now, false)
				took += time.Since(start)
			}
			// This process's CPU: all of it on SQLite, the client's part on
			// PostgreSQL, whose server process reports its own.
			b.ReportMetric(float64((processCPU(b)-cpu).Microseconds())/float64(n*per), "cpu-us/signal")
			if server > 0 {
				b.ReportMetric(float64(server.Microseconds())/float64(n*per), "server-cpu-us/signal")
			}
			b.ReportMetric(float64(took.Microseconds())/float64(n*per), "us/signal")
		})
	}
}
