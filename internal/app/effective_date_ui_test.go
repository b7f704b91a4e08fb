package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIEffectiveDateWalk moves the effective date of a demo ticket whose
// issues live in Jira and Gitea from its page in headless Chromium: a
// malformed submission shows its error, a good one shows the new date and
// due time and its timeline entry, and the Gitea issue gets the new due
// date through the outbox. With VENDORSYNC_TEST_SCREENSHOTS naming a
// directory, the pages are written there.
func TestUIEffectiveDateWalk(t *testing.T) {
	ctx := browserCtx(t)
	d := demoTwoTrackers(t, ctx)
	s, gt, is := d.s, d.gt, d.giteaIssue
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	ticketURL := s.URL + "/tickets/" + d.ticket
	// The Gitea issue's copy is kept from the first reconciliation that
	// reads it; only issues with a copy get the new due date.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/settings/trackers/"+d.gitea.ID+"/webhooks"),
		chromedp.Click(css(`#reconcile`)),
		chromedp.WaitVisible(css(`.flash`)),
	); err != nil {
		t.Fatalf("reconcile now: %v", err)
	}
	waitPage(t, ctx, s, ticketURL, func() bool {
		html, err := chromedp.Run(ctx, chromedp.OuterHTML(css(`main`)))
		return err == nil && strings.Contains(html, is.Project+"#")
	}, "the Gitea issue's section")

	form := `form[action$="/effective-date"]`
	submit := func(date, reason, waitFor string) string {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(ticketURL),
			chromedp.WaitVisible(css(form)),
			chromedp.SetValue(css(form+` input[name=effective_date]`), date),
			chromedp.SetValue(css(form+` textarea[name=reason]`), reason),
			chromedp.Click(css(form+` button[type=submit]`)),
			chromedp.WaitVisible(css(waitFor)),
		)
		if err != nil {
			t.Fatalf("change the effective date to %q: %v", date, err)
		}
		html, err := chromedp.Run(ctx, chromedp.OuterHTML(css(`body`)))
		if err != nil {
			t.Fatal(err)
		}
		return html
	}
	// The browser's date input takes no malformed date; a blank reason is
	// caught by the form's own check, so send only spaces.
	date := time.Now().UTC().AddDate(0, 0, 40).Format(time.DateOnly)
	if html := submit(date, "   ", `.field-error`); !strings.Contains(html, "is required: say why the date moves") {
		t.Fatalf("a blank reason was not refused:\n%s", html)
	}
	screenshot(t, ctx, "effective-date-0-refused")
	html := submit(date, "Visa postponed the cut-over by a month.", `.flash`)
	for _, want := range []string{"The effective date of " + d.ticket + " is now " + date, "<dd>" + date + "</dd>",
		"Effective date ", "→ " + date + ": Visa postponed the cut-over by a month."} {
		if !strings.Contains(html, want) {
			t.Errorf("the page after the change lacks %q", want)
		}
	}
	screenshot(t, ctx, "effective-date-1-moved")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got, _ := gt.Get(is.Project, is.Number)
		if got.DueDate == date {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Gitea's due date is %q, want %s\nstderr:\n%s", got.DueDate, date, s.Stderr.String())
		}
	}
}
