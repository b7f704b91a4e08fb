package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUILiveSearch types into a list's search box and, without submitting,
// sees the list narrow (htmx swaps the page's main region in place).
func TestUILiveSearch(t *testing.T) {
	ctx := browserCtx(t)
	s := startServe(t, envOf(), "--demo")
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	uiSignIn(t, ctx, s, "/login")
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/vendors"),
		chromedp.WaitVisible(css(`main table`)),
		chromedp.SendKeys(css(`input[name=q]`), "mastercard"),
	)
	if err != nil {
		t.Fatalf("open vendors and type: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		// htmx may replace the table between finding it and reading it
		// ("No node with given id found"): read again.
		list, err := chromedp.Run(ctx, chromedp.Text(css(`main table`)))
		if err == nil && strings.Contains(list, "Mastercard") && !strings.Contains(list, "Stripe") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the list did not narrow to Mastercard while typing (last read error %v):\n%s", err, list)
		}
		time.Sleep(100 * time.Millisecond)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement && document.activeElement.name`))
	if err != nil {
		t.Fatal(err)
	}
	if focused != "q" {
		t.Errorf("after the live update the focus is on %q, want the search box", focused)
	}
}
