package contract_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestAdvancedRulesAndWriteback(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReconFixture(t, db)
		ctx := t.Context()
		f.approve(t, "A-100", "EA", "BOLT-100", "")
		f.approve(t, "A-700", "BX", "WASH-200", "EA")
		manager, viewer := f.admin, f.admin
		manager.Role, viewer.Role = auth.RoleChangeManager, auth.RoleViewer
		// The ERP's cost of the vendor's own part A-100 is below the contract price.
		if err := db.UpsertERPSuppliers(ctx, f.admin.TenantID, f.conn, []erp.SupplierPart{
			{ItemExternalID: "1", SupplierID: "S1", PartNumber: "A-100", Cost: decp("1.40"), UOM: "EA"}}); err != nil {
			t.Fatal(err)
		}

		f.run(t)
		if _, ok := f.exceptions(t)["A-100 COST_MISMATCH"]; ok {
			t.Fatal("COST_MISMATCH raised with advanced rules off")
		}
		if _, _, err := f.flow.PriceChanges(ctx, f.admin, "", 100); !apperr.Is(err, apperr.NotFound) ||
			!strings.Contains(apperr.MessageOf(err), "Contracts → Settings") {
			t.Fatalf("price changes with writeback off: %v", err)
		}
		if _, err := f.recon.SetFeatures(ctx, manager, contract.Features{Writeback: true}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a change manager set the features: %v", err)
		}

		for _, bad := range []contract.Features{{P21LocationID: "Main"}, {P21LocationID: "-1"}, {P21TotalingBasis: strings.Repeat("x", 41)}} {
			if _, err := f.recon.SetFeatures(ctx, f.admin, bad); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("features %+v: %v, want invalid", bad, err)
			}
		}
		on, err := f.recon.SetFeatures(ctx, f.admin, contract.Features{AdvancedRules: true, Writeback: true,
			P21CompanyID: " ACME ", P21PricingBookID: "CONTRACTS", P21LocationID: " 10 "})
		if err != nil || on.P21CompanyID != "ACME" || on.P21LocationID != "10" || on.UpdatedBy == "" {
			t.Fatalf("set features %+v %v", on, err)
		}
		if got, err := f.recon.Features(ctx, viewer); err != nil || !got.AdvancedRules || !got.Writeback || got.P21PricingBookID != "CONTRACTS" {
			t.Fatalf("features read back %+v %v", got, err)
		}
		r := f.run(t)
		got := f.exceptions(t)
		cost, ok := got["A-100 COST_MISMATCH"]
		if !ok || r.RuleCounts[contract.RuleCostMismatch] != 1 || cost.Severity != contract.SeverityHigh ||
			cost.Context.ERPPrice != "1.4" || cost.Context.SupplierID != "S1" || cost.SuggestedAction == "" {
			t.Fatalf("cost mismatch %+v counts %v", cost, r.RuleCounts)
		}
		if _, ok := got["A-700 COST_MISMATCH"]; ok {
			t.Fatal("COST_MISMATCH raised for an item whose supplier has no cost")
		}

		reason := "Vendor's 2026 list price accepted by purchasing"
		for _, k := range []string{"A-100 COST_MISMATCH", "A-700 PRICE_MISMATCH"} {
			if _, err := f.flow.Act(ctx, f.admin, got[k].ID, contract.ActionInput{Type: contract.ActionOverride, Note: reason}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := f.flow.PriceChanges(ctx, viewer, "", 100); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a viewer listed price changes: %v", err)
		}
		// Oldest exception first: the price mismatch of the first run.
		changes, _, err := f.flow.PriceChanges(ctx, f.admin, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var rows [][]string
		for _, c := range changes {
			rows = append(rows, contract.P21PriceRow(on, c))
		}
		want := [][]string{
			{"ACME", "CONTRACTS", "S1", "WASH-200", "10", "2026-01-01", "2027-12-31", "Flat washer M8", f.contract.Number, "Price", "0.1200",
				"Supplier List Price", "EA"},
			{"ACME", "CONTRACTS", "S1", "BOLT-100", "10", "2026-01-01", "2027-12-31", "Hex bolt M8 zinc", f.contract.Number, "Price", "1.5000",
				"Supplier List Price", "EA"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Fatalf("export rows (-want +got):\n%s", diff)
		}

		t.Run("an overridden exception stays when advanced rules are off", func(t *testing.T) {
			if _, err := f.recon.SetFeatures(ctx, f.admin, contract.Features{Writeback: true}); err != nil {
				t.Fatal(err)
			}
			f.run(t)
			if e := f.exceptions(t)["A-100 COST_MISMATCH"]; e.Status != contract.ExceptionOverridden {
				t.Fatalf("an overridden exception changed: %+v", e)
			}
		})
	})
}

func TestDuplicateLines(t *testing.T) {
	l := func(id string, n int, item, price string) contract.Line {
		return contract.Line{ID: id, LineNumber: n, ItemNumber: item, UOM: "EA", Price: dec(price)}
	}
	got := contract.DuplicateLines([]contract.Line{l("a", 1, "X-1", "1.00"), l("b", 2, "X-2", "2.00"), l("c", 3, "X-1", "1.10"),
		l("d", 4, "X-2", "2.00")})
	if len(got) != 2 || got[0].LineID != "a" || got[1].LineID != "c" || got[0].Rule != contract.RuleDuplicateLine ||
		got[0].Message != "Vendor item X-1 (EA) is priced 2 times in this contract: 1 on line 1, 1.1 on line 3." {
		t.Fatalf("duplicates %+v", got)
	}
}

func TestP21ExportEscapesFormulas(t *testing.T) {
	var buf bytes.Buffer
	w := sheet.NewCSVWriter(&buf)
	row := contract.P21PriceRow(contract.Features{P21CompanyID: "@SUM(A1)", P21TotalingBasis: "=Piece"}, contract.PriceChange{SupplierID: "+cmd",
		ERPItemNumber: "-X", Description: `=HYPERLINK("http://x","y")`, ContractNumber: "C-1", Price: dec("-2.5"), UOM: "EA",
		ApprovedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err := w.Write(row); err != nil || w.Flush() != nil {
		t.Fatal(err)
	}
	want := `'@SUM(A1),,'+cmd,'-X,,2026-03-01,,"'=HYPERLINK(""http://x"",""y"")",C-1,Price,-2.5000,'=Piece,EA` + "\n"
	if buf.String() != want {
		t.Fatalf("row\n got %s\nwant %s", buf.String(), want)
	}
}

// TestReconInputBulkReadsTheSame reads a contract's reconciliation input
// line by line and in bulk (as large contracts are read), supplier costs
// included, and compares.
func TestReconInputBulkReadsTheSame(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReconFixture(t, db)
		ctx := t.Context()
		f.approve(t, "A-100", "EA", "BOLT-100", "")
		f.approve(t, "A-200", "BX", "WASH-200", "EA")
		f.approve(t, "A-400", "EA", "A-400", "")
		f.approve(t, "A-600", "EA", "SPR-600", "")
		// Supplier costs, read when advanced rules are on: two suppliers of
		// one item, one supplier without a cost, one of an unmapped item.
		if err := db.UpsertERPSuppliers(ctx, f.admin.TenantID, f.conn, []erp.SupplierPart{
			{ItemExternalID: "1", SupplierID: "S2", PartNumber: "B-100", Cost: decp("1.45"), UOM: "EA"},
			{ItemExternalID: "1", SupplierID: "S1", PartNumber: "A-100", Cost: decp("1.40"), UOM: "EA"},
			{ItemExternalID: "2", SupplierID: "S1", PartNumber: "a200", Cost: decp("9.50"), UOM: "BX"},
			{ItemExternalID: "3", SupplierID: "S1", PartNumber: "N-300", Cost: decp("0.04"), UOM: "EA"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.recon.SetFeatures(ctx, f.admin, contract.Features{AdvancedRules: true}); err != nil {
			t.Fatal(err)
		}
		f.run(t)
		joined, err := db.ReconInput(ctx, f.admin.TenantID, f.contract.ID)
		if err != nil {
			t.Fatal(err)
		}
		db.BulkReconLines = 1
		defer func() { db.BulkReconLines = 0 }()
		bulk, err := db.ReconInput(ctx, f.admin.TenantID, f.contract.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(joined.Mappings) != 4 || len(joined.Items) != 4 || len(joined.Existing) == 0 {
			t.Fatalf("joined input %+v", joined)
		}
		costs := joined.Items[f.items["BOLT-100"]].Costs
		if len(costs) != 2 || costs[0].SupplierID != "S1" || costs[1].Cost.String() != "1.45" ||
			len(joined.Items[f.items["WASH-200"]].Costs) != 1 || len(joined.Items[f.items["SPR-600"]].Costs) != 0 {
			t.Fatalf("joined costs %+v", joined.Items)
		}
		if diff := cmp.Diff(joined, bulk); diff != "" {
			t.Fatalf("bulk read differs (-joined +bulk):\n%s", diff)
		}
	})
}
