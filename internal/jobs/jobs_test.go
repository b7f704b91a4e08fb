package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// recordArgs is a job that records its N when worked.
type recordArgs struct {
	jobargs.Tenant
	N int `json:"n"`
}

func (recordArgs) Kind() string { return "test.record" }

type recordWorker struct {
	river.WorkerDefaults[recordArgs]
	mu   sync.Mutex
	seen []int
}

func (w *recordWorker) Work(_ context.Context, j *river.Job[recordArgs]) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, j.Args.N)
	return nil
}

func (w *recordWorker) saw(n int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.seen {
		if s == n {
			return true
		}
	}
	return false
}

// failArgs is a job that always fails with its Reason.
type failArgs struct {
	jobargs.Tenant
	Reason string `json:"reason"`
}

func (failArgs) Kind() string { return "test.fail" }

// otherFailArgs is a second failing kind, for kind filters.
type otherFailArgs struct {
	jobargs.Tenant
}

func (otherFailArgs) Kind() string { return "test.fail_other" }

// failWorker fails every attempt; with Immediate it asks to be retried at
// once instead of after River's backoff.
type failWorker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	Immediate bool
}

func (w *failWorker[T]) Work(_ context.Context, j *river.Job[T]) error {
	return fmt.Errorf("upstream said no (attempt %d)", j.Attempt)
}

func (w *failWorker[T]) NextRetry(*river.Job[T]) time.Time {
	if w.Immediate {
		return time.Now()
	}
	return time.Time{} // zero: River's default backoff
}

// bareArgs breaks the convention: no tenant_id.
type bareArgs struct{}

func (bareArgs) Kind() string { return "test.bare" }

// startQueue starts a working queue on db with the given workers.
func startQueue(t *testing.T, db *sqlstore.DB, workers *river.Workers, id string, periodic ...*river.PeriodicJob) *jobs.Queue {
	t.Helper()
	return startQueueConfig(t, db, jobs.Config{Work: true, Workers: workers, Periodic: periodic, PollInterval: 50 * time.Millisecond, ID: id})
}

// startQueueConfig starts a queue with cfg and stops it when the test ends.
func startQueueConfig(t *testing.T, db *sqlstore.DB, cfg jobs.Config) *jobs.Queue {
	t.Helper()
	q, err := jobs.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		if err := q.Stop(stopCtx); err != nil {
			t.Errorf("stop queue %s: %v", cfg.ID, err)
		}
		cancel()
	})
	return q
}

// waitFor polls cond until it holds, failing the test after a generous deadline.
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestEnqueueIsTransactional(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := &recordWorker{}
		workers := river.NewWorkers()
		river.AddWorker(workers, w)
		q := startQueue(t, db, workers, "tx-test")

		t.Run("commit enqueues and the job is worked", func(t *testing.T) {
			err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
				return tx.Enqueue(ctx, recordArgs{Tenant: jobargs.For("t1"), N: 1})
			})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "job 1 worked", func() (bool, error) { return w.saw(1), nil })
		})

		t.Run("rollback leaves no job", func(t *testing.T) {
			errAbort := errors.New("abort")
			err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
				if err := tx.Enqueue(ctx, recordArgs{Tenant: jobargs.For("t1"), N: 2}); err != nil {
					return err
				}
				return errAbort
			})
			if !errors.Is(err, errAbort) {
				t.Fatalf("InTx = %v, want the abort error", err)
			}
			res, err := q.Client.JobList(ctx, river.NewJobListParams().Kinds("test.record").First(100))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Jobs) != 1 {
				t.Fatalf("jobs after rollback = %d, want only the committed one", len(res.Jobs))
			}
			if w.saw(2) {
				t.Fatal("the rolled-back job was worked")
			}
		})

		t.Run("args without tenant_id are refused", func(t *testing.T) {
			err := db.InTx(ctx, func(tx *sqlstore.Tx) error { return tx.Enqueue(ctx, bareArgs{}) })
			if err == nil {
				t.Fatal("enqueue of args without tenant_id succeeded")
			}
		})
	})
}

func TestFailedJobsRetryThenBecomeDeadLetters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		workers := river.NewWorkers()
		river.AddWorker(workers, &failWorker[failArgs]{})
		river.AddWorker(workers, &failWorker[otherFailArgs]{Immediate: true})
		q := startQueue(t, db, workers, "retry-test")

		t.Run("a failure is retried later with backoff", func(t *testing.T) {
			res, err := q.Client.Insert(ctx, failArgs{Tenant: jobargs.For("t1"), Reason: "x"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			// A retry due soon may already be "available" (with a future
			// scheduled_at) rather than "retryable"; what matters is that it
			// failed, is not given up, and waits before the next attempt.
			var row *rivertype.JobRow
			waitFor(t, "first failure", func() (bool, error) {
				row, err = q.Client.JobGet(ctx, res.Job.ID)
				return err == nil && len(row.Errors) > 0 && row.State != rivertype.JobStateRunning, err
			})
			if row.State == rivertype.JobStateDiscarded {
				t.Fatalf("job discarded after %d attempts", row.Attempt)
			}
			if row.MaxAttempts != jobs.MaxAttempts {
				t.Errorf("max attempts = %d, want %d", row.MaxAttempts, jobs.MaxAttempts)
			}
			for i, e := range row.Errors {
				if e.Attempt != i+1 {
					t.Errorf("error %d is from attempt %d", i, e.Attempt)
				}
			}
			last := row.Errors[len(row.Errors)-1]
			if !row.ScheduledAt.After(last.At) {
				t.Errorf("next attempt scheduled at %v, not after the failure at %v", row.ScheduledAt, last.At)
			}
		})

		t.Run("exhausted jobs are discarded with every error kept", func(t *testing.T) {
			res, err := q.Client.Insert(ctx, otherFailArgs{Tenant: jobargs.For("t1")}, &river.InsertOpts{MaxAttempts: 3})
			if err != nil {
				t.Fatal(err)
			}
			var row *rivertype.JobRow
			waitFor(t, "dead letter", func() (bool, error) {
				row, err = q.Client.JobGet(ctx, res.Job.ID)
				return err == nil && row.State == rivertype.JobStateDiscarded, err
			})
			if row.Attempt != 3 || len(row.Errors) != 3 {
				t.Fatalf("attempt %d with %d errors, want 3 and 3", row.Attempt, len(row.Errors))
			}
			for i, e := range row.Errors {
				if want := fmt.Sprintf("upstream said no (attempt %d)", i+1); e.Attempt != i+1 || e.Error != want {
					t.Errorf("error %d = %d %q, want %d %q", i, e.Attempt, e.Error, i+1, want)
				}
			}
		})
	})
}

// TestJobsCommittedTogetherAreAllWoken overlaps two enqueuing transactions
// the way a burst does: B enqueues while A is still open, A commits and its
// job is worked, then B commits. The queue's insert notification for B may
// be merged with A's (the inserting client sends at most one per few
// milliseconds) and A's was delivered before B's job was visible, so only a
// wake-up sent after B's commit finds it. Polling is an hour here: a missed
// wake-up leaves the job waiting and the test counts it.
func TestJobsCommittedTogetherAreAllWoken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := &recordWorker{}
		workers := river.NewWorkers()
		river.AddWorker(workers, w)
		startQueueConfig(t, db, jobs.Config{Work: true, Workers: workers, PollInterval: time.Hour, ID: "wake-test"})
		// The first fetch at start must be over, or it could find B's job.
		time.Sleep(100 * time.Millisecond)

		const rounds = 10
		missed := 0
		for r := range rounds {
			a, b := 2*r+1, 2*r+2
			enqueue := func(n int, inserted, release chan struct{}, done chan error) {
				done <- db.InTx(ctx, func(tx *sqlstore.Tx) error {
					if err := tx.Enqueue(ctx, recordArgs{Tenant: jobargs.For("t1"), N: n}); err != nil {
						return err
					}
					close(inserted)
					<-release
					return nil
				})
			}
			insA, relA, doneA := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			insB, relB, doneB := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go enqueue(a, insA, relA, doneA)
			<-insA
			go enqueue(b, insB, relB, doneB)
			overlap := db.Dialect == sqlstore.Postgres // SQLite has one writer: B begins after A commits
			if overlap {
				<-insB
			}
			close(relA)
			if err := <-doneA; err != nil {
				t.Fatal(err)
			}
			if !overlap {
				close(relB) // the workers need the one writer to fetch A's job
			}
			if !workedWithin(w, a, 10*time.Second) {
				t.Fatalf("round %d: job %d, committed alone, was not worked", r, a)
			}
			if overlap {
				close(relB)
			}
			if err := <-doneB; err != nil {
				t.Fatal(err)
			}
			if !workedWithin(w, b, 10*time.Second) {
				missed++
			}
		}
		if missed > 0 {
			t.Fatalf("%d of %d jobs committed just after another were not worked: no wake-up reached the workers after their commit", missed, rounds)
		}
	})
}

// workedWithin reports whether job n is worked before d passes.
func workedWithin(w *recordWorker, n int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !w.saw(n) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}
