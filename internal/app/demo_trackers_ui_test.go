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

// demoTwoTrackers starts `serve --demo` without its built-in trackers,
// signs in in ctx's browser and, through the connection and application
// forms as an admin would, connects a fake Jira and a fake Gitea and
// routes one application of an open demo ticket of two or more
// applications to the Gitea repository acme/payments; then it waits until
// the ticket's issues are open in both trackers. The Jira connection is
// saved switched off first, so no issue is opened before the routing is in
// place; switching it on queues every pending issue.
func demoTwoTrackers(t *testing.T, ctx context.Context) *demoTracked {
	t.Helper()
	d := &demoTracked{}
	jira := demoJira(t)
	gt := giteatest.New(t)
	d.jira, d.gt = jira, gt
	dir := t.TempDir()
	s := startServe(t, envOf(), "--data-dir", dir, "--demo", "--no-demo-trackers")
	key := demoAPIKey(t, dir, "")
	d.s, d.key = s, key
	uiSignIn(t, ctx, s, "/settings/jira")
	uiSaveConnection(t, ctx, s, "new", map[string]string{"name": "Jira", "kind": "jira_cloud", "base_url": jira.URL,
		"email": jiratest.Email, "token": jiratest.APIToken}, false)
	uiSaveConnection(t, ctx, s, "new", map[string]string{"name": "Gitea", "kind": "gitea", "base_url": gt.URL,
		"token": giteatest.Token}, true)
	conns := demoConnections(t, s, key)
	if len(conns) != 2 || conns[0].Name != "Jira" || conns[0].Enabled || conns[1].Name != "Gitea" || !conns[1].Enabled {
		t.Fatalf("the forms saved %+v, want Jira (off) and Gitea", conns)
	}
	jiraID, conn := conns[0].ID, struct{ ID string }{conns[1].ID}

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
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/applications/"+giteaApp),
		chromedp.WaitVisible(css(`select[name=tracker_connection_id]`)),
		chromedp.SetValue(css(`select[name=tracker_connection_id]`), conn.ID),
		chromedp.SetValue(css(`input[name=tracker_project_key]`), "acme/payments"),
		chromedp.SetValue(css(`input[name=tracker_issue_type]`), "Issue"),
		chromedp.Click(css(`form[action="/applications/`+giteaApp+`"] button[type=submit]`)),
		chromedp.WaitVisible(css(`.flash`)),
	)
	if err != nil {
		t.Fatalf("route the application to Gitea: %v", err)
	}
	var app struct {
		TrackerConnectionID string `json:"tracker_connection_id"`
		TrackerProjectKey   string `json:"tracker_project_key"`
	}
	api(t, http.MethodGet, s.URL+"/api/v1/applications/"+giteaApp, key, nil, &app)
	if app.TrackerConnectionID != conn.ID || app.TrackerProjectKey != "acme/payments" {
		t.Fatalf("the application form saved %+v", app)
	}
	uiSaveConnection(t, ctx, s, jiraID, nil, true)

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

// uiSaveConnection fills the tracker connection form of connection id
// ("new" for a new one) with fields, ticks or clears "Create and sync
// issues" and saves it.
func uiSaveConnection(t *testing.T, ctx context.Context, s *server, id string, fields map[string]string, enabled bool) {
	t.Helper()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	form := `form[action="/settings/jira"]`
	acts := []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.URL + "/settings/jira?connection=" + id), chromedp.WaitVisible(css(form))}
	for name, v := range fields {
		acts = append(acts, chromedp.SetValue(css(form+` [name=`+name+`]`), v))
	}
	if err := chromedp.Do(ctx, acts...); err != nil {
		t.Fatalf("fill connection %s: %v", id, err)
	}
	on := fmt.Sprintf(`document.querySelector('%s input[name=enabled]').checked = %v`, form, enabled)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](on)); err != nil {
		t.Fatalf("tick enabled: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(form+` button[type=submit]`)), chromedp.WaitVisible(css(`.flash, .field-error`))); err != nil {
		t.Fatalf("save connection %s: %v", id, err)
	}
	if msg, err := chromedp.Run(ctx, chromedp.Text(css(`.flash, .field-error`))); err != nil || !strings.Contains(msg, "saved.") {
		t.Fatalf("saving connection %s says %q (%v)", id, msg, err)
	}
}
