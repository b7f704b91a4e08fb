package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// crossingStore tells when a score that crossed a band has committed, with
// its notification plan enqueued in the same transaction.
type crossingStore struct {
	*sqlstore.DB
	crossed chan struct{}
}

func (s crossingStore) SaveScores(ctx context.Context, cs []score.ScoreChange) error {
	err := s.DB.SaveScores(ctx, cs)
	for _, c := range cs {
		if err == nil && c.Crossed != nil && len(c.Jobs) > 0 {
			s.crossed <- struct{}{}
		}
	}
	return err
}

// BenchmarkSignalPostToBandNotification posts one signal over HTTP
// (POST /api/v1/signals with an API key, through the whole middleware
// stack) for a vendor with no score yet and waits until the band crossing
// it causes (none → critical) has committed with its notification plan
// enqueued: the request, the rescore job picked up by a working queue, the
// rescore and its transaction (budget: p95 ≤ 50 ms).
//
//	go test -run '^$' -bench BenchmarkSignalPostToBandNotification -benchtime 200x ./internal/web/
func BenchmarkSignalPostToBandNotification(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			e := newEnv(b, d)
			ctx := context.Background()
			cs := crossingStore{DB: e.db, crossed: make(chan struct{}, 16)}
			ws := river.NewWorkers()
			jobs.AddScoreWorkers(ws, &score.Service{Store: cs, Consequences: causes.Scores}, e.db)
			river.AddWorker(ws, river.WorkFunc(func(context.Context, *river.Job[notify.PlanJob]) error { return nil }))
			q, err := jobs.New(e.db, jobs.Config{Work: true, Workers: ws, ID: "bench"})
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
				vendor := created(e, e.key, "/api/v1/vendors", map[string]any{"name": fmt.Sprintf("Vendor %04d", n), "tier": "tier_2"})
				body := map[string]any{"source": "bench", "signals": []map[string]any{{"event_id": fmt.Sprintf("b-%d", n),
					"vendor_ref": map[string]any{"id": vendor}, "signal_code": "security_incident_count", "value": 5,
					"observed_at": time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)}}}
				start := time.Now()
				res := e.do(http.MethodPost, "/api/v1/signals", e.key, body)
				wantStatus(b, res, http.StatusOK)
				select {
				case <-cs.crossed:
				case <-time.After(10 * time.Second):
					b.Fatalf("signal %d crossed no band: %s", n, res.Body)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			var sum time.Duration
			for _, t := range times {
				sum += t
			}
			b.ReportMetric(float64(sum.Microseconds())/1000/float64(len(times)), "mean-ms")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
