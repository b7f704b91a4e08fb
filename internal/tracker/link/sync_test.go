package link_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// sync runs a tenant sync and returns its result.
func (f *fixture) sync(t testing.TB) link.SyncResult {
	t.Helper()
	res, err := f.svc.Sync(context.Background(), f.tenant)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return res
}

// status returns a ticket's current state.
func (f *fixture) status(t testing.TB, tk ticket.Ticket) ticket.Status {
	t.Helper()
	got, err := f.tickets.Get(context.Background(), f.admin, tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	return got.Status
}

// transitions lists a ticket's transitions as "actor: from → to".
func (f *fixture) transitions(t testing.TB, tk ticket.Ticket) []string {
	t.Helper()
	evs, err := f.tickets.Events(context.Background(), f.admin, tk)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		if ev.Kind == ticket.EventTransition {
			out = append(out, ev.ActorLabel+": "+string(ev.From)+" → "+string(ev.To))
		}
	}
	return out
}

// TestSyncMovesTheTicket follows a ticket through its issues' statuses,
// on every kind of tracker (a forge's issue is in progress by its label):
// in progress, done while an application without a tracker is not
// complete (no resolution), resolved once it is, and back when an issue
// reopens.
func TestSyncMovesTheTicket(t *testing.T) {
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f := newKindFixture(t, db, kind)
				pay, fraud, ledger := f.app(t, "PaymentService", true), f.app(t, "FraudEngine", true), f.app(t, "Ledger", false)
				tk := f.ticket(t, pay, fraud, ledger)
				k1, k2 := f.attempt(t, tk, pay).Link.IssueKey, f.attempt(t, tk, fraud).Link.IssueKey

				step := func(name string, want link.SyncResult, status ticket.Status) {
					t.Helper()
					got := f.sync(t)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s: sync result (-want +got):\n%s", name, diff)
					}
					if s := f.status(t, tk); s != status {
						t.Errorf("%s: ticket %s, want %s", name, s, status)
					}
				}
				step("first sync reads the statuses", link.SyncResult{Links: 2, Searches: 1, Changed: 2}, ticket.Open)
				l := f.link(t, tk, pay)
				if l.StatusName != f.remote.statusName(tracker.ToDo) || l.StatusCategory != tracker.ToDo || l.LastSyncedAt == nil {
					t.Errorf("link after the first sync: %+v", l)
				}
				step("nothing changed", link.SyncResult{Links: 2, Searches: 1}, ticket.Open)
				f.remote.setStatus(t, k1, tracker.InProgress)
				step("an issue in progress", link.SyncResult{Links: 2, Searches: 1, Changed: 1, Transitions: 1}, ticket.InProgress)
				f.remote.setStatus(t, k1, tracker.Done)
				f.remote.setStatus(t, k2, tracker.Done)
				step("all done, Ledger incomplete", link.SyncResult{Links: 2, Searches: 1, Changed: 2}, ticket.InProgress)
				if _, err := f.tickets.MarkProgress(ctx, f.admin, tk.Number, ledger.ID, ticket.ProgressComplete); err != nil {
					t.Fatal(err)
				}
				step("Ledger complete", link.SyncResult{Links: 2, Searches: 1, Transitions: 1}, ticket.Resolved)
				f.remote.setStatus(t, k2, tracker.ToDo)
				step("an issue reopened", link.SyncResult{Links: 2, Searches: 1, Changed: 1, Transitions: 1}, ticket.InProgress)
				want := []string{"system: open → in_progress", "system: in_progress → resolved", "system: resolved → in_progress"}
				if diff := cmp.Diff(want, f.transitions(t, tk)); diff != "" {
					t.Errorf("timeline (-want +got):\n%s", diff)
				}
				if n := len(f.actions(t, "tracker_link.status")); n != 6 {
					t.Errorf("%d status audit rows, want 6 (one per change)", n)
				}
			})
		})
	}
}

// TestSyncResolvesAnOpenTicketInTwoSteps: all issues done on a ticket that
// is still open records open → in_progress → resolved, both audited.
func TestSyncResolvesAnOpenTicketInTwoSteps(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, jira.Cloud)
		pay := f.app(t, "PaymentService", true)
		tk := f.ticket(t, pay)
		f.jira.SetStatus(f.attempt(t, tk, pay).Link.IssueKey, "Done", jiratest.CategoryDone)
		if res := f.sync(t); res.Transitions != 1 {
			t.Errorf("sync: %+v", res)
		}
		if diff := cmp.Diff([]string{"system: open → in_progress", "system: in_progress → resolved"}, f.transitions(t, tk)); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
		if n := len(f.actions(t, "ticket.transition")); n != 2 {
			t.Errorf("%d transition audit rows, want 2", n)
		}
		// Resolved tickets keep being synced; closed ones are not.
		if res := f.sync(t); res.Links != 1 || res.Transitions != 0 {
			t.Errorf("second sync: %+v", res)
		}
	})
}

// markCreated records seeded Jira keys on a ticket's links, as if their
// issues had been created.
func (f *fixture) markCreated(t testing.TB, tk ticket.Ticket, keys []string) {
	t.Helper()
	ctx := context.Background()
	links, err := f.db.TicketTrackerLinks(ctx, f.tenant, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range links {
		o := link.Outcome{TenantID: f.tenant, LinkID: l.ID, SyncStatus: link.Created, At: time.Now(),
			Issue: tracker.Issue{Key: keys[i], URL: f.jira.URL + "/browse/" + keys[i], StatusCategory: tracker.Unknown}}
		if err := f.db.FinishTrackerLink(ctx, o, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// linkedTickets creates n tickets affecting apps tracker applications each,
// with their issues seeded in Jira, and returns the tickets.
func (f *fixture) linkedTickets(t testing.TB, n, apps int) []ticket.Ticket {
	t.Helper()
	var as []registry.Application
	for i := range apps {
		as = append(as, f.app(t, "App "+string(rune('A'+i/26))+string(rune('a'+i%26)), true))
	}
	keys := f.jira.Seed("PAY", n*apps)
	var out []ticket.Ticket
	for i := range n {
		tk := f.ticket(t, as...)
		f.markCreated(t, tk, keys[i*apps:(i+1)*apps])
		out = append(out, tk)
	}
	return out
}

// TestSyncSearchesInChunksOf100: 250 links take three searches.
func TestSyncSearchesInChunksOf100(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, jira.Cloud)
		f.linkedTickets(t, 25, 10)
		before := f.jira.Requests(jiratest.RouteSearch)
		res := f.sync(t)
		if want := (link.SyncResult{Links: 250, Searches: 3, Changed: 250}); res != want {
			t.Errorf("sync = %+v, want %+v", res, want)
		}
		if n := f.jira.Requests(jiratest.RouteSearch) - before; n != 3 {
			t.Errorf("%d search requests for 250 links, want 3", n)
		}
	})
}

// TestSyncMarksMissingIssues: an issue the search no longer returns keeps
// its link, with the reason, and does not block the others.
func TestSyncMarksMissingIssues(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db, jira.Server)
		pay, fraud := f.app(t, "PaymentService", true), f.app(t, "FraudEngine", true)
		tk := f.ticket(t, pay, fraud)
		key := f.jira.Seed("PAY", 1)[0]
		f.markCreated(t, tk, []string{"PAY-9999", key})
		if res := f.sync(t); res.Missing != 1 || res.Changed != 1 {
			t.Errorf("sync: %+v", res)
		}
		links, err := db.TicketTrackerLinks(context.Background(), f.tenant, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if links[0].LastError != link.MissingIssue("Jira") || links[1].LastError != "" || links[1].StatusName != "To Do" {
			t.Errorf("links: %+v", links)
		}
	})
}
