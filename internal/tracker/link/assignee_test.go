package link_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TestAssigneeJiraCannotPlace: an application whose default assignee
// matches no Jira user fails its link with a configuration error saying
// so (and the admins hear of it); once the assignee is fixed, a retry
// creates the issue assigned as the flavor wants.
func TestAssigneeJiraCannotPlace(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f := newFixture(t, db, flavor)
				pay := f.app(t, "PaymentService", true)
				pay, err := f.reg.UpdateApplication(ctx, f.admin, pay.ID, func(a *registry.Application) {
					a.TrackerDefaultAssignee = "m.lopez@example.com"
				})
				if err != nil {
					t.Fatal(err)
				}
				tk := f.ticket(t, pay)
				res := f.attempt(t, tk, pay)
				if res.Link.SyncStatus != link.Failed || !strings.Contains(res.Link.LastError, `no active user matching the assignee "m.lopez@example.com"`) {
					t.Fatalf("link: %+v", res.Link)
				}
				if n := f.jira.Requests(jiratest.RouteCreate); n != 0 {
					t.Errorf("%d creates sent", n)
				}
				alerts := f.alerts.all()
				if len(alerts) != 1 || !strings.Contains(alerts[0].Message, "set the application's default assignee") {
					t.Fatalf("alerts: %+v", alerts)
				}
				if _, err := f.reg.UpdateApplication(ctx, f.admin, pay.ID, func(a *registry.Application) {
					a.TrackerDefaultAssignee = "maria.lopez@example.com"
				}); err != nil {
					t.Fatal(err)
				}
				if _, err := f.svc.Retry(ctx, f.admin, res.Link.ID); err != nil {
					t.Fatal(err)
				}
				l := f.attempt(t, tk, pay).Link
				iss, ok := f.jira.Issue(l.IssueKey)
				want := map[jira.Flavor]string{jira.Cloud: jiratest.MariaAccountID, jira.Server: "maria"}[flavor]
				if l.SyncStatus != link.Created || !ok || iss.Assignee != want {
					t.Errorf("after the fix: link %+v, assignee %q, want %q", l, iss.Assignee, want)
				}
			})
		})
	}
}
