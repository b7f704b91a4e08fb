package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// reconciledContract imports priceFile for the key's tenant, maps A-1 to
// a catalog item BOLT-1 (list price 1.40 against the file's 1.50) and
// runs reconciliation as its job would; it returns the contract and the
// run.
func reconciledContract(e *env, key string) (contractID, runID string) {
	e.t.Helper()
	_, contractID, _ = importedFile(e, key)
	conn := created(e, key, "/api/v1/erp-connectors", map[string]any{"name": "Recon catalog " + contractID, "provider": "csv"})
	res := e.postCSV(key, "/api/v1/erp-connectors/"+conn+"/catalog",
		"item_number,description,uom,price,supplier,supplier_part_no\nBOLT-1,Bolt,EA,1.40,ACME,A-1\n")
	wantStatus(e.t, res, http.StatusOK)
	var items struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/erp-items?q=BOLT-1&connector_id="+conn, key, nil).JSON(e.t, &items)
	if len(items.Items) != 1 {
		e.t.Fatalf("catalog item not listed: %+v", items)
	}
	created(e, key, "/api/v1/item-mappings", map[string]any{"vendor_item_number": "A-1", "vendor_uom": "EA",
		"erp_item_id": items.Items[0].ID, "from_suggestion": true})
	return contractID, rerun(e, key, contractID)
}

// rerun starts a manual run of the contract and runs it as its job
// would; it returns the run.
func rerun(e *env, key, contractID string) string {
	e.t.Helper()
	res := e.do(http.MethodPost, "/api/v1/contracts/"+contractID+"/reconciliation-runs", key, nil)
	wantStatus(e.t, res, http.StatusAccepted)
	var run struct {
		ID string `json:"id"`
	}
	res.JSON(e.t, &run)
	p, err := e.auth.AuthenticateAPIKey(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.server.Reconciliation.Run(context.Background(), p.TenantID, run.ID); err != nil {
		e.t.Fatal(err)
	}
	return run.ID
}

// firstException returns the id of an exception of the contract.
func firstException(e *env, key, contractID, rule string) string {
	e.t.Helper()
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/exceptions?rule_code="+rule+"&contract_id="+contractID, key, nil).JSON(e.t, &page)
	if len(page.Items) == 0 {
		e.t.Fatalf("no %s exception for contract %s", rule, contractID)
	}
	return page.Items[0].ID
}

func mappingWallFixture(e *env, key string) string {
	importedFile(e, key)
	item := erpItemWallFixture(e, key)
	return created(e, key, "/api/v1/item-mappings", map[string]any{"vendor_item_number": "A-1", "vendor_uom": "EA", "erp_item_id": item})
}

func runWallFixture(e *env, key string) string {
	_, run := reconciledContract(e, key)
	return run
}

func exceptionWallFixture(e *env, key string) string {
	contractID, _ := reconciledContract(e, key)
	return firstException(e, key, contractID, "MISSING_MAPPING")
}

// priceExportWallFixture exports an approved price change in key's
// tenant. Writeback is on in the env's own tenant as well, so that a
// refusal there is the wall and not the feature being off.
func priceExportWallFixture(e *env, key string) string {
	contractID, _ := reconciledContract(e, key)
	price := firstException(e, key, contractID, "PRICE_MISMATCH")
	wantStatus(e.t, e.do(http.MethodPost, "/api/v1/exceptions/"+price+"/actions", key, map[string]any{"action_type": "override",
		"note": "The vendor's 2026 price is agreed with purchasing."}), http.StatusOK)
	for _, k := range []string{key, e.key} {
		wantStatus(e.t, e.do(http.MethodPut, "/api/v1/contract-features", k, map[string]any{"writeback": true, "advanced_rules": false}),
			http.StatusOK)
	}
	return created(e, key, "/api/v1/price-exports", nil)
}

func TestReconciliationAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	res := e.do(http.MethodPut, "/api/v1/price-tolerances", e.key, map[string]any{"percent": "5"})
	wantStatus(t, res, http.StatusOK)
	wantProblem(t, e.do(http.MethodPut, "/api/v1/price-tolerances", e.key, map[string]any{"absolute": "lots"}), http.StatusUnprocessableEntity)

	contractID, runID := reconciledContract(e, e.key)
	res = e.do(http.MethodGet, "/api/v1/reconciliation-runs/"+runID, e.key, nil)
	for _, want := range []string{`"status":"completed"`, `"PRICE_MISMATCH":1`, `"MISSING_MAPPING":1`, `"lines_done":2`} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("run lacks %s: %s", want, res.Body)
		}
	}
	res = e.do(http.MethodPost, "/api/v1/item-mappings/bulk-approve", e.key, map[string]any{"threshold": 0.95})
	if !strings.Contains(string(res.Body), `"approved":0,"skipped":1`) {
		t.Errorf("bulk approve with nothing above the threshold: %s", res.Body)
	}
	wantProblem(t, e.do(http.MethodPost, "/api/v1/item-mappings/bulk-approve", e.key, map[string]any{"threshold": 0.1}), http.StatusUnprocessableEntity)
	res = e.do(http.MethodGet, "/api/v1/unmapped-items", e.key, nil)
	if !strings.Contains(string(res.Body), `"vendor_item_number":"A-2"`) || strings.Contains(string(res.Body), `"vendor_item_number":"A-1"`) {
		t.Errorf("unmapped queue: %s", res.Body)
	}
	price := firstException(e, e.key, contractID, "PRICE_MISMATCH")
	res = e.do(http.MethodGet, "/api/v1/exceptions/"+price, e.key, nil)
	for _, want := range []string{`"erp_price":"1.4"`, `"contract_price":"1.5"`, `"severity":"high"`, `"kind":"supplier_part"`} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("exception detail lacks %s: %s", want, res.Body)
		}
	}

	t.Run("actions", func(t *testing.T) {
		act := "/api/v1/exceptions/" + price + "/actions"
		wantProblem(t, e.do(http.MethodPost, act, e.key, map[string]any{"action_type": "override", "note": "too short"}), http.StatusUnprocessableEntity)
		wantProblem(t, e.do(http.MethodPost, act, e.key, map[string]any{"action_type": "shrug"}), http.StatusUnprocessableEntity)
		manager := e.newKey(e.tenant, auth.RoleChangeManager)
		wantProblem(t, e.do(http.MethodPost, act, manager, map[string]any{"action_type": "override",
			"note": "The vendor's price includes freight this year."}), http.StatusForbidden)
		wantStatus(t, e.do(http.MethodPost, act, manager, map[string]any{"action_type": "comment", "note": "Asked the vendor."}), http.StatusOK)
		res := e.do(http.MethodPost, "/api/v1/exceptions/bulk-actions", e.key, map[string]any{"ids": []string{price, "nope"},
			"action_type": "resolve", "note": "ERP price corrected"})
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(string(res.Body), `"ok":true`) || !strings.Contains(string(res.Body), `"id":"nope","ok":false`) {
			t.Errorf("bulk: %s", res.Body)
		}
		res = e.do(http.MethodGet, "/api/v1/exceptions/"+price, e.key, nil)
		if !strings.Contains(string(res.Body), `"status":"resolved"`) || !strings.Contains(string(res.Body), `"note":"Asked the vendor."`) {
			t.Errorf("after actions: %s", res.Body)
		}
	})
}

func TestPriceWritebackAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			priceWritebackAPI(t, newEnv(t, d))
		})
	}
}

// priceWritebackAPI turns writeback on, exports an approved price change
// once and downloads the export again.
func priceWritebackAPI(t *testing.T, e *env) {
	contractID, _ := reconciledContract(e, e.key)
	price := firstException(e, e.key, contractID, "PRICE_MISMATCH")
	wantStatus(t, e.do(http.MethodPost, "/api/v1/exceptions/"+price+"/actions", e.key, map[string]any{"action_type": "override",
		"note": "The vendor's 2026 price is agreed with purchasing."}), http.StatusOK)

	for _, path := range []string{"/api/v1/price-exports", "/api/v1/price-changes"} {
		res := e.do(http.MethodGet, path, e.key, nil)
		wantProblem(t, res, http.StatusNotFound)
		if !strings.Contains(string(res.Body), "writeback is turned off") || !strings.Contains(string(res.Body), "Contracts → Settings") {
			t.Errorf("%s refusal does not say why: %s", path, res.Body)
		}
	}
	wantProblem(t, e.do(http.MethodPost, "/api/v1/price-exports", e.key, nil), http.StatusNotFound)
	manager := e.newKey(e.tenant, auth.RoleChangeManager)
	on := map[string]any{"writeback": true, "advanced_rules": false, "p21_company_id": "=cmd|' /C calc'!A0", "p21_pricing_book_id": "VENDOR",
		"p21_totaling_basis": "Piece"}
	res := e.do(http.MethodPut, "/api/v1/contract-features", e.key, map[string]any{"writeback": true, "advanced_rules": false, "p21_location_id": "Main"})
	wantProblem(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(string(res.Body), "p21_location_id") {
		t.Errorf("a location that is not a number: %s", res.Body)
	}
	wantProblem(t, e.do(http.MethodPut, "/api/v1/contract-features", manager, on), http.StatusForbidden)
	wantProblem(t, e.do(http.MethodPut, "/api/v1/contract-features", e.key, map[string]any{"writeback": true}), http.StatusUnprocessableEntity)
	wantStatus(t, e.do(http.MethodPut, "/api/v1/contract-features", e.key, on), http.StatusOK)
	res = e.do(http.MethodGet, "/api/v1/contract-features", manager, nil)
	if !strings.Contains(string(res.Body), `"writeback":true`) {
		t.Errorf("features: %s", res.Body)
	}

	res = e.do(http.MethodPost, "/api/v1/price-exports", manager, nil)
	wantStatus(t, res, http.StatusCreated)
	var x struct {
		ID           string   `json:"id"`
		SHA256       string   `json:"sha256"`
		Count        int      `json:"change_count"`
		ExceptionIDs []string `json:"exception_ids"`
	}
	if err := json.Unmarshal(res.Body, &x); err != nil || x.Count != 1 || len(x.ExceptionIDs) != 1 || x.ExceptionIDs[0] != price {
		t.Fatalf("export: %v %s", err, res.Body)
	}
	res = e.do(http.MethodGet, "/api/v1/price-exports/"+x.ID+"/file", manager, nil)
	wantStatus(t, res, http.StatusOK)
	file := res.Body
	lines := strings.Split(strings.TrimSpace(string(file)), "\n")
	if len(lines) != 2 || lines[0] != "company_id,purchase_pricing_book_id,supplier_id,inv_mast_item_id,location_id,effective_date,"+
		"expiration_date,pricing_description,contract_number,pricing_method,price,totaling_basis,purchase_pricing_unit" ||
		!strings.HasPrefix(lines[1], `'=cmd|' /C calc'!A0,VENDOR,ACME,BOLT-1,,`) || !strings.Contains(lines[1], ",Price,1.5000,Piece,EA") {
		t.Errorf("export:\n%s", file)
	}
	if sum := sha256.Sum256(file); hex.EncodeToString(sum[:]) != x.SHA256 || res.Header.Get("X-Content-SHA256") != x.SHA256 {
		t.Errorf("file digest %x, export says %s, header %s", sum, x.SHA256, res.Header.Get("X-Content-SHA256"))
	}
	// Nothing new: a clear refusal, and the first file downloads unchanged.
	res = e.do(http.MethodPost, "/api/v1/price-exports", e.key, nil)
	wantProblem(t, res, http.StatusConflict)
	if !strings.Contains(string(res.Body), "no new approved price changes") {
		t.Errorf("second export: %s", res.Body)
	}
	if res := e.do(http.MethodGet, "/api/v1/price-exports/"+x.ID+"/file", e.key, nil); !bytes.Equal(res.Body, file) {
		t.Errorf("download again differs:\n%s", res.Body)
	}
	res = e.do(http.MethodGet, "/api/v1/price-exports", e.key, nil)
	if !strings.Contains(string(res.Body), `"sha256":"`+x.SHA256+`"`) || !strings.Contains(string(res.Body), `"change_count":1`) {
		t.Errorf("export list: %s", res.Body)
	}
	res = e.do(http.MethodGet, "/api/v1/price-exports/"+x.ID, e.key, nil)
	if !strings.Contains(string(res.Body), `"exception_ids":["`+price+`"]`) {
		t.Errorf("export detail: %s", res.Body)
	}
	wantProblem(t, e.do(http.MethodGet, "/api/v1/price-exports/nope", e.key, nil), http.StatusNotFound)
	wantProblem(t, e.do(http.MethodGet, "/api/v1/price-exports", e.newKey(e.tenant, auth.RoleViewer), nil), http.StatusForbidden)
	res = e.do(http.MethodGet, "/api/v1/audit?limit=20", e.key, nil)
	if !strings.Contains(string(res.Body), "price_export.create") {
		t.Errorf("audit lacks the export: %.2000s", res.Body)
	}
	res = e.do(http.MethodGet, "/api/v1/price-changes", e.key, nil)
	if !strings.Contains(string(res.Body), `"erp_item_number":"BOLT-1"`) || !strings.Contains(string(res.Body), `"price":"1.5"`) ||
		!strings.Contains(string(res.Body), `"export_id":"`+x.ID+`"`) {
		t.Errorf("price changes: %s", res.Body)
	}
	wantProblem(t, e.do(http.MethodGet, "/api/v1/price-changes", e.newKey(e.tenant, auth.RoleViewer), nil), http.StatusForbidden)
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/price-tolerances/nope", e.key, nil), http.StatusNotFound)
}
