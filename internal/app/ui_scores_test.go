package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// vendorPageChecks runs on a vendor's score page and lists what is wrong:
// contributor points that do not add up to the score shown or shares that
// do not add up to 100%, a trend with
// fewer points than the demo's weeks, no band crossing in the band changes,
// and a missing section of what VendorSync knows about the vendor.
const vendorPageChecks = `(() => {
  const out = [];
  const score = parseFloat(document.querySelector("#vendor-score").textContent);
  if (isNaN(score)) out.push("no score: " + document.querySelector("#vendor-score").textContent);
  let sum = 0;
  document.querySelectorAll("#contributors tbody tr td:nth-child(4)").forEach(td => { sum += parseFloat(td.textContent); });
  if (Math.abs(sum - score) > 0.05) out.push("contributor points add up to " + sum.toFixed(1) + ", the score is " + score);
  let pct = 0;
  document.querySelectorAll("#contributors tbody tr td:nth-child(5)").forEach(td => { pct += parseInt(td.textContent.trim(), 10); });
  if (pct !== 100) out.push("shares add up to " + pct + "%");
  const dots = document.querySelectorAll("svg.trend circle").length;
  if (dots < 8) out.push("the trend has " + dots + " points");
  const crossings = [...document.querySelectorAll("#band-changes tbody tr")].filter(tr => tr.cells.length > 2 && tr.cells[1].textContent.trim() !== "No data");
  if (crossings.length === 0) out.push("no band crossing listed");
  for (const id of ["vendor-tickets", "vendor-exceptions", "vendor-ingest", "vendor-trackers"]) {
    if (!document.getElementById(id)) out.push("no #" + id);
  }
  return out.join("\n");
})()`

// TestUIVendorScorePage walks the demo's scores in headless Chromium: the
// portfolio lists the demo vendors with their band distribution, and the
// vendor whose score slid across bands shows its score with contributors
// that add up to it, an eight-week trend, the crossing, and everything else
// VendorSync knows about it. With VENDORSYNC_TEST_SCREENSHOTS naming a
// directory, both pages' screenshots are written there.
func TestUIVendorScorePage(t *testing.T) {
	ctx := browserCtx(t)
	s := startServe(t, envOf(), "--demo")
	if out := s.Stdout.String(); !strings.Contains(out, `Demo scores (organisation "default"): scored 8 vendors over 8 weeks`) {
		t.Fatalf("serve --demo did not load the scores demo:\n%s", out)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	uiSignIn(t, ctx, s, "/scores")
	shoot := func(name string) {
		t.Helper()
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot of %s: %v", name, err)
		}
		if dir := os.Getenv("VENDORSYNC_TEST_SCREENSHOTS"); dir != "" {
			if err := os.WriteFile(filepath.Join(dir, "scores-"+name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		problems, err := chromedp.Run(ctx, chromedp.Evaluate[string](polishChecks))
		if err != nil {
			t.Fatalf("check %s: %v", name, err)
		}
		if problems != "" {
			t.Errorf("%s:\n%s", name, problems)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/scores"), chromedp.WaitVisible(css(`#portfolio`)), chromedp.WaitVisible(css(`#band-chart`))); err != nil {
		t.Fatalf("portfolio: %v", err)
	}
	table, err := chromedp.Run(ctx, chromedp.Text(css(`#portfolio`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Twilio", "Visa", "Okta", "Midwest Fastener Supply"} {
		if !strings.Contains(table, name) {
			t.Errorf("portfolio lacks %s", name)
		}
	}
	shoot("portfolio")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll("#portfolio a")].find(a => a.textContent.trim() === "Twilio").getAttribute("href")`))
	if err != nil || !strings.HasSuffix(href, "/score") {
		t.Fatalf("Twilio's link: %q %v", href, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+href), chromedp.WaitVisible(css(`#contributors`))); err != nil {
		t.Fatalf("vendor page: %v", err)
	}
	shoot("vendor")
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[string](vendorPageChecks))
	if err != nil {
		t.Fatal(err)
	}
	if problems != "" {
		t.Errorf("Twilio's page:\n%s", problems)
	}
	// Recent signals show their values in their units, not as raw fractions.
	values, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#recent-signals td.value")].map(td => td.textContent.trim())`))
	if err != nil || len(values) == 0 {
		t.Fatalf("recent signals' values: %v %v", values, err)
	}
	var percent bool
	for _, v := range values {
		if strings.HasPrefix(v, "0.") && !strings.ContainsAny(v, "% ") {
			t.Errorf("a recent signal's value shows as a bare fraction %q: %q", v, values)
		}
		percent = percent || strings.HasSuffix(v, "%")
	}
	if !percent {
		t.Errorf("no rate of Twilio's recent signals shows as a percentage: %q", values)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/scores/rules"), chromedp.WaitVisible(css(`#rule-form`))); err != nil {
		t.Fatalf("rules editor: %v", err)
	}
	shoot("rules")
}
