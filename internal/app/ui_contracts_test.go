package app_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vendorsync/vendorsync/internal/contract/contractdemo"
)

// TestUIContractsWalk walks a procurement analyst's first price file in
// headless Chromium, on a fresh organisation whose ERP catalog is the
// demo's: upload the vendor's price list, check the proposed columns and
// confirm, approve the part-number matches, reconcile, then work the
// exceptions queue — filter, open one, comment, assign, resolve; override
// another with a reason and accept a price; resolve two more in bulk;
// turn writeback on and export the accepted price for P21. With
// VENDORSYNC_TEST_SCREENSHOTS naming a directory, each page's screenshot is
// written there.
func TestUIContractsWalk(t *testing.T) {
	ctx := browserCtx(t)
	dir := t.TempDir()
	s := startServe(t, envOf(), "--data-dir", dir)
	m := apiKeyLine.FindStringSubmatch(cli(t, dir, "", "apikey", "create", "setup", "--role", "admin"))
	if m == nil {
		t.Fatal("apikey create printed no key")
	}
	key := m[1]
	var conn struct {
		ID string `json:"id"`
	}
	api(t, http.MethodPost, s.URL+"/api/v1/erp-connectors", key, map[string]any{"name": contractdemo.CatalogName, "provider": "csv"}, &conn)
	req, err := http.NewRequest(http.MethodPost, s.URL+"/api/v1/erp-connectors/"+conn.ID+"/catalog", bytes.NewReader(contractdemo.Catalog()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("catalog import: %v %v", res, err)
	}
	res.Body.Close()
	dv := contractdemo.Vendors[0]
	api(t, http.MethodPost, s.URL+"/api/v1/vendors", key, map[string]any{"name": dv.Vendor.Name, "tier": "tier_2"}, nil)
	api(t, http.MethodPut, s.URL+"/api/v1/price-tolerances", key, map[string]any{"percent": "2"}, nil)
	file, err := contractdemo.PriceFile(dv.File, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	upload := filepath.Join(t.TempDir(), dv.File)
	if err := os.WriteFile(upload, file, 0o644); err != nil {
		t.Fatal(err)
	}

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	uiSignIn(t, ctx, s, "/contracts/files")
	shoot := func(name string) {
		t.Helper()
		checkPage(t, ctx, "contracts-"+name)
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v\nstderr:\n%s", what, err, s.Stderr.String())
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// until waits for a condition in the page, through navigations (an
	// evaluation that meets one fails; the next runs in the new page).
	until := func(what, cond string) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still not so after a minute", what)
			}
		}
	}
	// submit clicks a form's button and waits for the page it leads to (a
	// flash from the last page is no sign the new one is there).
	submit := func(what, button string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__left = true; true`)); err != nil {
			t.Fatal(err)
		}
		step(what, chromedp.Click(css(button)))
		until(what+": the next page", `!window.__left && document.readyState === "complete"`)
	}

	step("upload the price file",
		chromedp.WaitVisible(css(`select[name=vendor_id]`)),
		chromedp.SetValue(css(`select[name=vendor_id]`), vendorOption(t, ctx, dv.Vendor.Name)),
		chromedp.SetUploadFiles(css(`input[type=file][name=file]`), []string{upload}),
	)
	shoot("files")
	submit("open the preview", `form[action="/contracts/files"] button[type=submit]`)
	step("see the preview", chromedp.WaitVisible(css(`form[action$="/confirm"]`)))
	preview := text(`form[action$="/confirm"] table`)
	for _, want := range []string{"Part #", "MFS-10421", "Net Price"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	shoot("preview")
	step("name the contract", chromedp.SetValue(css(`input[name=contract_number]`), dv.Contract))
	submit("confirm the columns", `form[action$="/confirm"] button[type=submit]`)
	step("wait for the import", chromedp.WaitVisible(css(`.badge.status-imported`)))
	shoot("imported")
	contractURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("dl.facts a")].find(a => a.textContent.trim() === `+
		strconv.Quote(dv.Contract)+`).getAttribute("href")`))
	if err != nil {
		t.Fatalf("no link to contract %s on the file page: %v", dv.Contract, err)
	}

	step("bulk approve the part-number matches",
		chromedp.Navigate(s.URL+"/contracts/mapping"),
		chromedp.WaitVisible(css(`form.bulk-approve`)),
		chromedp.SetValue(css(`form.bulk-approve select[name=threshold]`), "0.80"),
	)
	submit("bulk approve", `form.bulk-approve button[type=submit]`)
	shoot("mapping")

	step("reconcile now",
		chromedp.Navigate(s.URL+contractURL),
		chromedp.WaitVisible(css(`form[action$="/reconcile"]`)),
	)
	submit("reconcile now", `form[action$="/reconcile"] button`)
	until("the run completes", `document.readyState === "complete" && document.querySelectorAll(".badge.status-completed").length > 1 && `+
		`!document.querySelector(".badge.status-queued, .badge.status-running")`)
	shoot("runs")

	step("the dashboard",
		chromedp.Navigate(s.URL+"/contracts"),
		chromedp.WaitVisible(css(`#contract-kpis`)),
	)
	shoot("dashboard")

	step("filter the queue",
		chromedp.Navigate(s.URL+"/contracts/exceptions"),
		chromedp.WaitVisible(css(`form.toolbar select[name=rule]`)),
	)
	queue := text(`#bulk table`)
	for _, rule := range []string{"MISSING_MAPPING", "UOM_MISMATCH", "PRICE_MISMATCH", "EXPIRED_CONTRACT", "INACTIVE_ITEM"} {
		if !strings.Contains(queue, rule) {
			t.Errorf("the queue shows no %s:\n%s", rule, queue)
		}
	}
	shoot("queue")
	step("filter by rule",
		chromedp.SetValue(css(`form.toolbar select[name=rule]`), "PRICE_MISMATCH"),
	)
	submit("filter", `form.toolbar button[type=submit]`)
	if q := text(`#bulk table`); strings.Contains(q, "MISSING_MAPPING") || !strings.Contains(q, "PRICE_MISMATCH") {
		t.Errorf("filtered queue:\n%s", q)
	}
	shoot("queue-filtered")

	submit("open one", `#bulk tbody a[href^="/contracts/exceptions/"]`)
	detail := text(`main`)
	for _, want := range []string{"Suggested action", "per EA", "Action log"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}
	shoot("exception")
	act := func(action string) string { return `form:has(input[name=action_type][value=` + action + `]) ` }
	step("write a comment", chromedp.SendKeys(css(act("comment")+`textarea[name=note]`), "Asked Midwest to confirm the 2026 price."))
	submit("comment", act("comment")+`button`)
	step("choose me", chromedp.SetValue(css(act("assign")+`select[name=assigned_to]`), "me"))
	submit("assign", act("assign")+`button`)
	step("write the resolution", chromedp.SendKeys(css(act("resolve")+`input[name=note]`), "ERP price updated to the contract price"))
	submit("resolve", act("resolve")+`button`)
	step("see it resolved", chromedp.WaitVisible(css(`.badge.status-resolved`)))
	detail = text(`main`)
	for _, want := range []string{"Asked Midwest to confirm", "assign", "ERP price updated"} {
		if !strings.Contains(detail, want) {
			t.Errorf("after working it, the detail lacks %q:\n%s", want, detail)
		}
	}
	shoot("exception-resolved")

	step("override another",
		chromedp.Navigate(s.URL+"/contracts/exceptions?rule=UOM_MISMATCH"),
		chromedp.WaitVisible(css(`#bulk tbody a[href^="/contracts/exceptions/"]`)),
	)
	submit("open a unit mismatch", `#bulk tbody a[href^="/contracts/exceptions/"]`)
	step("write the reason", chromedp.SendKeys(css(act("override")+`textarea[name=note]`), "Vendor ships by the case; the ERP unit is set up next week."))
	submit("override", act("override")+`button`)
	step("see it overridden", chromedp.WaitVisible(css(`.badge.status-overridden`)))
	shoot("exception-overridden")
	// The other price mismatch is accepted: an approved price change
	// for the writeback export below.
	step("accept a price",
		chromedp.Navigate(s.URL+"/contracts/exceptions?rule=PRICE_MISMATCH"),
		chromedp.WaitVisible(css(`#bulk tbody a[href^="/contracts/exceptions/"]`)),
	)
	submit("open a price mismatch", `#bulk tbody a[href^="/contracts/exceptions/"]`)
	step("write the reason", chromedp.SendKeys(css(act("override")+`textarea[name=note]`), "Midwest's 2026 price is agreed with purchasing."))
	submit("override the price", act("override")+`button`)
	step("see the price overridden", chromedp.WaitVisible(css(`.badge.status-overridden`)))

	step("bulk resolve",
		chromedp.Navigate(s.URL+"/contracts/exceptions"),
		chromedp.WaitVisible(css(`#bulk tbody input[type=checkbox]`)),
	)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`[...document.querySelectorAll("#bulk tbody input[type=checkbox]")].slice(0, 2).forEach(c => c.checked = true); true`)); err != nil {
		t.Fatal(err)
	}
	step("choose resolve",
		chromedp.SetValue(css(`#bulk select[name=action_type]`), "resolve"),
		chromedp.SendKeys(css(`#bulk input[name=note]`), "Handled in the ERP"),
	)
	submit("apply to the selected", `#bulk .toolbar button[type=submit]`)
	if flash := text(`.flash`); !strings.Contains(flash, "2 of 2 exception(s) updated") {
		t.Errorf("bulk flash: %q", flash)
	}
	shoot("queue-after-bulk")

	step("settings",
		chromedp.Navigate(s.URL+"/contracts/settings"),
		chromedp.WaitVisible(css(`#permissions`)),
	)
	shoot("settings")

	// Writeback: an approved price goes to P21 once, in an export that
	// downloads the same file again later.
	step("turn writeback on", chromedp.Click(css(`input[name=writeback]`)))
	submit("save the features", `form[action="/contracts/settings/features"] button[type=submit]`)
	step("back to the queue",
		chromedp.Navigate(s.URL+"/contracts/exceptions"),
		chromedp.WaitVisible(css(`main a[href="/contracts/price-exports"]`)),
	)
	submit("open the price exports", `main a[href="/contracts/price-exports"]`)
	if pending := text(`main`); !strings.Contains(pending, "Export 1 new approved change") || !strings.Contains(pending, "No export yet") {
		t.Errorf("price exports before exporting:\n%s", pending)
	}
	shoot("price-exports-pending")
	submit("export", `form[action="/contracts/price-exports"] button[type=submit]`)
	if flash := text(`.flash`); !strings.Contains(flash, "Exported 1 approved price change;") {
		t.Errorf("export flash: %q", flash)
	}
	if page := text(`main`); !strings.Contains(page, "No new approved price changes") || !strings.Contains(page, "Download CSV") {
		t.Errorf("price exports after exporting:\n%s", page)
	}
	shoot("price-exports")
}

// vendorOption returns the value of the upload form's option for a
// vendor's name.
func vendorOption(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("select[name=vendor_id] option")].find(o => o.textContent.trim() === `+
		strconv.Quote(name)+`).value`))
	if err != nil || v == "" {
		t.Fatalf("no option for %s: %v", name, err)
	}
	return v
}
