package app_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea/giteatest"
)

// TestUITrackerSyncWalk walks two-way sync in headless Chromium on a demo
// ticket whose issue lives in a Gitea-kind connection: a title edited on
// the ticket page reaches Gitea; a title edited in Gitea shows on the
// ticket page after Reconcile now, and again after a signed webhook; the same field edited on both sides
// (our push held back by Gitea refusing it) is a conflict on the ticket
// page, and each way of settling it there — keep ours, take theirs, write a
// value — ends the conflict with the title Gitea then holds.
// With VENDORSYNC_TEST_SCREENSHOTS naming a directory, each step's page is
// written there.
func TestUITrackerSyncWalk(t *testing.T) {
	ctx := browserCtx(t)
	d := demoTwoTrackers(t, ctx)
	s, gt, is := d.s, d.gt, d.giteaIssue
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	ticketURL := s.URL + "/tickets/" + d.ticket

	reconcile := func() {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(s.URL+"/settings/trackers/"+d.gitea.ID+"/webhooks"),
			chromedp.Click(css(`#reconcile`)),
			chromedp.WaitVisible(css(`.flash`)),
		)
		if err != nil {
			t.Fatalf("reconcile now: %v", err)
		}
	}
	// The issue's copy is kept from the first reconciliation that reads it
	// (the connection's own first one may have run before it was opened).
	reconcile()

	// The Gitea issue's section on the ticket page, once its copy is kept.
	var section string
	find := `(() => { const s = [...document.querySelectorAll("section[id^=issue-]")].find(s => s.querySelector("h2").textContent.includes(` +
		"`" + is.Project + "#`" + `)); return s ? "#" + s.id : "" })()`
	waitPage(t, ctx, s, ticketURL, func() bool {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](find))
		section = got
		return err == nil && got != ""
	}, "the Gitea issue's section")
	sectionText := func() string {
		text, err := chromedp.Run(ctx, chromedp.Text(css(section)))
		if err != nil {
			t.Fatalf("read %s: %v", section, err)
		}
		return text
	}
	edit := func(title string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(ticketURL),
			chromedp.Click(css(section+` details summary`)),
			chromedp.SetValue(css(section+` form[id^=edit-] input[name=title]`), title),
			chromedp.Click(css(section+` form[id^=edit-] button[type=submit]`)),
			chromedp.WaitVisible(css(`.flash`)),
		)
		if err != nil {
			t.Fatalf("edit the title to %q: %v", title, err)
		}
	}
	atGitea := func(title string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			got, _ := gt.Get(is.Project, is.Number)
			if got.Title == title {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("Gitea's title is %q, want %q\nstderr:\n%s", got.Title, title, s.Stderr.String())
			}
		}
	}
	screenshot(t, ctx, "sync-walk-0-linked")

	// (a) Edited here: pushed to Gitea.
	edit("Rotate the payment keys (ours)")
	atGitea("Rotate the payment keys (ours)")
	waitPage(t, ctx, s, ticketURL, func() bool { return strings.Contains(sectionText(), "synced") }, "synced after the push")
	screenshot(t, ctx, "sync-walk-1-pushed")

	// (b) Edited in Gitea: Reconcile now brings it to the ticket page.
	gt.Update(is.Project, is.Number, func(i *forgetest.Issue) { i.Title = "Rotate the keys before Friday" })
	reconcile()
	waitPage(t, ctx, s, ticketURL, func() bool { return strings.Contains(sectionText(), "Rotate the keys before Friday") },
		"Gitea's title on the ticket page")
	screenshot(t, ctx, "sync-walk-2-pulled")

	// Edited in Gitea again, told by a signed webhook to the hook that
	// Register webhook set up.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/settings/trackers/"+d.gitea.ID+"/webhooks"),
		chromedp.Click(css(`#register-webhook`)),
		chromedp.WaitVisible(css(`#webhook-registration`)),
	); err != nil {
		t.Fatalf("register webhook: %v", err)
	}
	changed, _ := gt.Update(is.Project, is.Number, func(i *forgetest.Issue) { i.Title = "Rotate the keys by Friday noon" })
	deliverGitea(t, s, gt, d.gitea.ID, changed)
	waitPage(t, ctx, s, ticketURL, func() bool { return strings.Contains(sectionText(), "Rotate the keys by Friday noon") },
		"the webhook's title on the ticket page")
	screenshot(t, ctx, "sync-walk-2b-webhook")

	// (c) Both sides change the title: Gitea refuses our push for now, so
	// the next reconciliation meets two changes of one field.
	conflict := func(ours, theirs, shot string) {
		t.Helper()
		gt.Inject(forgetest.RouteEdit, forgetest.StatusFault(503, 1000))
		edit(ours)
		gt.Update(is.Project, is.Number, func(i *forgetest.Issue) { i.Title = theirs })
		reconcile()
		waitPage(t, ctx, s, ticketURL, func() bool {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector("`+section+` .conflict form[id^=resolve-]")`))
			return err == nil && ok
		}, "the conflict")
		text := sectionText()
		for _, want := range []string{ours, theirs, "conflict"} {
			if !strings.Contains(text, want) {
				t.Errorf("the conflict lacks %q:\n%s", want, text)
			}
		}
		screenshot(t, ctx, shot)
		gt.ClearFaults()
	}
	// resolve picks a side of the conflict on the ticket page; with a
	// value, it writes that title.
	resolve := func(take, value string) {
		t.Helper()
		acts := []chromedp.Action[chromedp.Void]{chromedp.Click(css(section + ` .conflict input[name=take][value=` + take + `]`))}
		if value != "" {
			acts = append(acts, chromedp.SetValue(css(section+` .conflict form[id^=resolve-] input[name=title]`), value))
		}
		acts = append(acts, chromedp.Click(css(section+` .conflict form[id^=resolve-] button[type=submit]`)),
			chromedp.WaitVisible(css(`.flash`)))
		if err := chromedp.Do(ctx, acts...); err != nil {
			t.Fatalf("resolve (%s): %v", take, err)
		}
	}
	// settled waits for the ticket page to show the issue without a
	// conflict, with title.
	settled := func(title, shot string) {
		t.Helper()
		waitPage(t, ctx, s, ticketURL, func() bool {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector("`+section+` .conflict")`))
			return err == nil && ok && strings.Contains(sectionText(), title)
		}, "the conflict gone")
		screenshot(t, ctx, shot)
	}
	conflict("Rotate the keys on Thursday", "Rotate the keys next week", "sync-walk-3-conflict")

	// Keep ours: the conflict ends and Gitea takes our title.
	resolve("ours", "")
	atGitea("Rotate the keys on Thursday")
	settled("Rotate the keys on Thursday", "sync-walk-4-resolved")

	// Take theirs: the conflict ends with Gitea's title, here and there.
	conflict("Rotate the keys at once", "Rotate the keys after the freeze", "sync-walk-5-conflict")
	resolve("theirs", "")
	settled("Rotate the keys after the freeze", "sync-walk-6-theirs")
	if got, _ := gt.Get(is.Project, is.Number); got.Title != "Rotate the keys after the freeze" {
		t.Errorf("Gitea's title after taking theirs: %q", got.Title)
	}

	// Write a value: neither side's title; the one written reaches Gitea.
	conflict("Rotate the keys on Monday", "Rotate the keys on Tuesday", "sync-walk-7-conflict")
	resolve("value", "Rotate the keys on Wednesday at 09:00")
	atGitea("Rotate the keys on Wednesday at 09:00")
	settled("Rotate the keys on Wednesday at 09:00", "sync-walk-8-value")

	// The Jira issue, never read back in this walk, has no section of
	// empty fields.
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("section[id='issue-']").length`)); err != nil || n != 0 {
		t.Errorf("sections of issues without a copy: %d %v", n, err)
	}
}

// deliverGitea posts is to the connection's hook as Gitea delivers an
// edited issue, signed with the secret of the hook registered for its
// repository.
func deliverGitea(t *testing.T, s *server, gt *giteatest.Server, connID string, is forgetest.Issue) {
	t.Helper()
	hooks := gt.Hooks(is.Project)
	if len(hooks) != 1 {
		t.Fatalf("hooks of %s: %+v", is.Project, hooks)
	}
	body := giteatest.IssueEvent("edited", is, gt.URL+"/"+is.Project+"/issues/"+strconv.FormatInt(is.Number, 10))
	req, err := http.NewRequest(http.MethodPost, s.URL+"/hooks/trackers/"+connID, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Gitea-Event", "issues")
	req.Header.Set("X-Gitea-Delivery", "walk-"+strconv.FormatInt(is.Updated.UnixNano(), 10))
	req.Header.Set("X-Gitea-Signature", tracker.SignHMACHex("", body, []byte(hooks[0].Secret)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("delivery answered %d", res.StatusCode)
	}
}

// waitPage reloads url until ok holds, for up to 30 seconds.
func waitPage(t *testing.T, ctx context.Context, s *server, url string, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`header.topbar h1`))); err != nil {
			t.Fatalf("open %s: %v", url, err)
		}
		if ok() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s on %s\nstderr:\n%s", what, url, s.Stderr.String())
		}
	}
}
