package link_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// conflictJob is the job the sync fixture's Conflicted consequence
// enqueues, so the conflicts a test sees are those committed.
type conflictJob struct {
	jobargs.Tenant
	Conflict link.Conflict `json:"conflict"`
}

func (conflictJob) Kind() string { return "link_test.conflict" }

// syncFixture is a ticket linked to issue acme/payments#1 in an
// in-process Gitea, with a webhook secret and the mirror filled by a first
// poll. Remote edits are stamped a second apart, after the first poll.
type syncFixture struct {
	*fixture
	core   *forgetest.Core
	conn   string
	secret string
	linkID string
	stamp  time.Time
	sent   int
}

func newSyncFixture(t *testing.T, db *sqlstore.DB) *syncFixture {
	t.Helper()
	f, r, linkID, base := pollFixture(t, db, gitea.Kind, 0)
	core := r.(*forgeRemote).Core
	f.svc.Consequences.Conflicted = func(c link.Conflict) []jobargs.Args {
		return []jobargs.Args{conflictJob{Tenant: jobargs.For(c.TenantID), Conflict: c}}
	}
	s := &syncFixture{fixture: f, core: core, conn: f.connID(t), linkID: linkID, stamp: base.Add(time.Minute)}
	var err error
	if s.secret, err = f.svc.NewWebhookSecret(context.Background(), f.admin, s.conn); err != nil {
		t.Fatal(err)
	}
	s.remote(t, func(is *forgetest.Issue) { is.Labels = []string{"payments"}; is.Assignees = []string{"maria"} })
	s.poll(t)
	if m := s.mirror(t); m.SyncStatus != link.MirrorSynced || m.Title == "" {
		t.Fatalf("mirror after the first poll: %+v", m)
	}
	return s
}

// remote edits the issue at the tracker, stamped a second after the last
// edit.
func (s *syncFixture) remote(t *testing.T, fn func(*forgetest.Issue)) {
	t.Helper()
	if _, ok := s.core.Update("acme/payments", 1, fn); !ok {
		t.Fatal("no issue #1")
	}
	s.stamp = s.stamp.Add(time.Second)
	s.core.Touch("acme/payments", 1, s.stamp)
}

// body is the issue's current state at the tracker as a Gitea "issues"
// delivery of action.
func (s *syncFixture) body(t *testing.T, action string) []byte {
	t.Helper()
	is, ok := s.core.Get("acme/payments", 1)
	if !ok {
		t.Fatal("no issue #1")
	}
	return giteatest.IssueEvent(action, is, "https://gitea.test/acme/payments/issues/1")
}

// send delivers body as a new Gitea delivery and runs its job.
func (s *syncFixture) send(t *testing.T, body []byte) {
	t.Helper()
	ctx := context.Background()
	s.sent++
	h := http.Header{}
	h.Set("X-Gitea-Event", "issues")
	h.Set("X-Gitea-Delivery", fmt.Sprintf("delivery-%d", s.sent))
	h.Set("X-Gitea-Signature", tracker.SignHMACHex("", body, []byte(s.secret)))
	r, err := s.svc.ReceiveWebhook(ctx, s.conn, h, body)
	if err != nil || r.Duplicate {
		t.Fatalf("receive: %+v %v", r, err)
	}
	if err := s.svc.ProcessDelivery(ctx, s.tenant, r.Delivery.ID); err != nil {
		t.Fatal(err)
	}
}

// deliver sends the issue's current state as a delivery of action.
func (s *syncFixture) deliver(t *testing.T, action string) { t.Helper(); s.send(t, s.body(t, action)) }

func (s *syncFixture) poll(t *testing.T) {
	t.Helper()
	if _, err := s.svc.Poll(context.Background(), s.tenant, s.conn); err != nil {
		t.Fatal(err)
	}
}

func (s *syncFixture) mirror(t *testing.T) link.Mirror {
	t.Helper()
	m, err := s.db.TrackerMirror(context.Background(), s.tenant, s.linkID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (s *syncFixture) edit(t *testing.T, e link.IssueEdit) link.Mirror {
	t.Helper()
	m, err := s.svc.EditIssue(context.Background(), s.admin, s.linkID, e)
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	return m
}

// log is the link's sync log, oldest first, as "direction action fields".
func (s *syncFixture) log(t *testing.T) []string {
	t.Helper()
	es, _, err := s.svc.SyncLog(context.Background(), s.admin, link.SyncLogFilter{LinkID: s.linkID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range slices.Backward(es) {
		out = append(out, fmt.Sprintf("%s %s %v", e.Direction, e.Action, e.Fields))
	}
	return out
}

func (s *syncFixture) conflicts(t *testing.T) []link.Conflict {
	t.Helper()
	res, err := s.queue.Client.JobList(context.Background(), river.NewJobListParams().Kinds(conflictJob{}.Kind()).First(100))
	if err != nil {
		t.Fatal(err)
	}
	var out []link.Conflict
	for _, j := range res.Jobs {
		var cj conflictJob
		if err := json.Unmarshal(j.EncodedArgs, &cj); err != nil {
			t.Fatal(err)
		}
		out = append(out, cj.Conflict)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// TestConcurrentEditIsAConflict: the title edited here and at the tracker
// since the last sync is a conflict: ours stays, both values are kept, the
// owner is told once however often the state is delivered, and a written
// value settles it, to be pushed.
func TestConcurrentEditIsAConflict(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSyncFixture(t, db)
		base := s.mirror(t).Title
		s.edit(t, link.IssueEdit{Title: ptr("Ours")})
		s.remote(t, func(is *forgetest.Issue) { is.Title = "Theirs" })
		s.deliver(t, "edited")
		s.deliver(t, "edited") // redelivered under another id
		s.poll(t)
		m := s.mirror(t)
		if m.SyncStatus != link.MirrorConflict || m.Title != "Ours" || m.LastSynced.Title != base || m.SyncConflict == nil ||
			!slices.Equal(m.SyncConflict.Fields, []string{link.FieldTitle}) || m.SyncConflict.Theirs.Title != "Theirs" ||
			m.SyncConflict.Ours.Title != "Ours" {
			t.Fatalf("mirror: %+v conflict %+v", m, m.SyncConflict)
		}
		cs := s.conflicts(t)
		if len(cs) != 1 || cs[0].LinkID != s.linkID || cs[0].VendorID != s.vendor.ID || !slices.Equal(cs[0].Fields, []string{"title"}) {
			t.Fatalf("conflicts told: %+v", cs)
		}
		listed, err := s.svc.Conflicts(context.Background(), s.admin, 50)
		if err != nil || len(listed) != 1 || listed[0].LinkID != s.linkID {
			t.Fatalf("conflicts queue: %+v %v", listed, err)
		}
		m, err = s.svc.ResolveConflict(context.Background(), s.admin, s.linkID,
			link.Resolution{Take: link.TakeValue, Value: tracker.IssueFields{Title: "Agreed"}})
		if err != nil {
			t.Fatal(err)
		}
		if m.SyncStatus != link.MirrorPending || m.Title != "Agreed" || m.LastSynced.Title != "Theirs" || m.SyncConflict != nil {
			t.Fatalf("after resolving: %+v", m)
		}
		want := []string{"outbound edit [title]", "inbound conflict [title]", "outbound resolve [title]"}
		if got := s.log(t); !slices.Equal(got[len(got)-3:], want) {
			t.Errorf("sync log %v, want it to end with %v", got, want)
		}
	})
}

// TestDisjointEditsMerge: labels edited here and the title at the tracker
// are both kept.
func TestDisjointEditsMerge(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSyncFixture(t, db)
		s.edit(t, link.IssueEdit{Labels: ptr([]string{"payments", "urgent"})})
		s.remote(t, func(is *forgetest.Issue) { is.Title = "Theirs"; is.State = "closed" })
		s.deliver(t, "closed")
		m := s.mirror(t)
		if m.SyncStatus != link.MirrorPending || m.Title != "Theirs" || m.State != "closed" ||
			!slices.Equal(m.Labels, []string{"payments", "urgent"}) || !slices.Equal(m.LastSynced.Labels, []string{"payments"}) ||
			m.LastSynced.Title != "Theirs" || m.SyncConflict != nil {
			t.Fatalf("mirror: %+v", m)
		}
		if cs := s.conflicts(t); len(cs) != 0 {
			t.Errorf("conflicts: %+v", cs)
		}
	})
}

// TestPerFieldDeliveriesAreNotAConflict: one edit of three fields at a
// Gitea arrives as three deliveries carrying the same state, then a poll
// reads it again: it is applied once, and a local edit of another field
// pending meanwhile is kept.
func TestPerFieldDeliveriesAreNotAConflict(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSyncFixture(t, db)
		s.edit(t, link.IssueEdit{DueDate: ptr("2027-01-15")})
		s.remote(t, func(is *forgetest.Issue) {
			is.Title, is.Labels, is.Assignees = "Theirs", []string{"payments", "blocked"}, []string{"maria", "li"}
		})
		for _, action := range []string{"edited", "label_updated", "assigned"} {
			s.deliver(t, action)
		}
		s.poll(t)
		m := s.mirror(t)
		if m.SyncStatus != link.MirrorPending || m.SyncConflict != nil || m.Title != "Theirs" || m.DueDate != "2027-01-15" ||
			!slices.Equal(m.Assignees, []string{"maria", "li"}) {
			t.Fatalf("mirror: %+v conflict %+v", m, m.SyncConflict)
		}
		got := s.log(t)
		want := []string{"outbound edit [due_date]", "inbound update [title labels assignees]"}
		if !slices.Equal(got[len(got)-2:], want) {
			t.Errorf("sync log %v, want it to end with %v", got, want)
		}
	})
}

// TestWebhookThenPollIsNotAConflict: a state delivered by webhook and then
// read by a poll changes nothing the second time, even with a local edit
// of the same field made in between (that is ours, to be pushed).
func TestWebhookThenPollIsNotAConflict(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSyncFixture(t, db)
		s.remote(t, func(is *forgetest.Issue) { is.Body = "Theirs" })
		s.deliver(t, "edited")
		before := s.mirror(t)
		s.edit(t, link.IssueEdit{Body: ptr("Ours after theirs")})
		s.poll(t)
		m := s.mirror(t)
		if m.SyncConflict != nil || m.Body != "Ours after theirs" || m.LastSynced.Body != "Theirs" || m.SyncStatus != link.MirrorPending {
			t.Fatalf("mirror: %+v (after the webhook: %+v)", m, before)
		}
		if cs := s.conflicts(t); len(cs) != 0 {
			t.Errorf("conflicts: %+v", cs)
		}
	})
}

// TestOutOfOrderDeliveriesNeverRollBack: an older state delivered after a
// newer one is not applied.
func TestOutOfOrderDeliveriesNeverRollBack(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSyncFixture(t, db)
		s.remote(t, func(is *forgetest.Issue) { is.Title = "First" })
		first := s.body(t, "edited")
		s.remote(t, func(is *forgetest.Issue) { is.Title = "Second"; is.Labels = nil })
		s.deliver(t, "edited")
		s.send(t, first)
		if m := s.mirror(t); m.Title != "Second" || len(m.Labels) != 0 || m.SyncStatus != link.MirrorSynced {
			t.Fatalf("mirror: %+v", m)
		}
	})
}

// TestDeletePolicies: an issue deleted at the tracker while a change made
// here waits to be pushed is deleted (delete_wins, the default: the
// change is cancelled and later updates are ignored), or kept as a
// conflict to resolve (update_wins). Without a change here, a deletion is
// a deletion under both.
func TestDeletePolicies(t *testing.T) {
	for _, c := range []struct {
		policy link.DeletePolicy
		edit   bool
		want   string
	}{
		{link.DeleteWins, true, link.MirrorDeleted},
		{link.UpdateWins, true, link.MirrorConflict},
		{link.DeleteWins, false, link.MirrorDeleted},
		{link.UpdateWins, false, link.MirrorDeleted},
	} {
		t.Run(fmt.Sprintf("%s/edited=%v", c.policy, c.edit), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				s := newSyncFixture(t, db)
				if c.policy != link.DeleteWins {
					if _, err := s.svc.SaveSyncSettings(ctx, s.admin, link.SyncSettings{ConnectionID: s.conn, DeletePolicy: c.policy}); err != nil {
						t.Fatal(err)
					}
				}
				if c.edit {
					s.edit(t, link.IssueEdit{Title: ptr("Ours")})
				}
				s.remote(t, func(*forgetest.Issue) {})
				s.deliver(t, "deleted")
				m := s.mirror(t)
				if m.SyncStatus != c.want {
					t.Fatalf("after the deletion: %s, want %s (%+v)", m.SyncStatus, c.want, m)
				}
				if c.want == link.MirrorConflict && (m.SyncConflict == nil || !m.SyncConflict.Deleted || m.Title != "Ours" || len(s.conflicts(t)) != 1) {
					t.Fatalf("deletion conflict: %+v %+v", m, m.SyncConflict)
				}
				if _, err := s.svc.EditIssue(ctx, s.admin, s.linkID, link.IssueEdit{Title: ptr("Again")}); c.want == link.MirrorDeleted && err == nil {
					t.Error("a deleted issue was edited")
				}
				// A later update: ignored under delete_wins, brings the
				// issue back under update_wins.
				s.remote(t, func(is *forgetest.Issue) { is.Body = "restored" })
				s.deliver(t, "edited")
				m = s.mirror(t)
				wantBack := c.policy == link.UpdateWins
				if back := m.SyncStatus != link.MirrorDeleted; back != wantBack || (back && m.Body != "restored") {
					t.Errorf("after a later update: %+v", m)
				}
			})
		})
	}
}

// TestMergeTable is the seed's conflict table on the merge alone.
func TestMergeTable(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSyncFixture(t, db)
		s.edit(t, link.IssueEdit{State: ptr("closed"), Assignees: ptr([]string{"li"})})
		s.remote(t, func(is *forgetest.Issue) { is.State = "closed"; is.Assignees = []string{"ana"}; is.Title = "Renamed" })
		s.deliver(t, "closed")
		m := s.mirror(t)
		// State: both closed it (no conflict); assignees: different
		// (conflict, ours kept); title: theirs only (taken).
		got := struct {
			State, Title string
			Assignees    []string
			Conflict     []string
		}{m.State, m.Title, m.Assignees, m.SyncConflict.Fields}
		want := struct {
			State, Title string
			Assignees    []string
			Conflict     []string
		}{"closed", "Renamed", []string{"li"}, []string{"assignees"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("merge (-want +got):\n%s", diff)
		}
	})
}
