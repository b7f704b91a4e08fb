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
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// pollRemote is what the polling tests do to a tracker, whatever its kind.
type pollRemote interface {
	// seed adds n issues to the target.
	seed(t testing.TB, n int)
	// layOut stamps the target's issues changed a second apart from base,
	// oldest issue first.
	layOut(t testing.TB, base time.Time)
	// closeAndRename closes the first issue and renames it "Renamed", as a
	// person would at the tracker.
	closeAndRename(t testing.TB)
	// injectAfterFirstPage lets one listing page through, then fails the
	// next times ones with status (and header).
	injectAfterFirstPage(status int, header http.Header, times int)
	clearFaults()
	// pageSize is how many changed issues a listing page holds; ordered
	// says whether the listing runs oldest change first.
	pageSize() int
	ordered() bool
}

func (j *jiraRemote) seed(t testing.TB, n int) { t.Helper(); j.Seed("PAY", n) }
func (j *jiraRemote) layOut(t testing.TB, base time.Time) {
	for i, iss := range j.Issues() {
		j.Touch(iss.Key, base.Add(time.Duration(i)*time.Second))
	}
}
func (j *jiraRemote) closeAndRename(t testing.TB) {
	t.Helper()
	if !j.Edit("PAY-1", func(iss *jiratest.Issue) {
		iss.Summary, iss.StatusName, iss.StatusCategory = "Renamed", "Done", jiratest.CategoryDone
	}) {
		t.Fatal("no PAY-1")
	}
}
func (j *jiraRemote) injectAfterFirstPage(status int, header http.Header, times int) {
	j.Inject(jiratest.RouteSearch, jiratest.Fault{})
	j.Inject(jiratest.RouteSearch, jiratest.Fault{Status: status, Header: header, Times: times})
}
func (j *jiraRemote) clearFaults()  { j.ClearFaults() }
func (j *jiraRemote) pageSize() int { return 100 }
func (j *jiraRemote) ordered() bool { return false }

func (g *forgeRemote) seed(t testing.TB, n int) {
	for range n {
		g.Create(forgetest.Issue{Project: "acme/payments", Title: "other"})
	}
}
func (g *forgeRemote) layOut(t testing.TB, base time.Time) {
	for i, is := range g.Issues() {
		g.Touch(is.Project, is.Number, base.Add(time.Duration(i)*time.Second))
	}
}
func (g *forgeRemote) closeAndRename(t testing.TB) {
	g.Update("acme/payments", 1, func(is *forgetest.Issue) { is.State = "closed"; is.Title = "Renamed" })
}
func (g *forgeRemote) injectAfterFirstPage(status int, header http.Header, times int) {
	g.Inject(forgetest.RouteSearch, forgetest.Fault{Status: status, Header: header, Times: times, After: 1})
}
func (g *forgeRemote) clearFaults() { g.ClearFaults() }
func (g *forgeRemote) pageSize() int {
	if g.in.Kind == gitea.Kind {
		return 50
	}
	return 100
}
func (g *forgeRemote) ordered() bool { return g.in.Kind != gitea.Kind }

// pollFixture is a fixture whose tracker holds one linked issue (the
// ticket's) and n more, each changed a second after the one before, the
// linked issue first.
func pollFixture(t *testing.T, db *sqlstore.DB, k tracker.Kind, n int) (*fixture, pollRemote, string, time.Time) {
	t.Helper()
	f := newKindFixture(t, db, k)
	f.svc.Hooks = db
	a := f.app(t, "PaymentService", true)
	tk := f.ticket(t, a)
	f.attempt(t, tk, a)
	r := f.remote.(pollRemote)
	r.seed(t, n)
	base := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	r.layOut(t, base)
	return f, r, f.link(t, tk, a).ID, base
}

func (f *fixture) cursor(t *testing.T, connID string) time.Time {
	t.Helper()
	project, _ := f.remote.target()
	at, _, err := f.db.TrackerPollCursor(context.Background(), f.tenant, connID, project)
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
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f, r, linkID, _ := pollFixture(t, db, k, 0)
				conn := f.connID(t)
				if _, err := f.svc.Poll(ctx, f.tenant, conn); err != nil {
					t.Fatal(err)
				}
				// Closed at the tracker; its delivery is lost.
				r.closeAndRename(t)
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
// (Jira, GitHub, GitLab) or 50 (Gitea), following nextPageToken, startAt
// or the Link header, and the cursor ends on the newest change.
func TestPollReadsEveryPage(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				f, r, _, base := pollFixture(t, db, k, 250)
				conn := f.connID(t)
				res, err := f.svc.Poll(context.Background(), f.tenant, conn)
				want := (251 + r.pageSize() - 1) / r.pageSize()
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
// where it was (Gitea's and Jira's, newest first); the next poll reads on
// and ends on the newest.
func TestPollCursorOnlyAfterCommit(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f, r, _, base := pollFixture(t, db, k, 150)
				conn := f.connID(t)
				r.injectAfterFirstPage(http.StatusBadGateway, nil, 20)
				if _, err := f.svc.Poll(ctx, f.tenant, conn); err == nil {
					t.Fatal("poll went through a failed page")
				}
				got := f.cursor(t, conn)
				want := base.Add(99 * time.Second) // the 100th change
				if !r.ordered() {
					want = time.Time{}
				}
				if !got.Equal(want) {
					t.Fatalf("cursor after the failed page %v, want %v", got, want)
				}
				r.clearFaults()
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
// RateLimit-*; GitHub's secondary limit is a 403 naming it; Jira Cloud
// may send only X-RateLimit-Reset) snoozes the poll job for the wait
// asked, after the pages committed; the job run again goes through.
func TestPollSnoozesOnRateLimit(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f, r, _, base := pollFixture(t, db, k, 150)
				conn := f.connID(t)
				status, header, times := http.StatusTooManyRequests, http.Header{"Retry-After": {"120"}}, 1
				switch k {
				case github.Kind:
					status = http.StatusForbidden
				case jira.KindCloud:
					// Reset is written to the minute: the wait is at least a
					// minute more than the whole minutes until it.
					header = http.Header{"X-Ratelimit-Reset": {time.Now().UTC().Add(3 * time.Minute).Format("2006-01-02T15:04Z")},
						"Ratelimit-Reason": {"jira-burst-based"}}
					times = 20 // without Retry-After the client retries a few times first
				}
				r.injectAfterFirstPage(status, header, times)
				w := &jobs.TrackerPollWorker{Links: f.svc}
				job := &river.Job[jobargs.TrackerPoll]{Args: jobargs.TrackerPoll{Tenant: jobargs.For(f.tenant), ConnectionID: conn}}
				err := w.Work(ctx, job)
				var snooze *river.JobSnoozeError
				wantSnooze := func(d time.Duration) bool { return d == 120*time.Second }
				if k == jira.KindCloud {
					wantSnooze = func(d time.Duration) bool { return d > 2*time.Minute && d <= 3*time.Minute }
				}
				if !errors.As(err, &snooze) || !wantSnooze(snooze.Duration) {
					t.Fatalf("want a 2m snooze, got %v", err)
				}
				if r.ordered() && !f.cursor(t, conn).Equal(base.Add(99*time.Second)) {
					t.Errorf("cursor %v after the first page", f.cursor(t, conn))
				}
				r.clearFaults()
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
