package inbox_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// benchEmails are demo emails that triage into tickets.
var benchEmails = []string{"01_visa_endpoint.eml", "02_mastercard_certs.eml", "03_stripe_api_version.eml",
	"05_okta_key_rotation.eml", "06_digicert_distrust.eml", "08_salesforce_api_retirement.eml", "13_forwarded_reuters.eml"}

// startWorkers starts the real job queue working email.process jobs for w.
func startWorkers(b *testing.B, w *world) {
	b.Helper()
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, &jobs.EmailProcessWorker{Inbox: w.svc})
	q, err := jobs.New(w.db, jobs.Config{Work: true, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stop, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = q.Stop(stop) // the benchmark's database is dropped anyway
	})
}

// benchRaws renders the benchmark's emails; unique(i) gives the i-th its
// own Message-ID.
func benchRaws(b *testing.B) func(i int) []byte {
	raws := make([][]byte, len(benchEmails))
	for i, n := range benchEmails {
		raws[i] = demo(b, n)
	}
	return func(i int) []byte {
		return withMessageID(raws[i%len(raws)], i)
	}
}

// withMessageID gives raw a Message-ID of its own, the i-th.
func withMessageID(raw []byte, i int) []byte {
	return bytes.Replace(raw, []byte("Message-ID: <"), fmt.Appendf(nil, "Message-ID: <bench-%d-", i), 1)
}

// BenchmarkPipeline uploads b.N vendor emails (each with its own
// Message-ID) and lets the real job queue process them with the offline
// triage against the demo registry, on each engine. It reports emails/s
// from the first upload to the last email processed, and the median and
// p95 time from an email's upload to its ticket. Run it with a fixed count,
// e.g. go test -run - -bench Pipeline -benchtime 300x ./internal/inbox.
func BenchmarkPipeline(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			w := newWorld(b, storetest.Open(b, d))
			startWorkers(b, w)
			raw := benchRaws(b)
			uploaded := make(map[string]time.Time, b.N)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				e, err := w.svc.Receive(ctx, w.admin, raw(i), mail.SourceRef{Kind: mail.SourceUpload})
				if err != nil {
					b.Fatal(err)
				}
				uploaded[e.ID] = time.Now()
			}
			done := waitProcessed(b, w, len(uploaded))
			elapsed := time.Since(start)
			b.StopTimer()
			var lat []time.Duration
			for _, e := range done {
				if e.Status != inbox.Triaged {
					b.Fatalf("email %s is %s: %s", e.ID, e.Status, e.Error)
				}
				lat = append(lat, e.ProcessedAt.Sub(uploaded[e.ID]))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "emails/s")
			b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
			b.ReportMetric(float64(lat[(len(lat)*95+99)/100-1].Milliseconds()), "p95-ms")
		})
	}
}

// BenchmarkEmailToTicket uploads one email at a time and waits for its
// ticket, on each engine: the latency of a quiet system, which is mostly
// how soon workers hear of a committed job (LISTEN/NOTIFY on PostgreSQL,
// an in-process wake-up on SQLite).
func BenchmarkEmailToTicket(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			w := newWorld(b, storetest.Open(b, d))
			startWorkers(b, w)
			raw := benchRaws(b)
			var lat []time.Duration
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				e, err := w.svc.Receive(ctx, w.admin, raw(i), mail.SourceRef{Kind: mail.SourceUpload})
				if err != nil {
					b.Fatal(err)
				}
				for e.Status == inbox.Received {
					time.Sleep(2 * time.Millisecond)
					if e, err = w.svc.Get(ctx, w.admin, e.ID); err != nil {
						b.Fatal(err)
					}
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
			b.ReportMetric(float64(lat[(len(lat)*95+99)/100-1].Milliseconds()), "p95-ms")
		})
	}
}

// waitProcessed polls (cheaply, so as not to slow the workers down) until
// no email waits, then returns all n.
func waitProcessed(b *testing.B, w *world, n int) []inbox.Email {
	b.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Minute)
	for {
		waiting, _, err := w.svc.List(ctx, w.admin, inbox.Filter{Statuses: []inbox.Status{inbox.Received}, Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(waiting) == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("emails not processed within 10 minutes")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var all []inbox.Email
	f := inbox.Filter{Limit: 500}
	for {
		page, next, err := w.svc.List(ctx, w.admin, f)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if len(all) != n {
		b.Fatalf("%d emails stored, want %d", len(all), n)
	}
	return all
}
