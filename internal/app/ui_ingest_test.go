package app_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIIngestDemo walks the demo's ingest in headless Chromium: serve
// --demo sends the two suppliers' events through the accept path; their
// quarantine rate, drift count and data quality reach the scores as
// signals once the workers run; Midwest's ingest page shows its drift and
// quality, and the quarantine lists the events set aside with their
// reasons; the demo subscription's delivery log shows deliveries its
// built-in receiver took and the one it answered 503. With
// VENDORSYNC_TEST_SCREENSHOTS naming a directory, the pages' screenshots
// are written there.
func TestUIIngestDemo(t *testing.T) {
	ctx := browserCtx(t)
	s := startServe(t, envOf(), "--demo")
	const loaded = `Demo ingest (organisation "default"): 2 vendors sent 351 events (35 sent twice, answered DUPLICATE; 2 sent again with another payload, refused as conflicts): 346 normalized, 3 quarantined, 2 failed to normalize`
	if out := s.Stdout.String(); !strings.Contains(out, loaded) {
		t.Fatalf("serve --demo did not load the ingest demo:\n%s", out)
	}
	c := browser(t)
	login(t, c, s.URL, s.Email, s.Password)
	getJSON := func(path string, into any) {
		t.Helper()
		res, err := c.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s = %d %s", path, res.StatusCode, b)
		}
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	var vendors []struct {
		VendorID  string `json:"vendor_id"`
		VendorKey string `json:"vendor_key"`
	}
	getJSON("/api/v1/ingest/vendors", &vendors)
	ids := map[string]string{}
	for _, v := range vendors {
		ids[v.VendorKey] = v.VendorID
	}
	if len(ids) != 2 || ids["midwest-fastener"] == "" || ids["allied-safety"] == "" {
		t.Fatalf("ingest vendors %+v", vendors)
	}
	// The signals are recorded by the workers: wait for all six.
	deadline := time.Now().Add(60 * time.Second)
	for key, id := range ids {
		for {
			var page struct {
				Items []struct {
					Source string  `json:"source"`
					Code   string  `json:"signal_code"`
					Value  float64 `json:"value"`
				} `json:"items"`
			}
			getJSON("/api/v1/signals?limit=200&vendor_id="+id, &page)
			codes := map[string]bool{}
			for _, it := range page.Items {
				if it.Source == "ingest" {
					codes[it.Code] = true
				}
			}
			if codes["event_quarantine_rate"] && codes["schema_drift_count"] && codes["data_quality_score"] {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s's ingest signals after 60 s: %v", key, codes)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	uiSignIn(t, ctx, s, "/ingest")
	shoot := func(name string) string {
		t.Helper()
		checkPage(t, ctx, "ingest-"+name)
		text, err := chromedp.Run(ctx, chromedp.Text(css(`main`)))
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/ingest/vendors/"+ids["midwest-fastener"]),
		chromedp.WaitVisible(css(`#drift`)), chromedp.WaitVisible(css(`#quality`)), chromedp.WaitVisible(css(`#traffic svg`))); err != nil {
		t.Fatalf("Midwest's ingest page: %v", err)
	}
	page := shoot("vendor")
	traffic, err := chromedp.Run(ctx, chromedp.Text(css(`#traffic-summary`)))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[1-9][\d,]* events?, \d+ quarantined, \d+ failed normalize, [1-9][\d,]* duplicates?, \d+ conflicts?, \d+ refused since `).MatchString(traffic) {
		t.Errorf("Midwest's traffic over the last 24 hours: %q", traffic)
	}
	for _, want := range []string{"midwest-fastener", "/bin", "/allocated", "removed_field", "inventory.snapshot"} {
		if !strings.Contains(page, want) {
			t.Errorf("Midwest's ingest page lacks %q", want)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/ingest/quarantine"), chromedp.WaitVisible(css(`#replay-filtered`))); err != nil {
		t.Fatalf("quarantine: %v", err)
	}
	page = shoot("quarantine")
	rows, err := chromedp.Run(ctx, chromedp.Text(css(`main table tbody`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Allied Safety & Janitorial", "Midwest Fastener Supply"} {
		if !strings.Contains(rows, want) {
			t.Errorf("the quarantine does not name the vendor %q:\n%s", want, rows)
		}
	}
	for _, want := range []string{"unknown_event_type", "schema_invalid", "canonical_invalid", "mapping_error", "ReturnAuthorization"} {
		if !strings.Contains(page, want) {
			t.Errorf("the quarantine lacks %q", want)
		}
	}

	// The demo subscription's receiver takes the deliveries, after
	// answering the first one 503.
	var subs []struct {
		ID          string `json:"id"`
		Description string `json:"description"`
	}
	getJSON("/api/v1/ingest/subscriptions", &subs)
	if len(subs) != 1 || !strings.HasPrefix(subs[0].Description, "Demo warehouse system") {
		t.Fatalf("subscriptions %+v, want the demo's", subs)
	}
	for {
		var page struct {
			Items []struct {
				Status   string `json:"status"`
				LastCode int    `json:"last_status_code"`
			} `json:"items"`
		}
		getJSON("/api/v1/ingest/deliveries?limit=500", &page)
		delivered, busy := 0, 0
		for _, d := range page.Items {
			if d.Status == "delivered" {
				delivered++
			}
			if d.LastCode == 503 {
				busy++
			}
		}
		if delivered > 0 && busy == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries after 60 s: %d delivered, %d answered 503", delivered, busy)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/ingest/subscriptions/"+subs[0].ID), chromedp.WaitVisible(css(`main table`))); err != nil {
		t.Fatalf("the demo subscription: %v", err)
	}
	page = shoot("subscription")
	for _, want := range []string{"Deliveries", "delivered", "204"} {
		if !strings.Contains(page, want) {
			t.Errorf("the demo subscription's page lacks %q", want)
		}
	}
}

// checkPage screenshots the page open in ctx (written as name.png to
// VENDORSYNC_TEST_SCREENSHOTS when it names a directory) and reports what
// the layout checks find wrong with it.
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", name, err)
	}
	if dir := os.Getenv("VENDORSYNC_TEST_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
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
