package app_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the browser to drive, skipping the test when there is
// none — unless VENDORSYNC_TEST_CHROMIUM names one (CI), which must work.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VENDORSYNC_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("headless Chromium not installed (apt-get install chromium); UI test skipped")
	return ""
}

// browserCtx starts headless Chromium and returns a chromedp context.
func browserCtx(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// uiSignIn signs in as s's admin through the login page, from path (which
// the server answers with the login form).
func uiSignIn(t *testing.T, ctx context.Context, s *server, path string) {
	t.Helper()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+path),
		chromedp.WaitVisible(css(`input[name=email]`)),
		chromedp.SendKeys(css(`input[name=email]`), s.Email),
		chromedp.SendKeys(css(`input[name=password]`), s.Password),
		chromedp.Click(css(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(css(`header.topbar h1`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v\nstderr:\n%s", err, s.Stderr.String())
	}
}

// TestUISignInAndCreateApplication signs in through the login page and
// creates an application through its form, as a change manager would.
func TestUISignInAndCreateApplication(t *testing.T) {
	ctx := browserCtx(t)
	s := startServe(t, envOf())
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	uiSignIn(t, ctx, s, "/")
	heading, err := chromedp.Run(ctx, chromedp.Text(css(`header.topbar h1`)))
	if err != nil || heading != "Dashboard" {
		t.Fatalf("after sign-in the page is %q (%v), want Dashboard", heading, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/applications/new"),
		chromedp.WaitVisible(css(`input[name=name]`)),
		chromedp.SendKeys(css(`input[name=name]`), "SettlementService"),
		chromedp.SendKeys(css(`textarea[name=description]`), "Nightly settlement batch: reconciles card payments with the acquirer's settlement files over SFTP."),
		chromedp.Click(css(`main form.stack button[type=submit]`)),
		chromedp.WaitVisible(css(`.flash`)),
		chromedp.Navigate(s.URL+"/applications"),
		chromedp.WaitVisible(css(`main table`)),
	)
	if err != nil {
		t.Fatalf("create application: %v\nstderr:\n%s", err, s.Stderr.String())
	}
	list, err := chromedp.Run(ctx, chromedp.Text(css(`main table`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, "SettlementService") {
		t.Fatalf("application list does not show the new application:\n%s", list)
	}
}
