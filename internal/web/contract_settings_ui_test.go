package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestContractSettingsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	vendor := created(e, e.key, "/api/v1/vendors", map[string]any{"name": "Fastenal Supply", "tier": "tier_2"})
	admin := e.signInAs(e.admin.Email, e.password)
	cm, viewer := e.signIn(auth.RoleChangeManager), e.signIn(auth.RoleViewer)

	res := admin.get(t, "/contracts/settings")
	for _, want := range []string{"Writeback: export approved price changes", "Advanced rules", "never set: prices must be equal",
		"Unit aliases", "Who may do what", "override_exceptions", "Save features"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("settings page lacks %q: %.4000s", want, res.Body)
		}
	}

	wantStatus(t, admin.post(t, "/contracts/settings/features", url.Values{"writeback": {"on"}, "p21_company_id": {"ACME"},
		"p21_pricing_book_id": {"VENDORS"}}), http.StatusSeeOther)
	wantStatus(t, admin.post(t, "/contracts/settings/tolerances", url.Values{"percent": {"2"}}), http.StatusSeeOther)
	wantStatus(t, admin.post(t, "/contracts/settings/tolerances", url.Values{"vendor_id": {vendor}, "absolute": {"0.05"}}), http.StatusSeeOther)
	res = admin.post(t, "/contracts/settings/tolerances", url.Values{"absolute": {"lots"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "must be a decimal number") {
		t.Errorf("bad tolerance: %d %.2000s", res.Status, res.Body)
	}
	wantStatus(t, cm.post(t, "/contracts/settings/uom-aliases", url.Values{"alias": {"Bucket"}, "code": {"bk"}}), http.StatusSeeOther)
	res = admin.get(t, "/contracts/settings")
	for _, want := range []string{`name="writeback" checked`, `value="ACME"`, "2 %", "<td>Fastenal Supply</td>", "<td>0.05</td>", "BUCKET", "BK"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("after saving, settings page lacks %q: %.5000s", want, res.Body)
		}
	}
	if res := admin.get(t, "/contracts/exceptions"); !strings.Contains(string(res.Body), "Export approved price changes for P21") {
		t.Errorf("queue offers no export with writeback on: %.2000s", res.Body)
	}

	// A change manager edits units but not features or tolerances; a viewer edits nothing.
	wantStatus(t, cm.post(t, "/contracts/settings/features", url.Values{"advanced_rules": {"on"}}), http.StatusForbidden)
	wantStatus(t, viewer.post(t, "/contracts/settings/uom-aliases", url.Values{"alias": {"Pail"}, "code": {"PL"}}), http.StatusForbidden)
	res = viewer.get(t, "/contracts/settings")
	if strings.Contains(string(res.Body), "Save features") || strings.Contains(string(res.Body), "Add alias") ||
		!strings.Contains(string(res.Body), "Only an admin can change features") {
		t.Errorf("viewer sees edit controls: %.4000s", res.Body)
	}

	wantStatus(t, admin.post(t, "/contracts/settings/tolerances/delete", url.Values{"vendor_id": {vendor}}), http.StatusSeeOther)
	wantStatus(t, cm.post(t, "/contracts/settings/uom-aliases/delete", url.Values{"alias": {"bucket"}}), http.StatusSeeOther)
	res = admin.get(t, "/contracts/settings")
	if strings.Contains(string(res.Body), "BUCKET") || strings.Contains(string(res.Body), "<td>Fastenal Supply</td>") {
		t.Errorf("removed entries still shown: %.4000s", res.Body)
	}
	res = e.do(http.MethodGet, "/api/v1/audit?limit=20", e.key, nil)
	for _, want := range []string{"contract_features.set", "price_tolerance.set", "price_tolerance.delete", "uom_alias.set", "uom_alias.delete"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("audit lacks %s", want)
		}
	}
}

func TestPriceExportsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	contractID, _ := reconciledContract(e, e.key)
	price := firstException(e, e.key, contractID, "PRICE_MISMATCH")
	admin := e.signInAs(e.admin.Email, e.password)
	viewer := e.signIn(auth.RoleViewer)

	res := admin.get(t, "/contracts/price-exports")
	if res.Status != http.StatusNotFound || !strings.Contains(string(res.Body), "turn it on under Contracts → Settings") {
		t.Errorf("page with writeback off: %d %.2000s", res.Status, res.Body)
	}
	wantStatus(t, admin.post(t, "/contracts/settings/features", url.Values{"writeback": {"on"}, "p21_company_id": {"ACME"}}), http.StatusSeeOther)
	res = admin.get(t, "/contracts/price-exports")
	if !strings.Contains(string(res.Body), "No new approved price changes") || !strings.Contains(string(res.Body), "No export yet") {
		t.Errorf("empty page: %.4000s", res.Body)
	}
	if res := admin.post(t, "/contracts/price-exports", nil); res.Status != http.StatusConflict ||
		!strings.Contains(string(res.Body), "no new approved price changes to export") {
		t.Errorf("export of nothing: %d %.3000s", res.Status, res.Body)
	}

	wantStatus(t, admin.post(t, "/contracts/exceptions/"+price+"/act", url.Values{"action_type": {"override"},
		"note": {"The vendor's 2026 price is agreed with purchasing."}}), http.StatusSeeOther)
	res = admin.get(t, "/contracts/price-exports")
	if !strings.Contains(string(res.Body), "Export 1 new approved change<") || !strings.Contains(string(res.Body), "BOLT-1") {
		t.Errorf("page with one change waiting: %.4000s", res.Body)
	}
	wantStatus(t, viewer.post(t, "/contracts/price-exports", nil), http.StatusForbidden)
	res = admin.post(t, "/contracts/price-exports", nil)
	if res.Status != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "Exported+1+approved+price+change%3B") {
		t.Fatalf("export: %d %v", res.Status, res.Header)
	}
	res = admin.get(t, "/contracts/price-exports")
	link := regexp.MustCompile(`href="(/contracts/price-exports/[^"]+/file)"`).FindStringSubmatch(string(res.Body))
	if link == nil || !strings.Contains(string(res.Body), "No new approved price changes") {
		t.Fatalf("page after the export: %.4000s", res.Body)
	}
	file := admin.get(t, link[1])
	sum := sha256.Sum256(file.Body)
	if file.Status != http.StatusOK || !strings.Contains(string(file.Body), "ACME,,ACME,BOLT-1,") ||
		!strings.Contains(string(res.Body), "<code>"+hex.EncodeToString(sum[:])+"</code>") {
		t.Errorf("download %d %s; page %.3000s", file.Status, file.Body, res.Body)
	}
	if again := admin.get(t, link[1]); !bytes.Equal(again.Body, file.Body) {
		t.Errorf("second download differs: %s", again.Body)
	}
	wantStatus(t, viewer.get(t, "/contracts/price-exports"), http.StatusForbidden)
	if res := admin.get(t, "/contracts/exceptions"); !strings.Contains(string(res.Body), `href="/contracts/price-exports"`) {
		t.Errorf("the queue does not lead to the exports: %.2000s", res.Body)
	}
}

func TestContractSampleFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	viewer := e.signIn(auth.RoleViewer)
	res := viewer.get(t, "/contracts/files/sample")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Header.Get("Content-Disposition"), "sample-price-update.csv") || strings.Contains(string(res.Body), "{{") ||
		!strings.Contains(string(res.Body), "Part #,Description,U/M,Net Price,Eff. Date,Expires\r\n") &&
			!strings.Contains(string(res.Body), "Part #,Description,U/M,Net Price,Eff. Date,Expires\n") {
		t.Errorf("sample file: %v\n%s", res.Header, res.Body)
	}
	if page := e.signInAs(e.admin.Email, e.password).get(t, "/contracts/files"); !strings.Contains(string(page.Body), `href="/contracts/files/sample"`) {
		t.Errorf("the upload page does not offer the sample: %.3000s", page.Body)
	}
}
