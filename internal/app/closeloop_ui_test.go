package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vendorsync/vendorsync/internal/app"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

// cli runs a command of the binary against dataDir, with stdin as its
// standard input, and returns what it printed.
func cli(t *testing.T, dataDir, stdin string, args ...string) string {
	t.Helper()
	if stdin != "" {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, stdin); err != nil {
			t.Fatal(err)
		}
		w.Close()
		old := os.Stdin
		os.Stdin = r
		defer func() { os.Stdin = old; r.Close() }()
	}
	var out, errb bytes.Buffer
	if err := app.Run(context.Background(), append(args, "--data-dir", dataDir), envOf(), &out, &errb); err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	return out.String()
}

// api calls the server's API with an admin key.
func api(t *testing.T, method, url, key string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
	}
}

var apiKeyLine = regexp.MustCompile(`(?m)^(vsk_\S+)$`)

// demoJira is an in-process Jira Cloud with the demo applications'
// projects and default assignees.
func demoJira(t *testing.T) *jiratest.Server {
	t.Helper()
	jira := jiratest.New(t)
	for _, p := range []string{"DATA", "PLAT", "ID", "GRO"} {
		jira.AddProject(p, "Task")
	}
	// The demo applications' default assignees, as Jira Cloud accounts.
	jira.AddUser(jiratest.User{AccountID: "712020:0d1f5c7e-3a2b-4c5d-8e9f-0a1b2c3d4e5f", Name: "dev.patel",
		Email: "dev.patel@example.com", DisplayName: "Dev Patel", Active: true})
	return jira
}

// TestUICloseTheLoop walks a demo ticket through Chromium: the admin opens
// the dashboard, follows a ticket from its SLA countdown, and — once its
// Jira issues (in an in-process Jira the tenant is connected to) are Done —
// presses "Sync now", which resolves it. A second person, a change manager
// created with the CLI, then signs in and confirms its closure.
func TestUICloseTheLoop(t *testing.T) {
	ctx := browserCtx(t)
	jira := demoJira(t)
	dir := t.TempDir()
	s := startServe(t, envOf(), "--data-dir", dir, "--demo", "--no-demo-trackers")
	m := apiKeyLine.FindStringSubmatch(cli(t, dir, "", "apikey", "create", "e2e", "--role", "admin"))
	if m == nil {
		t.Fatal("apikey create printed no key")
	}
	key := m[1]
	api(t, http.MethodPut, s.URL+"/api/v1/jira", key, map[string]any{"base_url": jira.URL, "flavor": "cloud",
		"email": jiratest.Email, "token": jiratest.APIToken}, nil)

	// A ticket whose applications all follow Jira issues.
	var list struct {
		Items []struct {
			Number       int64  `json:"number"`
			Status       string `json:"status"`
			Applications []struct {
				UsesTracker bool `json:"uses_tracker"`
			} `json:"applications"`
		} `json:"items"`
	}
	api(t, http.MethodGet, s.URL+"/api/v1/tickets?limit=100", key, nil, &list)
	var tkKey string
	var apps int
	for _, it := range list.Items {
		all := len(it.Applications) > 0
		for _, a := range it.Applications {
			all = all && a.UsesTracker
		}
		if all && it.Status == "open" {
			tkKey, apps = fmt.Sprintf("VS-%04d", it.Number), len(it.Applications)
			break
		}
	}
	if tkKey == "" {
		t.Fatalf("no demo ticket follows Jira only: %+v", list.Items)
	}
	issues := func() []string {
		var keys []string
		for _, iss := range jira.Issues() {
			if strings.HasSuffix(iss.Summary, "["+tkKey+"]") {
				keys = append(keys, iss.Key)
			}
		}
		return keys
	}
	for deadline := time.Now().Add(30 * time.Second); len(issues()) < apps; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d of its %d Jira issues\nstderr:\n%s", tkKey, len(issues()), apps, s.Stderr.String())
		}
	}

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	signIn := func(email, password string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(s.URL+"/login"),
			chromedp.WaitVisible(css(`input[name=email]`)),
			chromedp.SendKeys(css(`input[name=email]`), email),
			chromedp.SendKeys(css(`input[name=password]`), password),
			chromedp.Click(css(`form[action="/login"] button[type=submit]`)),
			chromedp.WaitVisible(css(`#sla-countdown`)),
		)
		if err != nil {
			t.Fatalf("sign in as %s: %v\nstderr:\n%s", email, err, s.Stderr.String())
		}
	}
	signIn(s.Email, s.Password)
	dash, err := chromedp.Run(ctx, chromedp.Text(css(`#sla-countdown`)))
	if err != nil || !strings.Contains(dash, tkKey) {
		t.Fatalf("the dashboard's countdown does not list %s (%v):\n%s", tkKey, err, dash)
	}
	for _, sel := range []string{`#ticket-matrix`, `svg.timeline circle.mark`, `#health-dead-letters`, `#health-mailboxes`} {
		if err := chromedp.Do(ctx, chromedp.WaitVisible(css(sel))); err != nil {
			t.Fatalf("dashboard lacks %s: %v", sel, err)
		}
	}

	err = chromedp.Do(ctx,
		chromedp.Click(css(`#sla-countdown a[href="/tickets/`+tkKey+`"]`)),
		chromedp.WaitVisible(css(`form[action="/tickets/`+tkKey+`/sync"] button`)),
	)
	if err != nil {
		t.Fatalf("open %s from the dashboard: %v", tkKey, err)
	}
	for _, k := range issues() {
		jira.SetStatus(k, "Done", jiratest.CategoryDone)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(css(`form[action="/tickets/`+tkKey+`/sync"] button`)),
		chromedp.WaitVisible(css(`.flash`)),
	)
	if err != nil {
		t.Fatalf("sync now: %v", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(css(`main dl.kv dd span.badge`)))
	if err != nil || status != "Resolved" {
		t.Fatalf("after Sync now %s is %q (%v), want Resolved", tkKey, status, err)
	}

	cli(t, dir, "correct horse battery staple\n", "user", "create", "carla@vendorsync.local", "--role", "change_manager",
		"--name", "Carla Change", "--password-stdin")
	err = chromedp.Do(ctx, chromedp.Click(css(`header.topbar form[action="/logout"] button`)), chromedp.WaitVisible(css(`input[name=email]`)))
	if err != nil {
		t.Fatalf("sign out: %v", err)
	}
	signIn("carla@vendorsync.local", "correct horse battery staple")
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/tickets/"+tkKey),
		chromedp.WaitVisible(css(`form[action="/tickets/`+tkKey+`/transitions"] input[value=closed] ~ button`)),
		chromedp.Click(css(`form[action="/tickets/`+tkKey+`/transitions"] input[value=closed] ~ button`)),
		chromedp.WaitVisible(css(`.flash`)),
	)
	if err != nil {
		t.Fatalf("confirm closure: %v\nstderr:\n%s", err, s.Stderr.String())
	}
	status, err = chromedp.Run(ctx, chromedp.Text(css(`main dl.kv dd span.badge`)))
	if err != nil || status != "Closed" {
		t.Fatalf("after confirming closure %s is %q (%v), want Closed", tkKey, status, err)
	}
}
