package score_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestSignalRescoresItsVendorAndDailyRescoreRunsOnce runs two replicas on
// one database, each working the score jobs and scheduling the daily full
// rescore. A signal that lands enqueues the rescore of its vendor alone
// (a duplicate enqueues nothing); the daily rescore runs once for the
// cluster, on the elected leader, and rescores every vendor with signals.
func TestSignalRescoresItsVendorAndDailyRescoreRunsOnce(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, d)
			dbA := storetest.OpenURL(t, url)
			f := newFixture(t, dbA)
			ref := score.VendorRef{ID: f.acme.ID}
			for _, ev := range []string{"land-1", "land-1"} {
				if _, err := f.svc.Submit(ctx, f.admin, "rest", []score.Submission{f.sub(ev, "security_incident_count", 5, ref)}); err != nil {
					t.Fatal(err)
				}
			}
			if n := countJobs(t, dbA, "score.rescore"); n != 1 {
				t.Fatalf("%d vendor rescores enqueued for one signal and its duplicate, want 1", n)
			}
			if n := countHistory(t, dbA, f.zeta.ID); n != 0 {
				t.Fatalf("a vendor without signals has %d scores", n)
			}
			replica := func(db *sqlstore.DB, id string) {
				svc := &score.Service{Store: db, Now: f.svc.Now, Consequences: f.svc.Consequences}
				ws := river.NewWorkers()
				jobs.AddScoreWorkers(ws, svc, db)
				river.AddWorker(ws, river.WorkFunc(func(context.Context, *river.Job[bandJob]) error { return nil }))
				q, err := jobs.New(db, jobs.Config{Work: true, Workers: ws, ID: id, PollInterval: 50 * time.Millisecond,
					Periodic: []*river.PeriodicJob{jobs.ScoreRescoreAll()}})
				if err != nil {
					t.Fatal(err)
				}
				qctx, cancel := context.WithCancel(ctx)
				if err := q.Start(qctx); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					stop, done := context.WithTimeout(ctx, 10*time.Second)
					defer done()
					_ = q.Stop(stop) // best effort at the end of the test
					cancel()
				})
			}
			replica(dbA, "replica-a")
			waitUntil(t, "replica-a elected", func() bool {
				leader, err := dbA.QueueLeader(ctx)
				return err == nil && leader == "replica-a"
			})
			replica(storetest.OpenURL(t, url), "replica-b")
			// The vendor's own rescore and the daily one each leave a
			// score in its history; the other vendor has no signal.
			waitUntil(t, "both rescores", func() bool {
				return countJobsIn(t, dbA, "score.rescore", "completed") == 1 &&
					countJobsIn(t, dbA, "score.rescore_all", "completed") == 1
			})
			if n := countJobs(t, dbA, "score.rescore_all"); n != 1 {
				t.Errorf("%d daily rescores for two replicas, want 1", n)
			}
			if n := countHistory(t, dbA, f.acme.ID); n != 2 {
				t.Errorf("%d scores in the vendor's history, want 2 (its own rescore and the daily one)", n)
			}
			if n := countHistory(t, dbA, f.zeta.ID); n != 0 {
				t.Errorf("the vendor without signals was scored %d times", n)
			}
			card, err := f.svc.VendorCard(ctx, f.admin, f.acme.ID)
			if err != nil || card.Score.Band != score.Critical {
				t.Errorf("vendor after the signal: %s %s (%v), want critical", card.Score.Text(), card.Score.Band, err)
			}
		})
	}
}

func countHistory(t *testing.T, db *sqlstore.DB, vendorID string) int {
	t.Helper()
	var n int
	if err := db.WritePool().QueryRow(numbered(db, `SELECT COUNT(*) FROM score_history WHERE vendor_id = ?`), vendorID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func countJobsIn(t *testing.T, db *sqlstore.DB, kind, state string) int {
	t.Helper()
	var n int
	if err := db.WritePool().QueryRow(numbered(db, `SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = ?`), kind, state).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitUntil polls cond until it holds, failing after a generous deadline.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
