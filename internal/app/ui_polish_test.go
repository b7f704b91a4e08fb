package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// polishChecks runs in the page and lists what looks broken: a ticket key,
// pill or audit action split over two lines, a search box too narrow for
// its placeholder, a sidebar that stops before the page ends, and severity
// legend dots that share a colour.
const polishChecks = `(() => {
  const out = [];
  const wraps = (sel) => document.querySelectorAll(sel).forEach(el => {
    if (el.getClientRects().length > 1 || el.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(el).fontSize)) {
      out.push(sel + " wraps: " + el.textContent.trim());
    }
  });
  wraps("td.key a"); wraps(".badge"); wraps("table.audit td code");
  document.querySelectorAll("input[placeholder]").forEach(el => {
    const c = document.createElement("canvas").getContext("2d");
    const cs = getComputedStyle(el);
    c.font = cs.font;
    const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    if (c.measureText(el.placeholder).width > room + 1) out.push("placeholder cut: " + el.placeholder);
  });
  const side = document.querySelector(".sidebar");
  if (side && side.getBoundingClientRect().bottom + window.scrollY < document.documentElement.scrollHeight - 1) {
    out.push("sidebar stops short: " + Math.round(side.getBoundingClientRect().bottom + window.scrollY) + " < " + document.documentElement.scrollHeight);
  }
  const main = document.querySelector("main");
  document.querySelectorAll("main form[method=get] select, main form[method=get] input:not([type=hidden])").forEach(el => {
    if (main && el.getBoundingClientRect().width > 0.6 * main.clientWidth) {
      out.push("filter control stretched across the page: " + (el.name || el.outerHTML.slice(0, 60)));
    }
  });
  const colours = {};
  document.querySelectorAll(".legend .dot").forEach(d => {
    const bg = getComputedStyle(d).backgroundColor;
    if (colours[bg]) out.push("legend " + d.className + " shares its colour with " + colours[bg]);
    colours[bg] = d.className;
  });
  return out.join("\n");
})()`

// TestUIPolish walks the demo's busiest pages in headless Chromium at a
// laptop's width and checks the layout details people notice first. With
// VENDORSYNC_TEST_SCREENSHOTS naming a directory, each page's screenshot is
// written there for a person to look at.
func TestUIPolish(t *testing.T) {
	ctx := browserCtx(t)
	s := startServe(t, envOf(), "--demo")
	res, err := http.Get(s.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/favicon.ico answered %d, want 200", res.StatusCode)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	uiSignIn(t, ctx, s, "/login")
	for _, page := range []string{"/", "/emails", "/tickets", "/vendors", "/audit", "/contracts", "/contracts/exceptions", "/ingest/quarantine"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+page), chromedp.WaitVisible(css(`main`))); err != nil {
			t.Fatalf("open %s: %v", page, err)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot of %s: %v", page, err)
		}
		if dir := os.Getenv("VENDORSYNC_TEST_SCREENSHOTS"); dir != "" {
			name := strings.Trim(strings.ReplaceAll(page, "/", "_"), "_")
			if err := os.WriteFile(filepath.Join(dir, "polish-"+name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		problems, err := chromedp.Run(ctx, chromedp.Evaluate[string](polishChecks))
		if err != nil {
			t.Fatalf("check %s: %v", page, err)
		}
		if problems != "" {
			t.Errorf("%s:\n%s", page, problems)
		}
	}
}
