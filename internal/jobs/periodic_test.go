package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/secret"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// tickArgs is a periodic job; Node names the client whose schedule
// enqueued it.
type tickArgs struct {
	jobargs.Tenant
	Node string `json:"node"`
}

func (tickArgs) Kind() string { return "test.tick" }

type tickRun struct {
	JobID       int64
	Node        string
	ScheduledAt time.Time
}

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	mu   sync.Mutex
	runs []tickRun
}

func (w *tickWorker) Work(_ context.Context, j *river.Job[tickArgs]) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.runs = append(w.runs, tickRun{JobID: j.ID, Node: j.Args.Node, ScheduledAt: j.ScheduledAt})
	return nil
}

func (w *tickWorker) snapshot() []tickRun {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]tickRun(nil), w.runs...)
}

// TestPeriodicJobsRunOncePerCluster runs two queue clients (two replicas) on
// one database, both configured with the same one-second periodic job, and
// checks that every scheduled slot ran exactly once, enqueued by the leader.
//
// What River guarantees: only the elected leader runs the periodic enqueuer,
// and a leader holds its lease (15 s by default) while it keeps renewing, so
// a follower's schedule never fires while the leader lives. Periodic adds
// uniqueness per slot, which the database enforces even across a leadership
// hand-over. The assertions count distinct slots and scheduled times, not
// durations, so a slow machine only makes the test wait longer.
func TestPeriodicJobsRunOncePerCluster(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, d)
			replica := func(node string) (*sqlstore.DB, *tickWorker, *jobs.Queue) {
				db, err := sqlstore.Open(ctx, url, t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				db.Keys = secret.NewForTest()
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				w := &tickWorker{}
				workers := river.NewWorkers()
				river.AddWorker(workers, w)
				tick := jobs.Periodic("test.tick", time.Second, func() river.JobArgs {
					return tickArgs{Tenant: jobargs.For(jobargs.SystemTenant), Node: node}
				})
				return db, w, startQueue(t, db, workers, node, tick)
			}
			// A starts first and wins the election before B exists.
			dbA, wA, qA := replica("node-a")
			waitFor(t, "node-a elected", func() (bool, error) {
				leader, err := dbA.QueueLeader(ctx)
				return leader == "node-a", err
			})
			_, wB, _ := replica("node-b")

			const wantRuns = 4
			var runs []tickRun
			waitFor(t, "periodic runs", func() (bool, error) {
				runs = append(wA.snapshot(), wB.snapshot()...)
				return len(runs) >= wantRuns, nil
			})
			leaderAfter, err := dbA.QueueLeader(ctx)
			if err != nil {
				t.Fatal(err)
			}

			byJob := map[int64]int{}
			bySlot := map[time.Time]int{}
			byScheduled := map[time.Time]int{}
			nodes := map[string]int{}
			for _, r := range runs {
				byJob[r.JobID]++
				bySlot[r.ScheduledAt.Truncate(time.Second)]++
				byScheduled[r.ScheduledAt]++
				nodes[r.Node]++
			}
			for id, n := range byJob {
				if n > 1 {
					t.Errorf("job %d worked %d times", id, n)
				}
			}
			for slot, n := range bySlot {
				if n > 1 {
					t.Errorf("slot %v ran %d times", slot, n)
				}
			}
			if len(byScheduled) != len(runs) {
				t.Errorf("%d runs but only %d distinct scheduled times", len(runs), len(byScheduled))
			}

			// The database agrees: one job per slot, whatever was worked.
			res, err := qA.Client.JobList(ctx, river.NewJobListParams().Kinds("test.tick").First(1000).
				States(rivertype.JobStateAvailable, rivertype.JobStateRunning, rivertype.JobStateCompleted, rivertype.JobStateScheduled))
			if err != nil {
				t.Fatal(err)
			}
			dbSlots := map[time.Time]int64{}
			for _, j := range res.Jobs {
				slot := j.ScheduledAt.Truncate(time.Second)
				if other, dup := dbSlots[slot]; dup {
					t.Errorf("jobs %d and %d share the slot %v", other, j.ID, slot)
				}
				dbSlots[slot] = j.ID
			}

			// Only the leader enqueued. Leadership only moves when a leader
			// stops renewing for a whole lease; if that happened on a very
			// slow machine, the per-slot checks above still hold.
			if leaderAfter == "node-a" {
				if len(nodes) != 1 || nodes["node-a"] == 0 {
					t.Errorf("runs by enqueuing node = %v, want node-a only", nodes)
				}
			} else {
				t.Logf("leadership moved to %q during the test; per-node check skipped", leaderAfter)
			}
		})
	}
}
