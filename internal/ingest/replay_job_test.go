package ingest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// quarantinedEvents accepts n events before any schema or mapping exists
// (so normalization quarantines them), then sets the rules up, and returns
// their ids in order.
func (f *fixture) quarantinedEvents(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		ids = append(ids, f.mustAccept(t, envelope("vendorA", fmt.Sprintf("q-%02d", i), fmt.Sprintf(`{"sku":"S-%d","qty":%d,"warehouse":"ROA"}`, i, i))))
	}
	f.normalize(t)
	f.setUpRules(t)
	return ids
}

func (f *fixture) runReplay(t *testing.T, id string) ingest.ReplayJob {
	t.Helper()
	ctx := context.Background()
	w := &jobs.IngestReplayWorker{Ingest: f.svc}
	if err := w.Work(ctx, &river.Job[jobargs.IngestReplay]{
		JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 25},
		Args:   jobargs.IngestReplay{Tenant: jobargs.For(f.vendor.TenantID), ReplayID: id}}); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.ReplayJobByID(ctx, f.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReplayInTheBackground: a selection larger than a request replays
// starts a background replay with its total; the job replays it page by
// page with its progress saved, goes on from the last saved page after a
// stop, and can be cancelled (what it replayed stays replayed).
func TestReplayInTheBackground(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.svc.ReplayInline, f.svc.ReplayPage = 5, 4
		ids := f.quarantinedEvents(t, 12)
		res, err := f.svc.Replay(ctx, f.admin, ingest.Selection{Quarantine: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Job == nil || res.Job.Status != ingest.ReplayQueued || res.Job.Total != 12 || res.Selected != 0 {
			t.Fatalf("replay of 12 events = %+v, want a queued background replay of 12", res)
		}
		var queued int
		if err := db.WritePool().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'ingest.replay'`).Scan(&queued); err != nil || queued != 1 {
			t.Fatalf("%d replay jobs queued (%v), want 1", queued, err)
		}

		// The process stopped after saving its first page: the job goes
		// on from there (the first four, which the stopped process is
		// taken to have replayed, are not touched again).
		stopped := *res.Job
		stopped.Status, stopped.Done, stopped.Quarantined, stopped.AfterID = ingest.ReplayRunning, 4, 4, ids[3]
		if err := db.SaveReplayProgress(ctx, stopped); err != nil {
			t.Fatal(err)
		}
		got := f.runReplay(t, res.Job.ID)
		if got.Status != ingest.ReplayCompleted || got.Done != 12 || got.Normalized != 8 || got.Quarantined != 4 ||
			got.StartedAt == nil || got.FinishedAt == nil {
			t.Fatalf("replay after the restart = %+v", got)
		}
		for i, id := range ids {
			want := ingest.Normalized
			if i < 4 {
				want = ingest.Quarantined
			}
			if e := f.event(t, id); e.Status != want {
				t.Errorf("event %d: %s, want %s", i, e.Status, want)
			}
		}
		if again := f.runReplay(t, res.Job.ID); again.Done != 12 || again.Status != ingest.ReplayCompleted {
			t.Errorf("a finished replay run again = %+v", again)
		}

		t.Run("cancelled", func(t *testing.T) {
			res, err := f.svc.Replay(ctx, f.admin, ingest.Selection{VendorID: f.vendor.VendorID})
			if err != nil || res.Job == nil {
				t.Fatalf("replay = %+v, %v", res, err)
			}
			c, err := f.svc.CancelReplay(ctx, f.admin, res.Job.ID)
			if err != nil || !c.CancelRequested {
				t.Fatalf("cancel = %+v, %v", c, err)
			}
			got := f.runReplay(t, res.Job.ID)
			if got.Status != ingest.ReplayCancelled || got.Done != 0 {
				t.Errorf("cancelled replay = %+v", got)
			}
			if _, err := f.svc.CancelReplay(ctx, f.admin, res.Job.ID); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("cancelling a cancelled replay: %v, want a conflict", err)
			}
			list, err := f.svc.ReplayJobs(ctx, f.admin)
			if err != nil || len(list) != 2 || list[0].ID != res.Job.ID {
				t.Errorf("replays = %+v, %v", list, err)
			}
		})
	})
}
