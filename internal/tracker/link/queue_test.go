package link_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// eventually polls cond until it holds or 15 seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestJobsOnTheQueue runs the real workers: a new ticket's create job opens
// its issue (through a 429), and the periodic sync resolves the ticket.
func TestJobsOnTheQueue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db, jira.Cloud)
		ws := river.NewWorkers()
		jobs.AddTrackerWorkers(ws, f.svc)
		q, err := jobs.New(db, jobs.Config{Work: true, Workers: ws, PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := q.Stop(stop); err != nil {
				t.Errorf("stop queue: %v", err)
			}
		})
		f.jira.Inject(jiratest.RouteCreate, jiratest.RateLimit("1", 1))
		pay := f.app(t, "PaymentService", true)
		tk := f.ticket(t, pay)
		eventually(t, "the issue", func() bool { return f.link(t, tk, pay).SyncStatus == link.Created })
		f.jira.SetStatus(f.link(t, tk, pay).IssueKey, "Done", jiratest.CategoryDone)
		// The periodic fan-out enqueues the tenant's sync.
		if err := db.EnqueueJobs(ctx, []jobargs.Args{jobargs.TrackerSyncAll{Tenant: jobargs.For(jobargs.SystemTenant)}}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the resolution", func() bool { return f.status(t, tk) == ticket.Resolved })
		if n := len(f.jira.Issues()); n != 1 {
			t.Errorf("%d issues, want 1", n)
		}
	})
}
