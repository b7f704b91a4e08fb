package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestProcurementAnalystWorksExceptions: a procurement analyst uploads a
// vendor file, maps its items, reconciles and works the exceptions
// (comment, assign, resolve, bulk) but may not override, and holds none
// of the change-management or administration permissions. A change
// manager and a viewer sit where the matrix puts them.
func TestProcurementAnalystWorksExceptions(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			ctx := context.Background()
			analyst := e.newKey(e.tenant, auth.RoleProcurementAnalyst)
			manager := e.newKey(e.tenant, auth.RoleChangeManager)
			viewer := e.newKey(e.tenant, auth.RoleViewer)

			// The admin's part: the registry vendor and the ERP catalog.
			vendor := created(e, e.key, "/api/v1/vendors", map[string]any{"name": "Analyst Vendor " + ident.New(), "tier": "tier_2"})
			wantProblem(t, e.do(http.MethodPost, "/api/v1/erp-connectors", analyst, map[string]any{"name": "Mine", "provider": "csv"}), http.StatusForbidden)
			conn := created(e, e.key, "/api/v1/erp-connectors", map[string]any{"name": "Analyst catalog", "provider": "csv"})
			wantStatus(t, e.postCSV(e.key, "/api/v1/erp-connectors/"+conn+"/catalog",
				"item_number,description,uom,price,supplier,supplier_part_no\nBOLT-1,Bolt,EA,1.40,ACME,A-1\n"), http.StatusOK)

			// The analyst's part: upload, confirm, map, reconcile.
			wantProblem(t, uploadFile(e, viewer, vendor, "acme.csv", []byte(priceFile)), http.StatusForbidden)
			res := uploadFile(e, analyst, vendor, "acme.csv", []byte(priceFile))
			wantStatus(t, res, http.StatusCreated)
			var f struct {
				ID string `json:"id"`
			}
			res.JSON(t, &f)
			var pv struct {
				HeaderLine int      `json:"header_line"`
				Proposed   []string `json:"proposed"`
			}
			e.do(http.MethodGet, "/api/v1/contract-files/"+f.ID+"/preview", analyst, nil).JSON(t, &pv)
			wantStatus(t, e.do(http.MethodPost, "/api/v1/contract-files/"+f.ID+"/confirm", analyst, map[string]any{
				"header_line": pv.HeaderLine, "mapping": pv.Proposed, "contract_number": "ACME-26"}), http.StatusOK)
			if err := e.server.Contracts.Import(ctx, e.tenant.ID, f.ID); err != nil {
				t.Fatal(err)
			}
			var file struct {
				ContractID string `json:"contract_id"`
			}
			e.do(http.MethodGet, "/api/v1/contract-files/"+f.ID, analyst, nil).JSON(t, &file)
			var items struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			}
			e.do(http.MethodGet, "/api/v1/erp-items?q=BOLT-1", analyst, nil).JSON(t, &items)
			if len(items.Items) != 1 {
				t.Fatalf("catalog item: %+v", items)
			}
			mapping := map[string]any{"vendor_item_number": "A-1", "vendor_uom": "EA", "erp_item_id": items.Items[0].ID}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/item-mappings", viewer, mapping), http.StatusForbidden)
			created(e, analyst, "/api/v1/item-mappings", mapping)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/contracts/"+file.ContractID+"/reconciliation-runs", viewer, nil), http.StatusForbidden)
			res = e.do(http.MethodPost, "/api/v1/contracts/"+file.ContractID+"/reconciliation-runs", analyst, nil)
			wantStatus(t, res, http.StatusAccepted)
			var run struct {
				ID string `json:"id"`
			}
			res.JSON(t, &run)
			if err := e.server.Reconciliation.Run(ctx, e.tenant.ID, run.ID); err != nil {
				t.Fatal(err)
			}

			// Working the exceptions.
			price := firstException(e, analyst, file.ContractID, "PRICE_MISMATCH")
			missing := firstException(e, analyst, file.ContractID, "MISSING_MAPPING")
			act := "/api/v1/exceptions/" + price + "/actions"
			wantProblem(t, e.do(http.MethodPost, act, viewer, map[string]any{"action_type": "comment", "note": "Looks off."}), http.StatusForbidden)
			wantStatus(t, e.do(http.MethodPost, act, analyst, map[string]any{"action_type": "comment", "note": "Asked the vendor."}), http.StatusOK)
			wantStatus(t, e.do(http.MethodPost, act, analyst, map[string]any{"action_type": "assign", "assign_to": e.admin.ID}), http.StatusOK)
			override := map[string]any{"action_type": "override", "note": "The vendor's price includes freight this year."}
			for _, key := range []string{analyst, manager} {
				wantProblem(t, e.do(http.MethodPost, act, key, override), http.StatusForbidden)
			}
			wantStatus(t, e.do(http.MethodPost, act, manager, map[string]any{"action_type": "comment", "note": "Seen by change management."}), http.StatusOK)
			res = e.do(http.MethodPost, "/api/v1/exceptions/bulk-actions", analyst, map[string]any{"ids": []string{price, missing},
				"action_type": "resolve", "note": "ERP price corrected"})
			wantStatus(t, res, http.StatusOK)
			if strings.Contains(string(res.Body), `"ok":false`) {
				t.Errorf("bulk resolve as analyst: %s", res.Body)
			}
			res = e.do(http.MethodGet, "/api/v1/exceptions/"+price, viewer, nil)
			for _, want := range []string{`"status":"resolved"`, `"assigned_to":"` + e.admin.ID + `"`, `"note":"Asked the vendor."`} {
				if !strings.Contains(string(res.Body), want) {
					t.Errorf("exception after the analyst's work lacks %s: %s", want, res.Body)
				}
			}

			// Nothing of change management or administration.
			for _, c := range []struct{ method, path string }{
				{http.MethodPost, "/api/v1/rules"},
				{http.MethodPost, "/api/v1/applications"},
				{http.MethodPatch, "/api/v1/settings"},
				{http.MethodPost, "/api/v1/users"},
				{http.MethodPost, "/api/v1/tracker/connections"},
				{http.MethodPut, "/api/v1/contract-features"},
				{http.MethodPut, "/api/v1/price-tolerances"},
			} {
				wantProblem(t, e.do(c.method, c.path, analyst, map[string]any{}), http.StatusForbidden)
			}
			for _, perm := range []auth.Permission{auth.PermWorkTickets, auth.PermEditIntegrations, auth.PermTriage, auth.PermEditVendors,
				auth.PermManageERP, auth.PermOverrideExceptions, auth.PermManageUsers, auth.PermManageSettings} {
				if auth.Allowed(auth.RoleProcurementAnalyst, perm) {
					t.Errorf("a procurement analyst holds %s", perm)
				}
			}

			// The settings page shows the role's column.
			page := e.signIn(auth.RoleProcurementAnalyst).get(t, "/contracts/settings")
			wantStatus(t, page, http.StatusOK)
			if !strings.Contains(string(page.Body), "Procurement analyst") {
				t.Errorf("settings page does not show the procurement analyst role")
			}
		})
	}
}
