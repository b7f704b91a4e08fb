package ticket_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// notifyArgs stands for a follow-up job (a notification, a tracker issue).
type notifyArgs struct {
	jobargs.Tenant
	Number int64  `json:"number"`
	Event  string `json:"event"`
}

func (notifyArgs) Kind() string { return "ticket_test.notify" }

// brokenArgs cannot be encoded, so enqueueing it fails.
type brokenArgs struct {
	C chan int `json:"c"`
}

func (brokenArgs) Kind() string { return "ticket_test.broken" }

// TestFollowUpJobsCommitWithTheTicket checks that the jobs of a creation and
// of a transition are enqueued in the same transaction: they exist with the
// ticket, and a job that cannot be enqueued leaves no ticket behind.
func TestFollowUpJobsCommitWithTheTicket(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		q, err := jobs.New(db, jobs.Config{}) // insert-only
		if err != nil {
			t.Fatal(err)
		}
		f.svc.Consequences.Moved = func(tk ticket.Ticket, steps []ticket.Step) []jobargs.Args {
			return []jobargs.Args{notifyArgs{Tenant: jobargs.For(tk.TenantID), Number: tk.Number, Event: string(tk.Status)}}
		}
		d := ticket.Draft{VendorID: f.vendor.ID, Topic: "Visa endpoint change", Severity: registry.SeverityHigh, SLADays: 7}
		f.svc.Consequences.Created = func(ticket.Ticket) []jobargs.Args { return []jobargs.Args{brokenArgs{}} }
		if _, err := f.svc.Create(ctx, f.sys, d); err == nil {
			t.Fatal("a job that cannot be encoded was enqueued")
		}
		if ts, _, err := f.svc.List(ctx, f.sys, ticket.Filter{}); err != nil || len(ts) != 0 {
			t.Fatalf("after the failed creation: %v %v", ts, err)
		}
		f.svc.Consequences.Created = func(tk ticket.Ticket) []jobargs.Args {
			return []jobargs.Args{notifyArgs{Tenant: jobargs.For(tk.TenantID), Number: tk.Number, Event: "created"}}
		}
		tk, err := f.svc.Create(ctx, f.sys, d)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Number != 1 {
			t.Errorf("the rolled-back creation used up a number: %s", tk.Key())
		}
		if _, err := f.svc.Transition(ctx, f.cm, tk.Number, ticket.Request{To: ticket.InProgress}); err != nil {
			t.Fatal(err)
		}
		res, err := q.Client.JobList(ctx, river.NewJobListParams().Kinds("ticket_test.notify").First(10))
		if err != nil {
			t.Fatal(err)
		}
		var got []notifyArgs
		for _, j := range res.Jobs {
			var a notifyArgs
			if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
				t.Fatal(err)
			}
			got = append(got, a)
		}
		if len(got) != 2 || got[0].Number != 1 || got[0].TenantID != f.sys.TenantID || got[1].Event != "in_progress" {
			t.Errorf("jobs = %+v", got)
		}
	})
}
