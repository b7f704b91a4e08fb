package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestOrphanedJobsAreRescued leaves jobs "running" as a killed process
// would — its lease ended, nobody will finish them — and starts another
// process: it works them at once instead of after the queue's 16-minute
// rescue, turns the one with no attempts left into a dead letter, and
// leaves alone the job of a process whose lease is still alive.
func TestOrphanedJobsAreRescued(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := &recordWorker{}
		workers := river.NewWorkers()
		river.AddWorker(workers, w)

		// Jobs inserted by a process that only inserts.
		ins, err := jobs.New(db, jobs.Config{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[int]int64{}
		for n := 1; n <= 4; n++ {
			res, err := ins.Client.Insert(ctx, recordArgs{Tenant: jobargs.For("t1"), N: n}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids[n] = res.Job.ID
		}
		// 1 and 2: running on a process killed mid-job; 3: the same, on its
		// last attempt; 4: running on a process that is alive.
		if err := db.RenewWorkerLease(ctx, "killed-proc", -time.Second); err != nil {
			t.Fatal(err)
		}
		if err := db.RenewWorkerLease(ctx, "alive-proc", time.Hour); err != nil {
			t.Fatal(err)
		}
		markRunning(t, db, ids[1], "killed-proc", 1)
		markRunning(t, db, ids[2], "killed-proc", 2)
		markRunning(t, db, ids[3], "killed-proc", jobs.MaxAttempts)
		markRunning(t, db, ids[4], "alive-proc", 1)

		startQueue(t, db, workers, "survivor")
		waitFor(t, "jobs of the killed process worked", func() (bool, error) { return w.saw(1) && w.saw(2), nil })

		get := func(n int) *rivertype.JobRow {
			t.Helper()
			j, err := ins.Client.JobGet(ctx, ids[n])
			if err != nil {
				t.Fatal(err)
			}
			return j
		}
		waitFor(t, "job 3 discarded", func() (bool, error) { return get(3).State == rivertype.JobStateDiscarded, nil })
		j3 := get(3)
		if len(j3.Errors) == 0 || !strings.Contains(j3.Errors[len(j3.Errors)-1].Error, "killed-proc") {
			t.Errorf("dead letter's errors = %+v, want one naming the stopped process", j3.Errors)
		}
		if w.saw(3) {
			t.Error("a job with no attempts left was worked again")
		}
		waitFor(t, "job 1 completed", func() (bool, error) { return get(1).State == rivertype.JobStateCompleted, nil })
		if j1 := get(1); len(j1.Errors) != 1 {
			t.Errorf("job 1: %d errors; want the rescue recorded", len(j1.Errors))
		}
		if j4 := get(4); j4.State != rivertype.JobStateRunning || w.saw(4) {
			t.Errorf("job 4 of a live process: state %s, worked %v; want left running", j4.State, w.saw(4))
		}

		// Once the live process's lease ends too, its job is rescued.
		if err := db.ReleaseWorkerLease(ctx, "alive-proc"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "job of the released lease worked", func() (bool, error) { return w.saw(4), nil })
	})
}

// markRunning makes job id look like an attempt in progress on client.
func markRunning(t *testing.T, db *sqlstore.DB, id int64, client string, attempt int) {
	t.Helper()
	q := `UPDATE river_job SET state = 'running', attempt = $1, attempted_at = now(), attempted_by = ARRAY[$2::text] WHERE id = $3`
	if db.Dialect == sqlstore.SQLite {
		q = `UPDATE river_job SET state = 'running', attempt = $1, attempted_at = datetime('now', 'subsec'), attempted_by = json_array($2) WHERE id = $3`
	}
	err := db.InTx(context.Background(), func(tx *sqlstore.Tx) error {
		_, err := tx.SQL().ExecContext(context.Background(), q, attempt, client, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
