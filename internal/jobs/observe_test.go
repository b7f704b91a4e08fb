package jobs_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestJobOutcomesAreObserved checks that worked jobs are counted by kind and
// outcome, and that a failure's log line carries the job's tenant and kind.
func TestJobOutcomesAreObserved(t *testing.T) {
	db := storetest.Open(t, storetest.Dialects(t)[0])
	metrics := obs.NewMetrics()
	var logs bytes.Buffer
	workers := river.NewWorkers()
	rec := &recordWorker{}
	river.AddWorker(workers, rec)
	river.AddWorker(workers, &failWorker[failArgs]{Immediate: true})
	q, err := jobs.New(db, jobs.Config{Work: true, Workers: workers, PollInterval: 50 * time.Millisecond,
		JobLogger: obs.NewLogger(&syncWriter{w: &logs}, 0), Metrics: metrics})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer q.Stop(ctx) //nolint:errcheck // stopped explicitly below; a second stop is a no-op
	if _, err := q.Client.Insert(ctx, recordArgs{Tenant: jobargs.For("tenant-obs"), N: 7}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Client.Insert(ctx, failArgs{Tenant: jobargs.For("tenant-obs"), Reason: "x"}, &river.InsertOpts{MaxAttempts: 1}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both outcomes counted", func() (bool, error) {
		ok := counterValue(t, metrics.JobsWorked.WithLabelValues("test.record", "ok"))
		dead := counterValue(t, metrics.JobsWorked.WithLabelValues("test.fail", "dead_letter"))
		return ok == 1 && dead == 1, nil
	})
	q.Stop(ctx)
	out := logs.String()
	for _, want := range []string{`"job_kind":"test.fail"`, `"tenant_id":"tenant-obs"`, `"msg":"job failed"`} {
		if !strings.Contains(out, want) {
			t.Errorf("failure log lacks %s:\n%s", want, out)
		}
	}
}

// syncWriter serialises writes from worker goroutines; reads happen after
// the waits above.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
