package link_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TestRefusedIssueFails: 400, 403 and 404 fail the link with the tracker's reason
// and alert the admins; the link is not tried again until an admin retries.
func TestRefusedIssueFails(t *testing.T) {
	for _, kind := range kinds {
		for _, status := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound} {
			t.Run(string(kind)+"/"+http.StatusText(status), func(t *testing.T) { refusedIssueFails(t, kind, status) })
		}
	}
}

func refusedIssueFails(t *testing.T, kind tracker.Kind, status int) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newKindFixture(t, db, kind)
		pay := f.app(t, "PaymentService", true)
		tk := f.ticket(t, pay)
		f.remote.inject(routeCreate, statusFault(status, 1))
		res := f.attempt(t, tk, pay)
		l := res.Link
		if l.SyncStatus != link.Failed || l.LastError == "" || l.Attempts != 1 || res.RetryAfter != 0 {
			t.Fatalf("link after %d: %+v (retry after %v)", status, l, res.RetryAfter)
		}
		al := f.alerts.all()
		if len(al) != 1 || al[0].Kind != "tracker.issue_failed" || al[0].Urgent || al[0].LinkID != l.ID ||
			!strings.Contains(al[0].Message, l.LastError) {
			t.Errorf("alerts: %+v", al)
		}
		if diff := cmp.Diff([]string{"tracker_link.fail", "tracker.alert"}, f.actions(t, "tracker_link.fail", "tracker.alert")); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
		// A duplicate job leaves the failed link alone.
		before := f.remote.received()
		if res := f.attempt(t, tk, pay); res.Link.SyncStatus != link.Failed || f.remote.received() != before {
			t.Errorf("a failed link was tried again: %+v", res.Link)
		}
		// The admin retries once the cause is fixed.
		if _, err := f.svc.Retry(ctx, f.admin, l.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.link(t, tk, pay); got.SyncStatus != link.Pending || got.Attempts != 0 {
			t.Errorf("after retry: %+v", got)
		}
		if res := f.attempt(t, tk, pay); res.Link.SyncStatus != link.Created {
			t.Errorf("after the fix: %+v", res.Link)
		}
		if _, err := f.svc.Retry(ctx, f.admin, l.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("retry of a created link: %v, want conflict", err)
		}
	})
}

// TestUnauthorizedDisablesTheConnection: a 401 switches the connection
// off with its reason and an urgent alert; links wait as pending, and
// saving the connection again resumes them.
func TestUnauthorizedDisablesTheConnection(t *testing.T) {
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) { unauthorizedDisables(t, kind) })
	}
}

func unauthorizedDisables(t *testing.T, kind tracker.Kind) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newKindFixture(t, db, kind)
		pay, fraud := f.app(t, "PaymentService", true), f.app(t, "FraudEngine", true)
		tk := f.ticket(t, pay, fraud)
		f.remote.inject(routeSearch, statusFault(http.StatusUnauthorized, 1))
		res := f.attempt(t, tk, pay)
		if res.Link.SyncStatus != link.Pending || res.RetryAfter != 0 || !strings.Contains(res.Link.LastError, "credentials") {
			t.Fatalf("link after 401: %+v", res)
		}
		c, err := f.svc.Connection(ctx, f.admin)
		if err != nil || c.Enabled || !strings.Contains(c.DisabledReason, "401") {
			t.Fatalf("connection after 401: %+v %v", c, err)
		}
		al := f.alerts.all()
		if len(al) != 1 || al[0].Kind != "tracker.unauthorized" || !al[0].Urgent {
			t.Errorf("alerts: %+v", al)
		}
		if diff := cmp.Diff([]string{"tracker.connection.update", "tracker.connection.disable", "tracker.alert [urgent]"},
			f.actions(t, "tracker")); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
		// The other link's job reaches no Jira while the connection is off.
		before := f.remote.received()
		res = f.attempt(t, tk, fraud)
		if res.Link.SyncStatus != link.Pending || !strings.Contains(res.Link.LastError, "disabled") || f.remote.received() != before {
			t.Errorf("attempt while disabled: %+v", res.Link)
		}
		if _, err := f.svc.Sync(ctx, f.tenant); err != nil {
			t.Errorf("sync of a tenant without created links: %v", err)
		}
		// Saving the connection again enqueues both pending links, even
		// though the ticket's own jobs still wait: one of those may be
		// running on the facts before the save, and a save must never be
		// lost as its duplicate. Saving twice at the same moment does not
		// add more.
		f.connect(t)
		byCause := map[string][]string{}
		for _, a := range f.createJobs(t) {
			byCause[a.Cause] = append(byCause[a.Cause], a.ApplicationID)
		}
		if len(byCause) != 2 || len(byCause[""]) != 2 {
			t.Errorf("create jobs after reconnecting: %v; want the ticket's two and two caused by the save", byCause)
		}
		if res := f.attempt(t, tk, pay); res.Link.SyncStatus != link.Created {
			t.Errorf("after reconnecting: %+v", res.Link)
		}
	})
}

// TestUnavailableBecomesOrphan: 5xx through every retry leaves an orphan,
// which the periodic retry picks up and creates once Jira is back.
func TestUnavailableBecomesOrphan(t *testing.T) {
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) { unavailableBecomesOrphan(t, kind) })
	}
}

func unavailableBecomesOrphan(t *testing.T, kind tracker.Kind) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newKindFixture(t, db, kind)
		pay := f.app(t, "PaymentService", true)
		tk := f.ticket(t, pay)
		f.remote.inject(routeCreate, statusFault(http.StatusServiceUnavailable, link.CreateRetries+2))
		var waits []time.Duration
		for range link.CreateRetries + 2 {
			res := f.attempt(t, tk, pay)
			waits = append(waits, res.RetryAfter)
			f.clock.advance(res.RetryAfter) // the job's snooze
			if res.Link.SyncStatus == link.Orphan {
				break
			}
		}
		// After the first 503 a lagging search must settle before another
		// create; the later backoffs are longer than that.
		want := settledWaits(kind, []time.Duration{15 * time.Second, settled, time.Minute, 4 * time.Minute, 0})
		if diff := cmp.Diff(want, waits); diff != "" {
			t.Errorf("backoff (-want +got):\n%s", diff)
		}
		l := f.link(t, tk, pay)
		if l.SyncStatus != link.Orphan || l.Attempts != link.CreateRetries+1 || l.LastError == "" {
			t.Fatalf("link after %d failures: %+v", link.CreateRetries+1, l)
		}
		// The orphan is a fact about the ticket's vendor, committed with it.
		if tr := troubles(t, f.queue); len(tr) != 1 || tr[0].Kind != link.TroubleOrphan || tr[0].VendorID != f.vendor.ID ||
			tr[0].LinkID != l.ID || tr[0].TicketKey != tk.Key() {
			t.Errorf("troubles after the orphan: %+v", tr)
		}
		orphans, _, err := f.svc.Links(ctx, f.admin, link.Filter{})
		if err != nil || len(orphans) != 1 || orphans[0].ID != l.ID {
			t.Errorf("admin list: %v %v", orphans, err)
		}
		// The 15-minute round re-enqueues the orphan; Jira still failing
		// keeps it an orphan without a backoff chain of its own.
		f.clock.advance(link.RetryAfterStale)
		if n, err := f.svc.RetryDue(ctx); err != nil || n != 1 {
			t.Fatalf("RetryDue = %d, %v", n, err)
		}
		if res := f.attempt(t, tk, pay); res.Link.SyncStatus != link.Orphan || res.RetryAfter != 0 {
			t.Errorf("orphan round while Jira fails: %+v", res)
		}
		if tr := troubles(t, f.queue); len(tr) != 1 {
			t.Errorf("an orphan failing again is a new trouble: %+v", tr)
		}
		f.clock.advance(link.RetryAfterStale)
		if res := f.attempt(t, tk, pay); res.Link.SyncStatus != link.Created {
			t.Errorf("orphan round once Jira is back: %+v", res.Link)
		}
		if n := f.remote.issueCount(); n != 1 {
			t.Errorf("%d issues", n)
		}
		if n, err := f.svc.RetryDue(ctx); err != nil || n != 0 {
			t.Errorf("RetryDue after recovery = %d, %v", n, err)
		}
	})
}

// TestRetryDuePicksStalePending: a pending link whose job was lost is
// re-enqueued once it has been quiet for RetryAfterStale.
func TestRetryDuePicksStalePending(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db, jira.Cloud)
		pay := f.app(t, "PaymentService", true)
		f.ticket(t, pay)
		if n, err := f.svc.RetryDue(ctx); err != nil || n != 0 {
			t.Fatalf("fresh pending link re-enqueued: %d %v", n, err)
		}
		f.clock.advance(link.RetryAfterStale + time.Minute)
		if n, err := f.svc.RetryDue(ctx); err != nil || n != 1 {
			t.Fatalf("stale pending link: %d %v", n, err)
		}
		if got := f.createJobs(t); len(got) != 1 {
			t.Errorf("jobs: %v (unique while one waits)", got)
		}
	})
}
