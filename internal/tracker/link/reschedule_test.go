package link_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// remoteDueDate reads the due date of the first issue the fake tracker
// holds.
func remoteDueDate(t *testing.T, r pollRemote) string {
	t.Helper()
	switch x := r.(type) {
	case *jiraRemote:
		is, _ := x.Issue("PAY-1")
		return is.DueDate
	case *forgeRemote:
		is, _ := x.Core.Get("acme/payments", 1)
		return is.DueDate
	}
	t.Fatalf("no due date reader for %T", r)
	return ""
}

// pushJobs counts the push jobs enqueued.
func (f *fixture) pushJobs(t *testing.T) int {
	return f.jobsOf(t, "tracker.push")
}

// jobsOf counts the jobs of a kind enqueued.
func (f *fixture) jobsOf(t *testing.T, kind string) int {
	t.Helper()
	res, err := f.queue.Client.JobList(context.Background(), river.NewJobListParams().Kinds(kind).First(1000))
	if err != nil {
		t.Fatal(err)
	}
	return len(res.Jobs)
}

// moveDueDates runs the due-date job that moving a ticket's effective
// date enqueued, as its worker does, and checks that running it again
// (a retried job) changes nothing.
func moveDueDates(t *testing.T, svc *link.Service, f *fixture, ticketID string, want int) {
	t.Helper()
	ctx := context.Background()
	n, err := svc.MoveDueDates(ctx, f.tenant, ticketID)
	if err != nil || n != want {
		t.Fatalf("due dates moved: %d %v, want %d", n, err, want)
	}
	if n, err := svc.MoveDueDates(ctx, f.tenant, ticketID); err != nil || n != 0 {
		t.Fatalf("due dates moved again: %d %v", n, err)
	}
}

// TestEffectiveDateMovesDueDates: moving a ticket's effective date
// computes its due time again, records it on the timeline and in the
// audit log with the reason, and — in the same write — enqueues the job
// that gives its issue the new due date: an outbox row with a push job;
// the push reaches the tracker and the next poll brings nothing back. GitHub has no due dates: its issue is left
// alone and its sync log says why.
func TestEffectiveDateMovesDueDates(t *testing.T) {
	for _, k := range []tracker.Kind{gitea.Kind, gitlab.Kind, jira.KindCloud, github.Kind} {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f, r, linkID, _ := pollFixture(t, db, k, 0)
				conn := f.connID(t)
				if _, err := f.svc.Poll(ctx, f.tenant, conn); err != nil {
					t.Fatal(err)
				}
				l, err := db.TrackerLink(ctx, f.tenant, linkID)
				if err != nil {
					t.Fatal(err)
				}
				before, err := f.tickets.ByID(ctx, f.admin, l.TicketID)
				if err != nil {
					t.Fatal(err)
				}
				oldRemote := remoteDueDate(t, r)
				if k != github.Kind && oldRemote != string(before.EffectiveDate) {
					t.Fatalf("issue created with due date %q, ticket's effective date %s", oldRemote, before.EffectiveDate)
				}
				jobs, moves := f.pushJobs(t), f.jobsOf(t, "tracker.due_dates")

				// Earlier than created + SLA: the due time becomes the end
				// of the new effective date.
				date := before.CreatedAt.AddDate(0, 0, 10).Format(time.DateOnly)
				got, err := f.tickets.ChangeEffectiveDate(ctx, f.admin, before.Number,
					ticket.DateChange{EffectiveDate: date, Reason: "Visa postponed the cut-over."})
				if err != nil {
					t.Fatal(err)
				}
				wantDue, _ := ticket.Date(date).EndOf(time.UTC)
				if got.EffectiveDate != ticket.Date(date) || !got.DueAt.Equal(wantDue) || got.DueAt.Equal(before.DueAt) {
					t.Fatalf("ticket after the move: effective %s due %v (before %v)", got.EffectiveDate, got.DueAt, before.DueAt)
				}
				stored, err := f.tickets.ByID(ctx, f.admin, l.TicketID)
				if err != nil || stored.EffectiveDate != ticket.Date(date) || !stored.DueAt.Equal(wantDue) || stored.Version != before.Version+1 {
					t.Fatalf("stored ticket: %+v %v", stored, err)
				}
				evs, err := f.tickets.Events(ctx, f.admin, stored)
				if err != nil || evs[len(evs)-1].Kind != ticket.EventRescheduled ||
					!strings.Contains(evs[len(evs)-1].Body, "Visa postponed the cut-over.") {
					t.Fatalf("timeline: %+v %v", evs, err)
				}
				entries, _, err := db.ListAudit(ctx, f.tenant, audit.Filter{Action: "ticket.effective_date", Limit: 10})
				if err != nil || len(entries) != 1 || entries[0].EntityID != stored.ID ||
					!strings.Contains(entries[0].Before, string(before.EffectiveDate)) ||
					!strings.Contains(entries[0].After, date) || !strings.Contains(entries[0].After, "Visa postponed the cut-over.") {
					t.Fatalf("audit: %+v %v", entries, err)
				}
				if n := f.jobsOf(t, "tracker.due_dates"); n != moves+1 {
					t.Fatalf("due-date jobs: %d, want %d", n, moves+1)
				}
				if ob, _, _ := f.svc.Outbox(ctx, f.admin, link.OutboxFilter{LinkID: linkID, Limit: 10}); len(ob) != 0 {
					t.Fatalf("outbox before the due-date job ran: %+v", ob)
				}
				moved := 1
				if k == github.Kind {
					moved = 0
				}
				moveDueDates(t, f.svc, f, l.TicketID, moved)
				ob, _, err := f.svc.Outbox(ctx, f.admin, link.OutboxFilter{LinkID: linkID, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				logs, _, err := f.svc.SyncLog(ctx, f.admin, link.SyncLogFilter{LinkID: linkID, Limit: 1})
				if err != nil || len(logs) != 1 {
					t.Fatalf("sync log: %+v %v", logs, err)
				}

				if k == github.Kind {
					if len(ob) != 0 || f.pushJobs(t) != jobs {
						t.Fatalf("a due date was queued for GitHub: %+v", ob)
					}
					if e := logs[0]; e.Action != link.SyncSkipped || e.Source != link.SourceTicket ||
						e.After["due_date"] != date || !strings.Contains(e.After["reason"].(string), "no due date") {
						t.Fatalf("sync log entry: %+v", e)
					}
					if res, err := f.svc.PushOutbox(ctx, f.tenant, linkID); err != nil || res.Rows != 0 {
						t.Fatalf("push: %+v %v", res, err)
					}
				} else {
					if len(ob) != 1 || ob[0].Status != link.OutboxPending || len(ob[0].Fields) != 1 ||
						ob[0].Fields[0] != link.FieldDueDate || ob[0].Change.DueDate != date {
						t.Fatalf("outbox: %+v", ob)
					}
					if n := f.pushJobs(t); n != jobs+1 {
						t.Fatalf("push jobs: %d, want %d", n, jobs+1)
					}
					if e := logs[0]; e.Action != link.SyncEdit || e.Source != link.SourceTicket || e.After["due_date"] != date {
						t.Fatalf("sync log entry: %+v", e)
					}
					if res, err := f.svc.PushOutbox(ctx, f.tenant, linkID); err != nil || res.LastError != "" || res.Rows != 1 {
						t.Fatalf("push: %+v %v", res, err)
					}
					if got := remoteDueDate(t, r); got != date {
						t.Fatalf("due date at the tracker: %q, want %s", got, date)
					}
				}
				m, err := db.TrackerMirror(ctx, f.tenant, linkID)
				if err != nil {
					t.Fatal(err)
				}
				after := noEchoPoll(t, f, conn, linkID, m.IssueFields)
				if k != github.Kind && (after.DueDate != date || after.LastSynced.DueDate != date) {
					t.Errorf("mirror after the poll: %+v", after)
				}
				if k == github.Kind && remoteDueDate(t, r) != oldRemote {
					t.Errorf("GitHub issue changed")
				}

				// The same date again changes nothing.
				if again, err := f.tickets.ChangeEffectiveDate(ctx, f.admin, before.Number,
					ticket.DateChange{EffectiveDate: date, Reason: "Again."}); err != nil || again.Version != stored.Version {
					t.Fatalf("same date: %+v %v", again, err)
				}
				if ob2, _, _ := f.svc.Outbox(ctx, f.admin, link.OutboxFilter{LinkID: linkID, Limit: 10}); len(ob2) != len(ob) {
					t.Errorf("the same date queued another push: %+v", ob2)
				}
				if n := f.jobsOf(t, "tracker.due_dates"); n != moves+1 {
					t.Errorf("the same date enqueued another due-date job: %d", n)
				}
			})
		})
	}
}

// TestEffectiveDateSkipsTrackersWithoutEdits: where the tracker takes no
// edits from VendorSync, a moved effective date still moves the ticket;
// its issue is left alone, nothing is queued and the sync log says why.
func TestEffectiveDateSkipsTrackersWithoutEdits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f, _, linkID, _ := pollFixture(t, db, gitea.Kind, 0)
		if _, err := f.svc.Poll(ctx, f.tenant, f.connID(t)); err != nil {
			t.Fatal(err)
		}
		ro := &link.Service{Store: db, Hooks: db, Tickets: f.tickets, Providers: readOnlyRegistry(), Now: f.clock.now}
		l, err := db.TrackerLink(ctx, f.tenant, linkID)
		if err != nil {
			t.Fatal(err)
		}
		tk, err := f.tickets.ByID(ctx, f.admin, l.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		before, err := db.TrackerMirror(ctx, f.tenant, linkID)
		if err != nil {
			t.Fatal(err)
		}
		date := tk.CreatedAt.AddDate(0, 0, 30).Format(time.DateOnly)
		got, err := f.tickets.ChangeEffectiveDate(ctx, f.admin, tk.Number, ticket.DateChange{EffectiveDate: date, Reason: "Moved."})
		if err != nil || got.EffectiveDate != ticket.Date(date) {
			t.Fatalf("move: %+v %v", got, err)
		}
		moveDueDates(t, ro, f, tk.ID, 0)
		after, err := db.TrackerMirror(ctx, f.tenant, linkID)
		if err != nil || after.DueDate != before.DueDate {
			t.Fatalf("mirror: %+v %v", after, err)
		}
		if ob, _, err := ro.Outbox(ctx, f.admin, link.OutboxFilter{LinkID: linkID, Limit: 10}); err != nil || len(ob) != 0 {
			t.Fatalf("outbox: %+v %v", ob, err)
		}
		logs, _, err := ro.SyncLog(ctx, f.admin, link.SyncLogFilter{LinkID: linkID, Limit: 1})
		if err != nil || len(logs) != 1 || logs[0].Action != link.SyncSkipped ||
			!strings.Contains(logs[0].After["reason"].(string), "does not accept edits from VendorSync") {
			t.Fatalf("sync log: %+v %v", logs, err)
		}
	})
}
