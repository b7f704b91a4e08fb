package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestReconciliationPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	contractID, _ := reconciledContract(e, e.key)
	admin := e.signInAs(e.admin.Email, e.password)

	res := admin.get(t, "/contracts/mapping")
	for _, want := range []string{"Bulk approve", "A-2", "Approved mappings", "BOLT-1", "Map by hand"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("mapping page lacks %q: %.3000s", want, res.Body)
		}
	}
	res = admin.post(t, "/contracts/mapping/approve", url.Values{"vendor_item_number": {"A-2"}, "vendor_uom": {"BX"}, "erp_item_number": {"NOPE"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "no ERP item is numbered") {
		t.Errorf("unknown ERP item: %d %.2000s", res.Status, res.Body)
	}
	res = admin.post(t, "/contracts/mapping/approve", url.Values{"vendor_item_number": {"A-2"}, "vendor_uom": {"BX"}, "erp_item_number": {"bolt-1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if res := admin.get(t, res.Header.Get("Location")); !strings.Contains(string(res.Body), "Mapped A-2 (BX) to BOLT-1") {
		t.Errorf("after manual map: %.2000s", res.Body)
	}

	res = admin.post(t, "/contracts/"+contractID+"/reconcile", nil)
	wantStatus(t, res, http.StatusSeeOther)
	res = admin.get(t, res.Header.Get("Location"))
	if !strings.Contains(string(res.Body), "Reconciliation queued") || !strings.Contains(string(res.Body), "completed") {
		t.Errorf("runs page: %.3000s", res.Body)
	}

	res = admin.get(t, "/contracts")
	for _, want := range []string{`id="contract-kpis"`, "Open high-severity exceptions", "Exceptions by status", `<rect class="seg high"`, "Recent reconciliation runs", "completed"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("contracts dashboard lacks %q: %.4000s", want, res.Body)
		}
	}
	// Each recent run says which contract it checked.
	recent, _, _ := strings.Cut(string(res.Body)[strings.Index(string(res.Body), `id="recent-runs"`):], "</section>")
	if !strings.Contains(recent, `<a href="/contracts/`+contractID+`">`) {
		t.Errorf("recent runs do not name their contract: %s", recent)
	}

	res = admin.get(t, "/contracts/exceptions?rule=PRICE_MISMATCH")
	if !strings.Contains(string(res.Body), ">PRICE_MISMATCH</a>") || strings.Contains(string(res.Body), ">MISSING_MAPPING</a>") {
		t.Errorf("filtered queue: %.3000s", res.Body)
	}
	id := firstException(e, e.key, contractID, "PRICE_MISMATCH")
	res = admin.get(t, "/contracts/exceptions/"+id)
	for _, want := range []string{"Suggested action", "1.4 per EA", "Override", "Action log"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("detail lacks %q: %.3000s", want, res.Body)
		}
	}
	res = admin.post(t, "/contracts/exceptions/"+id+"/act", url.Values{"action_type": {"override"}, "note": {"too short"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "at least 20 characters") {
		t.Errorf("short override: %d %.2000s", res.Status, res.Body)
	}
	res = admin.post(t, "/contracts/exceptions/"+id+"/act", url.Values{"action_type": {"assign"}, "assigned_to": {"me"}})
	wantStatus(t, res, http.StatusSeeOther)
	res = admin.post(t, "/contracts/exceptions/bulk", url.Values{"id": {id}, "action_type": {"resolve"}, "note": {"fixed in the ERP"},
		"back": {"/contracts/exceptions?rule=PRICE_MISMATCH"}})
	wantStatus(t, res, http.StatusSeeOther)
	res = admin.get(t, res.Header.Get("Location"))
	if !strings.Contains(string(res.Body), "1 of 1 exception(s) updated") {
		t.Errorf("bulk: %.2000s", res.Body)
	}
	res = admin.get(t, "/contracts/exceptions/"+id)
	for _, want := range []string{"status-resolved", "fixed in the ERP", "<strong>assign</strong>"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("after actions, detail lacks %q: %.3000s", want, res.Body)
		}
	}
}
