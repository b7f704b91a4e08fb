package app_test

import (
	"context"
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
)

// TestUIDemoTwoTrackers connects a demo tenant to an in-process Jira and
// an in-process Gitea, routes one application of a demo ticket to a Gitea
// repository, and checks in headless Chromium that the ticket's page shows
// its Jira issue and its Gitea issue, each linking to its tracker. The Jira
// connection is saved switched off first, so no issue is opened before the
// routing is in place; switching it on queues every pending issue. With
// VENDORSYNC_TEST_SCREENSHOTS naming a directory, the page's screenshot is
// written there. Then Register webhook, pressed twice on the Gitea
// connection's page, leaves one hook in the repository.
func TestUIDemoTwoTrackers(t *testing.T) {
	ctx := browserCtx(t)
	d := demoTwoTrackers(t)
	s, jira, gt, conn, tkKey, jiraKeys, giteaIssues := d.s, d.jira, d.gt, d.gitea, d.ticket, d.jiraKeys, d.giteaIssues

	uiSignIn(t, ctx, s, "/tickets/"+tkKey)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/tickets/"+tkKey), chromedp.WaitVisible(css(`#tracker-issues`))); err != nil {
		t.Fatalf("open %s: %v", tkKey, err)
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(css(`#tracker-issues`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="` + jira.URL + `/browse/` + jiraKeys[0] + `"`, giteaIssues[0] + `"`, ">jira<", ">gitea<"} {
		if !strings.Contains(html, want) {
			t.Errorf("the ticket's issues lack %s:\n%s", want, html)
		}
	}
	screenshot(t, ctx, "ticket-two-trackers")

	// Register webhook on the Gitea connection's page creates the hook in
	// the routed repository; a second press updates it.
	for _, want := range []string{"created", "updated"} {
		err := chromedp.Do(ctx,
			chromedp.Navigate(s.URL+"/settings/trackers/"+conn.ID+"/webhooks"),
			chromedp.Click(css(`#register-webhook`)),
			chromedp.WaitVisible(css(`#webhook-registration`)),
		)
		if err != nil {
			t.Fatalf("register webhook: %v", err)
		}
		text, err := chromedp.Run(ctx, chromedp.Text(css(`#webhook-registration`)))
		if err != nil || !strings.Contains(text, "acme/payments: "+want) {
			t.Fatalf("registration says %q (%v), want acme/payments %s", text, err, want)
		}
	}
	if hooks := gt.Hooks("acme/payments"); len(hooks) != 1 || !strings.HasSuffix(hooks[0].URL, "/hooks/trackers/"+conn.ID) {
		t.Fatalf("hooks %+v", hooks)
	}
	screenshot(t, ctx, "tracker-webhooks-registered")
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
	s := startServe(t, envOf(), "--data-dir", dir, "--demo")
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
