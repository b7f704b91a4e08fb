package link_test

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TestSeveralConnections: a tenant keeps its Jira connection and adds a
// GitHub and a Gitea one; an application routed to each opens its issue
// there (one ticket, three trackers), the sync reads each issue from its
// own tracker, and the ticket follows all three.
func TestSeveralConnections(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t, storetest.Open(t, d), jira.Cloud)
			first, err := f.svc.Connection(ctx, f.admin)
			if err != nil {
				t.Fatal(err)
			}
			if first.Name != "Jira" || first.ID == "" {
				t.Fatalf("first connection: %+v", first)
			}
			others := map[tracker.Kind]remote{github.Kind: newRemote(t, github.Kind), gitea.Kind: newRemote(t, gitea.Kind)}
			conns := map[tracker.Kind]link.Connection{}
			for k, r := range others {
				c, err := f.svc.AddConnection(ctx, f.admin, r.input())
				if err != nil {
					t.Fatalf("add %s: %v", k, err)
				}
				conns[k] = c
			}
			// Names are unique in the tenant.
			in := others[github.Kind].input()
			in.Name = "jira"
			if _, err := f.svc.AddConnection(ctx, f.admin, in); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("a second connection named like the first: %v", err)
			}
			list, err := f.svc.Connections(ctx, f.admin)
			if err != nil || len(list) != 3 || list[0].ID != first.ID {
				t.Fatalf("connections: %+v %v", list, err)
			}

			apps := []registry.Application{f.app(t, "PaymentService", true)}
			for _, k := range []tracker.Kind{github.Kind, gitea.Kind} {
				project, _ := others[k].target()
				a, err := f.reg.CreateApplication(ctx, f.admin, registry.Application{Name: "App on " + string(k),
					Description: "Routed to " + string(k), CreatesTrackerIssue: true, TrackerConnectionID: conns[k].ID,
					TrackerProjectKey: project, TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change"}})
				if err != nil {
					t.Fatal(err)
				}
				apps = append(apps, a)
			}
			if _, err := f.reg.CreateApplication(ctx, f.admin, registry.Application{Name: "Nowhere", Description: "x",
				CreatesTrackerIssue: true, TrackerConnectionID: "no-such-connection", TrackerProjectKey: "PAY",
				TrackerIssueType: "Task"}); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("an application routed to no connection: %v", err)
			}

			tk := f.ticket(t, apps...)
			for i, a := range apps {
				res := f.attempt(t, tk, a)
				want := first.ID
				if i > 0 {
					want = conns[[]tracker.Kind{github.Kind, gitea.Kind}[i-1]].ID
				}
				if res.Link.SyncStatus != link.Created || res.Link.ConnectionID != want {
					t.Fatalf("%s: %+v, want connection %s", a.Name, res.Link, want)
				}
			}
			if n := f.remote.issueCount(); n != 1 {
				t.Errorf("Jira holds %d issues, want 1", n)
			}
			for k, r := range others {
				if n := r.issueCount(); n != 1 {
					t.Errorf("%s holds %d issues, want 1", k, n)
				}
			}

			// Each tracker moves its issue; one sync reads all three.
			f.remote.setStatus(t, f.remote.firstKey(), tracker.Done)
			for _, r := range others {
				r.setStatus(t, r.firstKey(), tracker.Done)
			}
			res := f.sync(t)
			if res.Links != 3 || res.Changed != 3 || res.Missing != 0 {
				t.Errorf("sync: %+v", res)
			}
			if got := f.status(t, tk); got != ticket.Resolved {
				t.Errorf("ticket %s after every issue is done, want resolved", got)
			}
		})
	}
}
