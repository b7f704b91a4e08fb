package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// slowTrackerArgs is a job that talks to a tracker which keeps it waiting.
type slowTrackerArgs struct {
	jobargs.Tenant
	N int `json:"n"`
}

func (slowTrackerArgs) Kind() string { return "tracker.test_slow" }

type slowTrackerWorker struct {
	river.WorkerDefaults[slowTrackerArgs]
	release chan struct{}
	mu      sync.Mutex
	started int
}

func (w *slowTrackerWorker) Work(ctx context.Context, _ *river.Job[slowTrackerArgs]) error {
	w.mu.Lock()
	w.started++
	w.mu.Unlock()
	select {
	case <-w.release:
	case <-ctx.Done():
	}
	return nil
}

func (w *slowTrackerWorker) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.started
}

// TestTrackerJobsNeverHoldEveryWorker: tracker jobs kept waiting by their
// tracker (more of them than there are workers in all) leave the workers of
// every other job free, and both queues are woken by commits alone (the
// poll interval is an hour).
func TestTrackerJobsNeverHoldEveryWorker(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		rec := &recordWorker{}
		slow := &slowTrackerWorker{release: make(chan struct{})}
		workers := river.NewWorkers()
		river.AddWorker(workers, rec)
		river.AddWorker(workers, slow)
		startQueueConfig(t, db, jobs.Config{Work: true, Workers: workers, MaxWorkers: 2, PollInterval: time.Hour, ID: "queues-test"})
		t.Cleanup(func() { close(slow.release) })
		time.Sleep(100 * time.Millisecond) // the fetch at start is over

		if err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
			for n := range 6 {
				if err := tx.Enqueue(ctx, slowTrackerArgs{Tenant: jobargs.For("t1"), N: n}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for slow.count() < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := slow.count(); got < 2 {
			t.Fatalf("%d tracker jobs started after their commit, want 2: the tracker queue was not woken", got)
		}

		if err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
			return tx.Enqueue(ctx, recordArgs{Tenant: jobargs.For("t1"), N: 1})
		}); err != nil {
			t.Fatal(err)
		}
		if !workedWithin(rec, 1, 10*time.Second) {
			t.Fatalf("a job was not worked while %d tracker jobs waited on their tracker: they hold every worker", slow.count())
		}
		if got := slow.count(); got > 2 {
			t.Fatalf("%d tracker jobs run at once with 2 workers, want at most 2 (half the workers, at least two)", got)
		}
	})
}
