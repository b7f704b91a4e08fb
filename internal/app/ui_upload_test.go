package app_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestUIUploadProgress uploads a 4 MB vendor price file in headless
// Chromium over a connection throttled to 1 MB/s: the upload form shows
// a progress bar with the bytes sent while the file goes up, then the
// browser lands on the file's page as the plain form post would.
func TestUIUploadProgress(t *testing.T) {
	ctx := browserCtx(t)
	dir := t.TempDir()
	s := startServe(t, envOf(), "--data-dir", dir)
	m := apiKeyLine.FindStringSubmatch(cli(t, dir, "", "apikey", "create", "setup", "--role", "admin"))
	if m == nil {
		t.Fatal("apikey create printed no key")
	}
	api(t, http.MethodPost, s.URL+"/api/v1/vendors", m[1], map[string]any{"name": "Progress Supply", "tier": "tier_2"}, nil)
	var b strings.Builder
	b.WriteString("Part #,Description,U/M,Net Price,Expires\n")
	for i := 0; b.Len() < 4<<20; i++ {
		fmt.Fprintf(&b, "PS-%06d,Hex bolt M8 x %d zinc plated,EA,1.25,2027-12-31\n", i, i%90+10)
	}
	upload := filepath.Join(t.TempDir(), "progress-supply.csv")
	if err := os.WriteFile(upload, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	uiSignIn(t, ctx, s, "/contracts/files")
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(css(`select[name=vendor_id]`)),
		chromedp.SetValue(css(`select[name=vendor_id]`), vendorOption(t, ctx, "Progress Supply")),
		chromedp.SetUploadFiles(css(`input[type=file][name=file]`), []string{upload}),
	); err != nil {
		t.Fatal(err)
	}
	if hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("progress[data-upload-bar]").hidden`)); err != nil || !hidden {
		t.Fatalf("the progress bar shows before the upload (hidden %v, %v)", hidden, err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: 1 << 20}}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`form[action="/contracts/files"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}

	// While the file goes up: part of it sent, said in bytes and percent.
	const midway = `(() => { const b = document.querySelector("progress[data-upload-bar]");
		return b && !b.hidden && b.value > 0 && b.value < b.max ? document.querySelector("[data-upload-status]").textContent : "" })()`
	var status string
	for deadline := time.Now().Add(60 * time.Second); status == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		status, _ = chromedp.Run(ctx, chromedp.Evaluate[string](midway))
	}
	if !regexp.MustCompile(`^[0-9.]+ (MB|KB|bytes) of 4\.[0-9] MB sent \([0-9]+ %\)$`).MatchString(status) {
		t.Fatalf("no upload progress seen while the file was sent (last status %q)", status)
	}
	checkPage(t, ctx, "contracts-upload-progress")

	// Then the file's page, as after a plain form post.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.pathname.startsWith("/contracts/files/") && !!document.querySelector('form[action$="/confirm"]')`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the file page did not follow the upload:\n%s", s.Stderr.String())
		}
	}
}
