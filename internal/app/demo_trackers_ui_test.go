package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/trackerdemo"
)

// TestUIDemoTwoTrackers walks plain `serve --demo` in headless Chromium as
// a new user would, with no tracker wired by the test: a demo ticket's page
// shows its issue in the built-in Gitea and its issue in the built-in Jira
// Cloud, each linking to a page of that tracker; the ticket is in progress
// (the demo worked its Gitea issue and Gitea's webhook said so) and the
// Gitea issue's sync log shows the inbound label change. With
// VENDORSYNC_TEST_SCREENSHOTS naming a directory, the pages' screenshots
// are written there. Then Register webhook, pressed on the Gitea
// connection's page, updates the hook the demo registered: still one.
func TestUIDemoTwoTrackers(t *testing.T) {
	ctx := browserCtx(t)
	dir := t.TempDir()
	s := startServe(t, envOf(), "--data-dir", dir, "--demo")
	key := demoAPIKey(t, dir, "")
	tkKey, gitea, jira := demoTicketInBothTrackers(t, s, key)

	uiSignIn(t, ctx, s, "/tickets/"+tkKey)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/tickets/"+tkKey), chromedp.WaitVisible(css(`#tracker-issues`))); err != nil {
		t.Fatalf("open %s: %v", tkKey, err)
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(css(`#tracker-issues`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="` + jira.IssueURL + `"`, `href="` + gitea.IssueURL + `"`, ">jira<", ">gitea<"} {
		if !strings.Contains(html, want) {
			t.Errorf("the ticket's issues lack %s:\n%s", want, html)
		}
	}
	status, err := chromedp.Run(ctx, chromedp.Text(css(`main`)))
	if err != nil || !strings.Contains(strings.ToLower(strings.ReplaceAll(status, "_", " ")), "in progress") {
		t.Errorf("the ticket page does not say in progress (%v)", err)
	}
	screenshot(t, ctx, "ticket-two-trackers")

	// Each issue link opens the tracker's page of the issue.
	for _, l := range []demoLink{gitea, jira} {
		err := chromedp.Do(ctx, chromedp.Navigate(l.IssueURL), chromedp.WaitVisible(css(`main h1`)))
		if err != nil {
			t.Fatalf("open %s: %v", l.IssueURL, err)
		}
		h1, err := chromedp.Run(ctx, chromedp.Text(css(`main h1`)))
		if err != nil || !strings.Contains(h1, "["+tkKey+"]") {
			t.Errorf("%s shows %q (%v)", l.IssueURL, h1, err)
		}
		screenshot(t, ctx, "demo-"+l.Provider+"-issue")
	}

	// Register webhook on the demo Gitea connection's page finds the hook
	// the demo registered and updates it.
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/settings/trackers/"+gitea.ConnectionID+"/webhooks"),
		chromedp.Click(css(`#register-webhook`)),
		chromedp.WaitVisible(css(`#webhook-registration`)),
	)
	if err != nil {
		t.Fatalf("register webhook: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(css(`#webhook-registration`)))
	if err != nil || !strings.Contains(text, trackerdemo.GiteaRepo+": updated") {
		t.Fatalf("registration says %q (%v), want %s updated", text, err, trackerdemo.GiteaRepo)
	}
	screenshot(t, ctx, "tracker-webhooks-registered")
	var hooks []struct {
		Config struct {
			URL string `json:"url"`
		} `json:"config"`
	}
	base := strings.TrimSuffix(gitea.IssueURL, "/"+strings.Replace(gitea.IssueKey, "#", "/issues/", 1))
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/repos/"+trackerdemo.GiteaRepo+"/hooks", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+giteatest.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&hooks); err != nil || len(hooks) != 1 ||
		!strings.HasSuffix(hooks[0].Config.URL, "/hooks/trackers/"+gitea.ConnectionID) {
		t.Fatalf("the demo Gitea's hooks of %s: %+v (%v)", trackerdemo.GiteaRepo, hooks, err)
	}
}

// demoTracked is a demo server whose tenant follows issues in an
// in-process Jira and an in-process Gitea, with an open ticket whose issues
// are opened in both.
type demoTracked struct {
	s           *server
	key         string
	jira        *jiratest.Server
	gt          *giteatest.Server
	gitea       struct{ ID string } // the Gitea connection
	ticket      string
	jiraKeys    []string
	giteaIssues []string        // owner/repo/issues/n
	giteaIssue  forgetest.Issue // the ticket's Gitea issue
}

// demoTwoTrackers starts `serve --demo`, connects a fake Jira and a fake
// Gitea, routes one application of an open demo ticket of two or more
// applications to the Gitea repository acme/payments and waits until the
// ticket's issues are open in both trackers. The Jira connection is saved
// switched off first, so no issue is opened before the routing is in
// place; switching it on queues every pending issue.
func demoTwoTrackers(t *testing.T) *demoTracked {
	t.Helper()
	d := &demoTracked{}
	jira := demoJira(t)
	gt := giteatest.New(t)
	d.jira, d.gt = jira, gt
	dir := t.TempDir()
	s := startServe(t, envOf(), "--data-dir", dir, "--demo", "--no-demo-trackers")
	m := apiKeyLine.FindStringSubmatch(cli(t, dir, "", "apikey", "create", "e2e", "--role", "admin"))
	if m == nil {
		t.Fatal("apikey create printed no key")
	}
	key := m[1]
	d.s, d.key = s, key
	var conn struct{ ID string }
	off := false
	api(t, http.MethodPost, s.URL+"/api/v1/tracker/connections", key, map[string]any{"name": "Jira", "kind": "jira_cloud",
		"base_url": jira.URL, "username": jiratest.Email, "token": jiratest.APIToken, "enabled": off}, &conn)
	jiraID := conn.ID
	api(t, http.MethodPost, s.URL+"/api/v1/tracker/connections", key, map[string]any{"name": "Gitea", "kind": "gitea",
		"base_url": gt.URL, "token": giteatest.Token}, &conn)

	// An open demo ticket of two or more applications that follow issues.
	var list struct {
		Items []struct {
			Number       int64  `json:"number"`
			Status       string `json:"status"`
			Applications []struct {
				ApplicationID string `json:"application_id"`
				Name          string `json:"name"`
				UsesTracker   bool   `json:"uses_tracker"`
			} `json:"applications"`
		} `json:"items"`
	}
	api(t, http.MethodGet, s.URL+"/api/v1/tickets?limit=100", key, nil, &list)
	var tkKey, giteaApp string
	apps := 0
	for _, it := range list.Items {
		n := 0
		for _, a := range it.Applications {
			if a.UsesTracker {
				n++
			}
		}
		if n >= 2 && it.Status == "open" {
			tkKey, apps = fmt.Sprintf("VS-%04d", it.Number), n
			for _, a := range it.Applications {
				if a.UsesTracker {
					giteaApp = a.ApplicationID
					break
				}
			}
			break
		}
	}
	if tkKey == "" {
		t.Fatalf("no open demo ticket has two applications that follow issues: %+v", list.Items)
	}
	api(t, http.MethodPatch, s.URL+"/api/v1/applications/"+giteaApp, key, map[string]any{"tracker_connection_id": conn.ID,
		"tracker_project_key": "acme/payments", "tracker_issue_type": "Issue"}, nil)
	api(t, http.MethodPut, s.URL+"/api/v1/tracker/connections/"+jiraID, key, map[string]any{"kind": "jira_cloud",
		"base_url": jira.URL, "username": jiratest.Email, "enabled": true}, nil)

	tagged := func(title string) bool { return strings.HasSuffix(title, "["+tkKey+"]") }
	var jiraKeys []string
	var giteaIssues []string
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		jiraKeys, giteaIssues = nil, nil
		for _, iss := range jira.Issues() {
			if tagged(iss.Summary) {
				jiraKeys = append(jiraKeys, iss.Key)
			}
		}
		for _, is := range gt.Issues() {
			if tagged(is.Title) {
				giteaIssues = append(giteaIssues, fmt.Sprintf("%s/issues/%d", is.Project, is.Number))
			}
		}
		if len(giteaIssues) == 1 && len(jiraKeys) == apps-1 {
			for _, is := range gt.Issues() {
				if tagged(is.Title) {
					d.giteaIssue = is
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: Jira issues %v and Gitea issues %v, want %d and 1\nstderr:\n%s", tkKey, jiraKeys, giteaIssues,
				apps-1, s.Stderr.String())
		}
	}
	d.gitea, d.ticket, d.jiraKeys, d.giteaIssues = conn, tkKey, jiraKeys, giteaIssues
	return d
}

// screenshot writes the page open in ctx as name.png to the directory
// VENDORSYNC_TEST_SCREENSHOTS names, when it names one.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	d := os.Getenv("VENDORSYNC_TEST_SCREENSHOTS")
	if d == "" {
		return
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
