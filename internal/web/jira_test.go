package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
	"github.com/vendorsync/vendorsync/internal/web"
)

func TestJiraConnectionAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			srv := jiratest.New(t)
			var c web.JiraConnection
			e.do(http.MethodGet, "/api/v1/jira", e.key, nil).JSON(t, &c)
			if c.Configured || c.TokenSet || c.Flavor != "cloud" {
				t.Errorf("before saving: %+v", c)
			}
			body := map[string]any{"base_url": srv.URL, "flavor": "cloud", "email": jiratest.Email}
			wantProblem(t, e.do(http.MethodPut, "/api/v1/jira", e.key, body), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/jira/test", e.key, nil), http.StatusConflict)

			body["token"] = jiratest.APIToken
			res := e.do(http.MethodPut, "/api/v1/jira", e.key, body)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &c)
			if !c.Configured || !c.Enabled || !c.TokenSet || c.BaseURL != srv.URL {
				t.Errorf("after saving: %+v", c)
			}
			var test link.TestResult
			res = e.do(http.MethodPost, "/api/v1/jira/test", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &test)
			if !test.OK || test.Account != "VendorSync Bot" {
				t.Errorf("test: %+v", test)
			}
			// A client may send back what it read; the token stays.
			read := e.do(http.MethodGet, "/api/v1/jira", e.key, nil)
			wantStatus(t, e.do(http.MethodPut, "/api/v1/jira", e.key, string(read.Body)), http.StatusOK)
			// A stored token is never sent to another site.
			moved := map[string]any{"base_url": "https://evil.example", "flavor": "cloud", "email": jiratest.Email}
			wantProblem(t, e.do(http.MethodPut, "/api/v1/jira", e.key, moved), http.StatusUnprocessableEntity)
			// A wrong token is reported by the test, not stored silently.
			body["token"] = "not-the-token"
			wantStatus(t, e.do(http.MethodPut, "/api/v1/jira", e.key, body), http.StatusOK)
			e.do(http.MethodPost, "/api/v1/jira/test", e.key, nil).JSON(t, &test)
			if test.OK || test.Kind != "unauthorized" {
				t.Errorf("test with a wrong token: %+v", test)
			}
			for _, path := range []string{"/api/v1/jira", "/api/v1/audit?limit=500", "/api/v1/secrets"} {
				if b := string(e.do(http.MethodGet, path, e.key, nil).Body); strings.Contains(b, jiratest.APIToken) || strings.Contains(b, "not-the-token") {
					t.Errorf("GET %s shows the token: %s", path, b)
				}
			}
		})
	}
}

func TestTicketTrackerIssuesAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			srv := jiratest.New(t)
			e.connectJira(srv)
			tk, appID := e.trackedTicket(e.key)
			var detail struct {
				Status       string      `json:"status"`
				TrackerLinks []link.Link `json:"tracker_links"`
			}
			e.do(http.MethodGet, "/api/v1/tickets/"+tk.Key(), e.key, nil).JSON(t, &detail)
			if len(detail.TrackerLinks) != 1 || detail.TrackerLinks[0].SyncStatus != link.Pending {
				t.Fatalf("links before the job: %+v", detail.TrackerLinks)
			}
			if l := e.createIssue(t, tk, appID); l.IssueKey != "PAY-1" {
				t.Fatalf("after the job: %+v", l)
			}
			srv.SetStatus("PAY-1", "In Progress", jiratest.CategoryInProgress)
			var synced struct {
				Links  []link.Link     `json:"links"`
				Result link.SyncResult `json:"result"`
			}
			res := e.do(http.MethodPost, "/api/v1/tickets/"+tk.Key()+"/sync", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &synced)
			l := synced.Links[0]
			if l.StatusName != "In Progress" || l.StatusCategory != "in_progress" || l.LastSyncedAt == nil || synced.Result.Transitions != 1 {
				t.Errorf("after sync: %+v %+v", l, synced.Result)
			}
			e.do(http.MethodGet, "/api/v1/tickets/"+tk.Key(), e.key, nil).JSON(t, &detail)
			if detail.Status != "in_progress" || detail.TrackerLinks[0].IssueURL != srv.URL+"/browse/PAY-1" {
				t.Errorf("ticket after sync: %+v", detail)
			}
			off := false
			wantStatus(t, e.do(http.MethodPut, "/api/v1/jira", e.key, map[string]any{"base_url": srv.URL, "flavor": "cloud",
				"email": jiratest.Email, "enabled": off}), http.StatusOK)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/tickets/"+tk.Key()+"/sync", e.key, nil), http.StatusConflict)
		})
	}
}

func TestJiraLinksAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			srv := jiratest.New(t)
			e.connectJira(srv)
			tk, appID := e.trackedTicket(e.key)
			srv.Inject(jiratest.RouteCreate, jiratest.StatusFault(http.StatusForbidden, 1))
			if l := e.createIssue(t, tk, appID); l.SyncStatus != link.Failed {
				t.Fatalf("after 403: %+v", l)
			}
			var page struct {
				Items []link.Link `json:"items"`
			}
			e.do(http.MethodGet, "/api/v1/jira/links", e.key, nil).JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].TicketKey != tk.Key() || page.Items[0].LastError == "" {
				t.Fatalf("failed links: %+v", page.Items)
			}
			id := page.Items[0].ID
			e.do(http.MethodGet, "/api/v1/jira/links?sync_status=created", e.key, nil).JSON(t, &page)
			if len(page.Items) != 0 {
				t.Errorf("created links: %+v", page.Items)
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/jira/links?sync_status=bogus", e.key, nil), http.StatusUnprocessableEntity)
			var l link.Link
			res := e.do(http.MethodPost, "/api/v1/jira/links/"+id+"/retry", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &l)
			if l.SyncStatus != link.Pending || l.Attempts != 0 {
				t.Errorf("after retry: %+v", l)
			}
			if l := e.createIssue(t, tk, appID); l.SyncStatus != link.Created {
				t.Errorf("after the fix: %+v", l)
			}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/jira/links/"+id+"/retry", e.key, nil), http.StatusConflict)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/jira/links/"+missingID+"/retry", e.key, nil), http.StatusNotFound)
		})
	}
}

func TestJiraUI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			srv := jiratest.New(t)
			admin := e.signInAs(e.admin.Email, e.password)
			page := admin.get(t, "/settings/jira")
			wantStatus(t, page, http.StatusOK)
			if !strings.Contains(string(page.Body), "not connected") || !strings.Contains(string(page.Body), `href="/settings/jira"`) {
				t.Errorf("page before connecting: %s", page.Body)
			}
			form := url.Values{"base_url": {srv.URL}, "flavor": {"cloud"}, "email": {jiratest.Email}, "enabled": {"on"}}
			if res := admin.post(t, "/settings/jira", form); res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "is required") {
				t.Errorf("save without a token: %d %s", res.Status, res.Body)
			}
			form.Set("token", jiratest.APIToken)
			if res := admin.post(t, "/settings/jira", form); res.Status != http.StatusSeeOther {
				t.Fatalf("save: %d %s", res.Status, res.Body)
			}
			if res := admin.post(t, "/settings/jira/test", nil); !strings.Contains(string(res.Body), "Connected to") {
				t.Errorf("test: %d %s", res.Status, res.Body)
			}
			tk, appID := e.trackedTicket(e.key)
			srv.Inject(jiratest.RouteCreate, jiratest.StatusFault(http.StatusNotFound, 1))
			failed := e.createIssue(t, tk, appID)
			page = admin.get(t, "/settings/jira")
			if !strings.Contains(string(page.Body), "/settings/jira/links/"+failed.ID+"/retry") {
				t.Errorf("failed link missing from the admin view: %s", page.Body)
			}
			if res := admin.post(t, "/settings/jira/links/"+failed.ID+"/retry", nil); res.Status != http.StatusSeeOther {
				t.Errorf("retry: %d %s", res.Status, res.Body)
			}
			e.createIssue(t, tk, appID)
			page = admin.get(t, "/tickets/"+tk.Key())
			for _, want := range []string{"Tracker issues", `href="` + srv.URL + `/browse/PAY-1"`, "Sync now"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("ticket page lacks %q", want)
				}
			}
			srv.SetStatus("PAY-1", "Done", jiratest.CategoryDone)
			if res := admin.post(t, "/tickets/"+tk.Key()+"/sync", nil); res.Status != http.StatusSeeOther {
				t.Fatalf("sync now: %d %s", res.Status, res.Body)
			}
			page = admin.get(t, "/tickets/"+tk.Key())
			for _, want := range []string{"Synced 1 issue", "Resolved", "Done"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("ticket page after sync lacks %q", want)
				}
			}
			// Viewers see the issues but no button.
			viewer := e.signIn(auth.RoleViewer)
			if b := string(viewer.get(t, "/tickets/"+tk.Key()).Body); !strings.Contains(b, "PAY-1") || strings.Contains(b, "Sync now") {
				t.Errorf("viewer's ticket page: issue shown %v, button shown %v", strings.Contains(b, "PAY-1"), strings.Contains(b, "Sync now"))
			}
		})
	}
}

// TestJiraConnectionFieldErrors: the Jira API and form name problems by
// their own fields (flavor, email), all at once, though the connection
// behind them is a kind with a username.
func TestJiraConnectionFieldErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	res := e.do(http.MethodPut, "/api/v1/jira", e.key, map[string]any{"base_url": "ftp://jira.example", "flavor": "datacenter"})
	wantProblem(t, res, http.StatusUnprocessableEntity)
	var p struct {
		Errors []struct {
			Location string `json:"location"`
			Message  string `json:"message"`
		} `json:"errors"`
	}
	res.JSON(t, &p)
	got := map[string]string{}
	for _, d := range p.Errors {
		got[d.Location] = d.Message
	}
	want := map[string]string{"body.flavor": `must be "cloud" or "server"`, "body.base_url": "must be an absolute http(s) URL",
		"body.token": "is required"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("field errors (-want +got):\n%s", diff)
	}
	res = e.do(http.MethodPut, "/api/v1/jira", e.key, map[string]any{"base_url": "https://acme.atlassian.net", "flavor": "cloud",
		"token": "t"})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"body.email"`) {
		t.Errorf("cloud without an email: %d %s", res.Status, res.Body)
	}
	admin := e.signInAs(e.admin.Email, e.password)
	form := url.Values{"base_url": {"https://acme.atlassian.net"}, "flavor": {"cloud"}, "token": {"t"}, "enabled": {"on"}}
	if res := admin.post(t, "/settings/jira", form); res.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(res.Body), "is required for Jira Cloud") {
		t.Errorf("form without an email: %d %s", res.Status, res.Body)
	}
}
