package link_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

var pollKinds = []tracker.Kind{github.Kind, gitlab.Kind, gitea.Kind}

// pollFixture is a fixture whose tracker holds one linked issue (the
// ticket's) and n more, each changed a second after the one before, the
// linked issue first.
func pollFixture(t *testing.T, db *sqlstore.DB, k tracker.Kind, n int) (*fixture, *forgetest.Core, string, time.Time) {
	t.Helper()
	f := newKindFixture(t, db, k)
	f.svc.Hooks = db
	a := f.app(t, "PaymentService", true)
	tk := f.ticket(t, a)
	f.attempt(t, tk, a)
	core := f.remote.(*forgeRemote).Core
	for range n {
		core.Create(forgetest.Issue{Project: "acme/payments", Title: "other"})
	}
	base := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	for i, is := range core.Issues() {
		core.Touch(is.Project, is.Number, base.Add(time.Duration(i)*time.Second))
	}
	return f, core, f.link(t, tk, a).ID, base
}

func (f *fixture) cursor(t *testing.T, connID string) time.Time {
	t.Helper()
	at, _, err := f.db.TrackerPollCursor(context.Background(), f.tenant, connID, "acme/payments")
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func (f *fixture) connID(t *testing.T) string {
	t.Helper()
	c, err := f.svc.Connection(context.Background(), f.admin)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestPollCatchesADroppedWebhook: an issue closed at the tracker whose
// webhook never arrived is caught by the next poll; the mirror and the
// link say closed.
func TestPollCatchesADroppedWebhook(t *testing.T) {
	for _, k := range pollKinds {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f, core, linkID, _ := pollFixture(t, db, k, 0)
				conn := f.connID(t)
				if _, err := f.svc.Poll(ctx, f.tenant, conn); err != nil {
					t.Fatal(err)
				}
				// Closed at the tracker; its delivery is lost.
				core.Update("acme/payments", 1, func(is *forgetest.Issue) { is.State = "closed"; is.Title = "Renamed" })
				res, err := f.svc.Poll(ctx, f.tenant, conn)
				if err != nil || res.Applied != 1 {
					t.Fatalf("%+v %v", res, err)
				}
				m, err := db.TrackerMirror(ctx, f.tenant, linkID)
				if err != nil || m.State != "closed" || m.Title != "Renamed" || m.StatusCategory != tracker.Done {
					t.Fatalf("mirror %+v %v", m, err)
				}
				l, err := db.TrackerLink(ctx, f.tenant, linkID)
				if err != nil || l.StatusCategory != tracker.Done {
					t.Fatalf("link %+v %v", l, err)
				}
			})
		})
	}
}

// TestPollReadsEveryPage: 250 changed issues are read in pages of 100
// (GitHub, GitLab) or 50 (Gitea), following the Link header, and the
// cursor ends on the newest change.
func TestPollReadsEveryPage(t *testing.T) {
	for _, k := range pollKinds {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				f, _, _, base := pollFixture(t, db, k, 250)
				conn := f.connID(t)
				res, err := f.svc.Poll(context.Background(), f.tenant, conn)
				want := 3
				if k == gitea.Kind {
					want = 6
				}
				if err != nil || res.Issues != 251 || res.Pages != want || res.Applied != 1 {
					t.Fatalf("%+v %v", res, err)
				}
				if got := f.cursor(t, conn); !got.Equal(base.Add(250 * time.Second)) {
					t.Errorf("cursor %v, want %v", got, base.Add(250*time.Second))
				}
			})
		})
	}
}

// TestPollCursorOnlyAfterCommit: a listing that fails on its second page
// leaves the cursor on the first page's last change (ordered listings) or
// where it was (Gitea's); the next poll reads on and ends on the newest.
func TestPollCursorOnlyAfterCommit(t *testing.T) {
	for _, k := range pollKinds {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f, core, _, base := pollFixture(t, db, k, 150)
				conn := f.connID(t)
				core.Inject(forgetest.RouteSearch, forgetest.Fault{Status: http.StatusBadGateway, Times: 20, After: 1})
				if _, err := f.svc.Poll(ctx, f.tenant, conn); err == nil {
					t.Fatal("poll went through a failed page")
				}
				got := f.cursor(t, conn)
				want := base.Add(99 * time.Second) // the 100th change
				if k == gitea.Kind {
					want = time.Time{}
				}
				if !got.Equal(want) {
					t.Fatalf("cursor after the failed page %v, want %v", got, want)
				}
				core.ClearFaults()
				// The failures opened the client's circuit breaker: the next
				// run is another node's, or this one's after the cooldown.
				next := &link.Service{Store: db, Hooks: db, Tickets: f.tickets, Providers: testRegistry(), Now: f.clock.now}
				res, err := next.Poll(ctx, f.tenant, conn)
				if err != nil {
					t.Fatalf("%+v %v", res, err)
				}
				if got := f.cursor(t, conn); !got.Equal(base.Add(150 * time.Second)) {
					t.Errorf("cursor %v", got)
				}
			})
		})
	}
}

// TestPollSnoozesOnRateLimit: a 429 with Retry-After (GitLab also sends
// RateLimit-*; GitHub's secondary limit is a 403 naming it) snoozes the
// poll job for the wait asked, after the pages committed; the job run
// again goes through.
func TestPollSnoozesOnRateLimit(t *testing.T) {
	for _, k := range pollKinds {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f, core, _, base := pollFixture(t, db, k, 150)
				conn := f.connID(t)
				fault := forgetest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "120", Times: 1, After: 1}
				if k == github.Kind {
					fault = forgetest.Fault{Status: http.StatusForbidden, Times: 1, After: 1,
						Header: http.Header{"Retry-After": {"120"}}}
				}
				core.Inject(forgetest.RouteSearch, fault)
				w := &jobs.TrackerPollWorker{Links: f.svc}
				job := &river.Job[jobargs.TrackerPoll]{Args: jobargs.TrackerPoll{Tenant: jobargs.For(f.tenant), ConnectionID: conn}}
				err := w.Work(ctx, job)
				var snooze *river.JobSnoozeError
				if !errors.As(err, &snooze) || snooze.Duration != 120*time.Second {
					t.Fatalf("want a 2m snooze, got %v", err)
				}
				if k != gitea.Kind && !f.cursor(t, conn).Equal(base.Add(99*time.Second)) {
					t.Errorf("cursor %v after the first page", f.cursor(t, conn))
				}
				if err := w.Work(ctx, job); err != nil {
					t.Fatal(err)
				}
				if got := f.cursor(t, conn); !got.Equal(base.Add(150 * time.Second)) {
					t.Errorf("cursor %v", got)
				}
			})
		})
	}
}
