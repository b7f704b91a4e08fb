package link_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// push runs the link's push job.
func (s *syncFixture) push(t *testing.T) link.PushResult {
	t.Helper()
	res, err := s.svc.PushOutbox(context.Background(), s.tenant, s.linkID)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	return res
}

// outbox lists the link's outbox rows, oldest first.
func (s *syncFixture) outbox(t *testing.T) []link.OutboxItem {
	t.Helper()
	out, _, err := s.svc.Outbox(context.Background(), s.admin, link.OutboxFilter{LinkID: s.linkID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(out)
	return out
}

func (s *syncFixture) issue(t *testing.T) forgetest.Issue {
	t.Helper()
	is, ok := s.core.Get("acme/payments", 1)
	if !ok {
		t.Fatal("no issue #1")
	}
	return is
}

// TestOutboxPushesWithoutEcho: an edit is pushed in one update; the
// tracker's report of that write, by webhook and then by poll, changes
// nothing and logs nothing inbound.
func TestOutboxPushesWithoutEcho(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSyncFixture(t, db)
		s.edit(t, link.IssueEdit{Title: ptr("Ours"), Labels: ptr([]string{"payments", "urgent"}), State: ptr("closed"),
			Assignees: ptr([]string{"li"}), DueDate: ptr("2027-03-01")})
		if res := s.push(t); !slices.Equal(res.Fields, []string{"title", "state", "labels", "assignees", "due_date"}) || res.LastError != "" {
			t.Fatalf("push: %+v", res)
		}
		is := s.issue(t)
		got := tracker.IssueFields{Title: is.Title, State: is.State, Labels: is.Labels, Assignees: is.Assignees, DueDate: is.DueDate}
		want := tracker.IssueFields{Title: "Ours", State: "closed", Labels: []string{"payments", "urgent"}, Assignees: []string{"li"},
			DueDate: "2027-03-01"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("issue at the tracker (-want +got):\n%s", diff)
		}
		m := s.mirror(t)
		if m.SyncStatus != link.MirrorSynced || m.LastSynced.Title != "Ours" || m.LastSynced.DueDate != "2027-03-01" {
			t.Fatalf("mirror after the push: %+v", m)
		}
		if ob := s.outbox(t); len(ob) != 1 || ob[0].Status != link.OutboxPushed || ob[0].PushedAt == nil {
			t.Fatalf("outbox: %+v", ob)
		}
		before := s.log(t)
		s.deliver(t, "edited")
		s.deliver(t, "label_updated")
		s.poll(t)
		if after := s.log(t); !slices.Equal(after, before) {
			t.Errorf("our own write came back: %v, before %v", after, before)
		}
		if m2 := s.mirror(t); m2.SyncStatus != link.MirrorSynced || m2.Title != "Ours" || m2.SyncConflict != nil {
			t.Errorf("mirror after the echo: %+v", m2)
		}
		if res := s.push(t); res.Rows != 0 {
			t.Errorf("pushed again: %+v", res)
		}
	})
}

// TestOutboxBackoffExhaustionAndRetry: a push the tracker refuses is tried
// again after 2, 4, 8, 16 minutes, fails after the fifth attempt (the
// admins are told, the log says so), and an admin's retry pushes it.
func TestOutboxBackoffExhaustionAndRetry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSyncFixture(t, db)
		s.edit(t, link.IssueEdit{Title: ptr("Ours")})
		s.core.Inject(forgetest.RouteEdit, forgetest.StatusFault(422, 100))
		for n := 1; n <= link.MaxPushAttempts; n++ {
			if res := s.push(t); res.Rows != 1 || res.LastError == "" {
				t.Fatalf("attempt %d: %+v", n, res)
			}
			ob := s.outbox(t)[0]
			if ob.Attempts != n {
				t.Fatalf("attempt %d: %+v", n, ob)
			}
			if n == link.MaxPushAttempts {
				if ob.Status != link.OutboxFailed {
					t.Fatalf("after %d attempts: %+v", n, ob)
				}
				break
			}
			if ob.Status != link.OutboxPending || !ob.NextAttempt.Equal(s.clock.now().Truncate(time.Microsecond).Add(time.Duration(1<<n)*time.Minute)) {
				t.Fatalf("after attempt %d: %+v (now %v)", n, ob, s.clock.now())
			}
			s.clock.advance(time.Duration(1<<n)*time.Minute - time.Second)
			if res := s.push(t); res.Rows != 0 {
				t.Fatalf("pushed before its backoff ran out: %+v", res)
			}
			s.clock.advance(time.Second)
			if due, err := s.svc.PushDue(ctx); err != nil || due != 1 {
				t.Fatalf("sweep: %d %v", due, err)
			}
		}
		if s.issue(t).Title == "Ours" {
			t.Fatal("the refused push landed")
		}
		if as := s.alerts.all(); len(as) != 1 || as[0].Kind != "push_failed" {
			t.Errorf("alerts: %+v", as)
		}
		if l := s.log(t); l[len(l)-1] != "outbound failed [title]" {
			t.Errorf("sync log: %v", l)
		}
		s.clock.advance(time.Hour)
		if res := s.push(t); res.Rows != 0 {
			t.Fatalf("a failed change was pushed without a retry: %+v", res)
		}
		s.core.ClearFaults()
		if _, err := s.svc.RetryPush(ctx, s.admin, s.linkID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.RetryPush(ctx, s.admin, s.linkID); err == nil {
			t.Error("a pending change was retried")
		}
		if res := s.push(t); res.LastError != "" || s.issue(t).Title != "Ours" || s.outbox(t)[0].Status != link.OutboxPushed {
			t.Fatalf("after the retry: %+v %+v", res, s.outbox(t))
		}
	})
}

// TestResolvedConflictIsPushed: a conflict settled with ours is pushed,
// and the tracker's report of it is not a new conflict.
func TestResolvedConflictIsPushed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSyncFixture(t, db)
		s.edit(t, link.IssueEdit{Title: ptr("Ours")})
		s.remote(t, func(is *forgetest.Issue) { is.Title = "Theirs" })
		s.deliver(t, "edited")
		if res := s.push(t); len(res.Fields) != 0 || s.issue(t).Title != "Theirs" {
			t.Fatalf("a field in conflict was pushed: %+v", res)
		}
		if _, err := s.svc.ResolveConflict(context.Background(), s.admin, s.linkID, link.Resolution{Take: link.TakeOurs}); err != nil {
			t.Fatal(err)
		}
		s.push(t)
		if s.issue(t).Title != "Ours" {
			t.Fatalf("issue after the push: %+v", s.issue(t))
		}
		s.deliver(t, "edited")
		if m := s.mirror(t); m.SyncStatus != link.MirrorSynced || m.SyncConflict != nil || len(s.conflicts(t)) != 1 {
			t.Errorf("mirror: %+v", m)
		}
	})
}

// TestPushEveryForge: each forge's update call sets the fields it has and
// the poll that reads them back changes nothing.
func TestPushEveryForge(t *testing.T) {
	for _, k := range []tracker.Kind{github.Kind, gitlab.Kind, gitea.Kind} {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f, r, linkID, _ := pollFixture(t, db, k, 0)
				core := r.(*forgeRemote).Core
				conn := f.connID(t)
				if _, err := f.svc.Poll(ctx, f.tenant, conn); err != nil {
					t.Fatal(err)
				}
				e := link.IssueEdit{Title: ptr("Ours"), Body: ptr("New body"), State: ptr("closed"), Labels: ptr([]string{"urgent"}),
					Assignees: ptr([]string{"maria"}), DueDate: ptr("2027-03-01")}
				if k == github.Kind {
					if _, err := f.svc.EditIssue(ctx, f.admin, linkID, e); err == nil {
						t.Fatal("a due date was edited on GitHub")
					}
					e.DueDate = nil
				}
				m, err := f.svc.EditIssue(ctx, f.admin, linkID, e)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.svc.PushOutbox(ctx, f.tenant, linkID); err != nil {
					t.Fatal(err)
				}
				is, _ := core.Get("acme/payments", 1)
				if is.Title != "Ours" || is.Body != "New body" || is.State != "closed" || !slices.Contains(is.Labels, "urgent") ||
					!slices.Equal(is.Assignees, []string{"maria"}) || (k != github.Kind && is.DueDate != "2027-03-01") {
					t.Fatalf("issue at the tracker: %+v", is)
				}
				if _, err := f.svc.Poll(ctx, f.tenant, conn); err != nil {
					t.Fatal(err)
				}
				after, err := db.TrackerMirror(ctx, f.tenant, linkID)
				if err != nil || after.SyncStatus != link.MirrorSynced || !cmp.Equal(after.IssueFields, m.IssueFields) {
					t.Errorf("mirror after the poll: %+v %v (edited: %+v)", after, err, m.IssueFields)
				}
			})
		})
	}
}

// TestClosingTheTicketClosesItsIssues: off by default; when the
// connection says so, closing the ticket closes its issue through the
// outbox.
func TestClosingTheTicketClosesItsIssues(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSyncFixture(t, db)
		l, err := db.TrackerLink(ctx, s.tenant, s.linkID)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.svc.CloseTicketIssues(ctx, s.tenant, l.TicketID); err != nil || n != 0 || s.mirror(t).State != "open" {
			t.Fatalf("closed with the setting off: %d %v", n, err)
		}
		if _, err := s.svc.SaveSyncSettings(ctx, s.admin, link.SyncSettings{ConnectionID: s.conn, CloseWithTicket: true}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.svc.CloseTicketIssues(ctx, s.tenant, l.TicketID); err != nil || n != 1 {
			t.Fatalf("close: %d %v", n, err)
		}
		s.push(t)
		if is := s.issue(t); is.State != "closed" {
			t.Errorf("issue at the tracker: %+v", is)
		}
	})
}

// TestPushJira: on Jira Cloud and Server an edit is pushed with one edit
// of the issue's fields and a workflow transition (closing, then
// reopening), the snapshot takes the issue as read back, and the poll
// that reads it again changes nothing and logs nothing inbound.
func TestPushJira(t *testing.T) {
	for _, k := range []tracker.Kind{jira.KindCloud, jira.KindServer} {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f, r, linkID, _ := pollFixture(t, db, k, 0)
				srv := r.(*jiraRemote).Server
				conn := f.connID(t)
				if _, err := f.svc.Poll(ctx, f.tenant, conn); err != nil {
					t.Fatal(err)
				}
				e := link.IssueEdit{Title: ptr("Ours"), State: ptr("closed"), Labels: ptr([]string{"urgent"}),
					Assignees: ptr([]string{"Alice Chen"}), DueDate: ptr("2027-03-01")}
				// Cloud keeps the body as an Atlassian document, read back as
				// Markdown; a browser's \r\n and the spaces around it are not
				// a change made in Jira.
				e.Body = ptr("New *body*\r\n\r\n- a list item\r\nsecond line  ")
				if k == jira.KindServer {
					e.Body = ptr("New *body*")
				}
				m, err := f.svc.EditIssue(ctx, f.admin, linkID, e)
				if err != nil {
					t.Fatal(err)
				}
				if res, err := f.svc.PushOutbox(ctx, f.tenant, linkID); err != nil || res.LastError != "" {
					t.Fatalf("push: %+v %v", res, err)
				}
				is, _ := srv.Issue("PAY-1")
				want := jiratest.AliceAccountID
				if k == jira.KindServer {
					want = "alice"
				}
				if is.Summary != "Ours" || is.StatusCategory != jiratest.CategoryDone || !slices.Contains(is.Labels, "urgent") ||
					is.Assignee != want || is.DueDate != "2027-03-01" || (k == jira.KindServer && is.DescriptionWiki != "New *body*") {
					t.Fatalf("issue at Jira: %+v", is)
				}
				if k == jira.KindCloud && !strings.Contains(string(is.DescriptionADF), `"- a list item"`) {
					t.Errorf("description at Jira Cloud: %s", is.DescriptionADF)
				}
				after := noEchoPoll(t, f, conn, linkID, m.IssueFields)
				if after.StatusCategory != tracker.Done {
					t.Errorf("status after the push: %+v", after)
				}
				// Reopening takes the workflow back to a to-do status.
				if m, err = f.svc.EditIssue(ctx, f.admin, linkID, link.IssueEdit{State: ptr("open"), DueDate: ptr("")}); err != nil {
					t.Fatal(err)
				}
				if res, err := f.svc.PushOutbox(ctx, f.tenant, linkID); err != nil || res.LastError != "" {
					t.Fatalf("reopen: %+v %v", res, err)
				}
				if is, _ = srv.Issue("PAY-1"); is.StatusCategory != jiratest.CategoryToDo || is.DueDate != "" {
					t.Fatalf("issue at Jira after reopening: %+v", is)
				}
				noEchoPoll(t, f, conn, linkID, m.IssueFields)
			})
		})
	}
}

// noEchoPoll polls the connection and checks the link's mirror is synced
// with fields and the poll logged nothing; it returns the mirror.
func noEchoPoll(t *testing.T, f *fixture, conn, linkID string, fields tracker.IssueFields) link.Mirror {
	t.Helper()
	ctx := context.Background()
	before, _, err := f.svc.SyncLog(ctx, f.admin, link.SyncLogFilter{LinkID: linkID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Poll(ctx, f.tenant, conn); err != nil {
		t.Fatal(err)
	}
	m, err := f.db.TrackerMirror(ctx, f.tenant, linkID)
	if err != nil || m.SyncStatus != link.MirrorSynced || !cmp.Equal(m.IssueFields, fields) {
		t.Errorf("mirror after the poll: %+v %v (edited: %+v)", m, err, fields)
	}
	if after, _, err := f.svc.SyncLog(ctx, f.admin, link.SyncLogFilter{LinkID: linkID, Limit: 200}); err != nil || len(after) != len(before) {
		t.Errorf("the poll logged our own write: %+v %v", after, err)
	}
	return m
}
