package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
	"github.com/vendorsync/vendorsync/internal/web"
)

// withTrackers adds the tracker links service to d.
func withTrackers(e *env, d web.Deps) web.Deps {
	d.Trackers = &link.Service{Store: e.db, Hooks: e.db, Tickets: d.Tickets, BaseURL: d.BaseURL, Consequences: causes.Trackers,
		Providers: tracker.NewRegistry(append(jira.Factories(jira.Options{}), github.Factory(forge.Options{}),
			gitlab.Factory(forge.Options{}), gitea.Factory(forge.Options{}))...)}
	return d
}

// connectJira saves a Jira Cloud connection to srv through the API.
func (e *env) connectJira(srv *jiratest.Server) {
	e.t.Helper()
	res := e.do(http.MethodPut, "/api/v1/jira", e.key, map[string]any{"base_url": srv.URL, "flavor": "cloud",
		"email": jiratest.Email, "token": jiratest.APIToken})
	wantStatus(e.t, res, http.StatusOK)
}

// trackedTicket creates, in the tenant of key, a ticket affecting one
// application that opens Jira issues; it returns the ticket and the
// application's id.
func (e *env) trackedTicket(key string) (ticket.Ticket, string) {
	e.t.Helper()
	p, err := e.auth.AuthenticateAPIKey(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	vendorID := created(e, key, "/api/v1/vendors", map[string]any{"name": "Visa " + ident.New()[28:], "tier": "tier_1"})
	appID := created(e, key, "/api/v1/applications", map[string]any{"name": "PaymentService " + ident.New()[28:],
		"description": "Calls Visa.", "creates_tracker_issue": true, "tracker_project_key": "PAY", "tracker_issue_type": "Task"})
	tk, err := e.server.Tickets.Create(context.Background(), auth.System(p.TenantID), ticket.Draft{VendorID: vendorID,
		Topic: "URL endpoint change", Severity: registry.SeverityHigh, SLADays: 14, ApplicationIDs: []string{appID}})
	if err != nil {
		e.t.Fatal(err)
	}
	return tk, appID
}

// createIssue runs the ticket's create job for one application.
func (e *env) createIssue(t *testing.T, tk ticket.Ticket, appID string) link.Link {
	t.Helper()
	res, err := e.server.Trackers.CreateIssue(context.Background(), tk.TenantID, tk.ID, appID)
	if err != nil {
		t.Fatal(err)
	}
	return res.Link
}

// jiraWallFixture returns the id of a tracker link in the tenant of key.
func jiraWallFixture(e *env, key string) string {
	e.t.Helper()
	tk, _ := e.trackedTicket(key)
	links, err := e.db.TicketTrackerLinks(context.Background(), tk.TenantID, tk.ID)
	if err != nil || len(links) != 1 {
		e.t.Fatalf("fixture links: %v %v", links, err)
	}
	return links[0].ID
}

// trackerConnectionWallFixture adds a tracker connection to the tenant of
// key.
func trackerConnectionWallFixture(e *env, key string) string {
	e.t.Helper()
	return created(e, key, "/api/v1/tracker/connections", map[string]any{"kind": "gitea",
		"base_url": "https://gitea.wall.example", "token": "wall-token"})
}
