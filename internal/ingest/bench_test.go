package ingest_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/loadgen"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// payload1KiB is a vendor payload of about 1 KiB.
var payload1KiB = `{"sku":"ABC-001","qty":12,"warehouse":"ROA","note":"` + strings.Repeat("x", 960) + `"}`

// benchVendor runs bench once per engine with a fresh fixture and its
// vendor's set-up, reporting accepted events per second (perOp per op).
func benchVendor(b *testing.B, parallelism, perOp int, bench func(b *testing.B, f *fixture, v ingest.VendorSetup)) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			f := newFixture(b, storetest.Open(b, d))
			v, err := f.svc.KeyVendor(context.Background(), f.sender)
			if err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(parallelism)
			f.cpu = cpuMeter{}
			if d == sqlstore.Postgres {
				f.cpu.server = newServerCPU(b)
			}
			b.ResetTimer()
			f.cpu.start(b)
			bench(b, f, v)
			f.cpu.stop(b)
			b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "events/s")
			// This process's CPU time while timed: on a shared machine the
			// figure that stays comparable. The PostgreSQL server's serving
			// it is reported apart, when the server runs on this machine.
			b.ReportMetric(f.cpu.used.Seconds()*1000/float64(b.N*perOp), "CPU-s/1k-events")
			if s := f.cpu.server; s != nil && s.ok {
				b.ReportMetric(s.used.Seconds()*1000/float64(b.N*perOp), "server-CPU-s/1k-events")
			}
		})
	}
}

// BenchmarkAccept measures the accept path (parse, digest, one durable
// commit per event) with concurrent senders, on each engine.
func BenchmarkAccept(b *testing.B) {
	var n atomic.Int64
	benchVendor(b, 8, 1, func(b *testing.B, f *fixture, v ingest.VendorSetup) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				body := envelope("vendorA", fmt.Sprint("bench-", n.Add(1)), payload1KiB)
				if _, err := f.svc.Accept(context.Background(), v, body, ingest.ChannelAPI); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkAcceptBatch measures batches of 100 events, one commit each.
func BenchmarkAcceptBatch(b *testing.B) {
	var n atomic.Int64
	benchVendor(b, 2, 100, func(b *testing.B, f *fixture, v ingest.VendorSetup) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				items := make([]string, 100)
				for i := range items {
					items[i] = string(envelope("vendorA", fmt.Sprint("batch-", n.Add(1)), payload1KiB))
				}
				if _, err := f.svc.AcceptBatch(context.Background(), v, []byte(`{"events":[`+strings.Join(items, ",")+`]}`)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkParseEnvelope measures the envelope parser alone.
func BenchmarkParseEnvelope(b *testing.B) {
	body := envelope("vendorA", "inv-1", payload1KiB)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ingest.ParseEnvelope(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNormalize measures normalization (validate, map, validate,
// store, archive the normalized event; with subscriptions, queue a
// delivery per subscription in the same transaction) of 500 accepted
// events per op: small payloads with 0 and 2 subscriptions, and the load
// tool's 1 KiB envelopes.
func BenchmarkNormalize(b *testing.B) {
	small := `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`
	for _, c := range []struct {
		name    string
		subs    int
		payload string
	}{{"subscriptions=0", 0, small}, {"subscriptions=2", 2, small}, {"payload=1KiB", 0, payload1KiB}} {
		b.Run(c.name, func(b *testing.B) {
			var n atomic.Int64
			benchVendor(b, 1, 500, func(b *testing.B, f *fixture, v ingest.VendorSetup) {
				f.setUpRules(b)
				for i := range c.subs {
					f.subscribe(b, ingest.SubscriptionInput{URL: fmt.Sprintf("http://127.0.0.1:9/hook/%d", i)})
				}
				f.cpu.stop(b)
				b.StopTimer()
				for range b.N {
					b.StopTimer()
					for range 5 {
						items := make([]string, 100)
						for i := range items {
							items[i] = string(envelope("vendorA", fmt.Sprint("norm-", n.Add(1)), c.payload))
						}
						if _, err := f.svc.AcceptBatch(context.Background(), v, []byte(`{"events":[`+strings.Join(items, ",")+`]}`)); err != nil {
							b.Fatal(err)
						}
					}
					// The meters read outside the timed span: reading the
					// server's CPU scans /proc, which is not normalizing.
					f.cpu.start(b)
					b.StartTimer()
					if k, err := f.svc.Normalize(context.Background(), f.vendor.TenantID); err != nil || k != 500 {
						b.Fatalf("Normalize = %d, %v", k, err)
					}
					b.StopTimer()
					f.cpu.stop(b)
				}
			})
		})
	}
}

// cpuMeter adds up this process's CPU time over the spans between start
// and stop, and the PostgreSQL server's serving it when server is set.
type cpuMeter struct {
	used, from time.Duration
	running    bool
	server     *serverCPU
}

func (m *cpuMeter) start(b *testing.B) {
	if !m.running {
		// The server's meter reads first and last, so that its reading
		// is not counted as this process's work.
		if m.server != nil {
			m.server.start(b)
		}
		m.from, m.running = processCPU(b), true
	}
}

func (m *cpuMeter) stop(b *testing.B) {
	if m.running {
		m.used += processCPU(b) - m.from
		m.running = false
		if m.server != nil {
			m.server.stop(b)
		}
	}
}

func processCPU(b *testing.B) time.Duration {
	d, err := loadgen.ProcessCPU(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	return d
}
