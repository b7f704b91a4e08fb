package contract_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// reconFixture adds to fixture an ERP catalog, an imported contract and
// the mapping, reconciliation and workflow services at a fixed clock.
type reconFixture struct {
	*fixture
	maps     *contract.MappingService
	recon    *contract.ReconciliationService
	flow     *contract.WorkflowService
	items    map[string]string // item number → ERP item id
	conn     string            // the catalog's connector id
	contract contract.Contract
	now      time.Time
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

const reconFile = "Part #,Description,U/M,Net Price,Eff. Date,Expires\n" +
	"A-100,Hex bolt M8 zinc,EA,1.50,2026-01-01,2027-12-31\n" + // matches
	"A-200,Flat washer M8,BX,10.00,2026-01-01,2027-12-31\n" + // BX→EA converts to the ERP price
	"A-300,Nut M8,CS,5.00,2026-01-01,2027-12-31\n" + // no conversion CS→EA
	"A-400,Pin 4mm,EA,2.00,2026-01-01,2027-12-31\n" + // price differs, item inactive
	"A-500,Clip,EA,0.75,2026-01-01,2026-01-31\n" + // expired, unmapped
	"A-600,Spring steel,EA,3.02,2026-01-01,2027-12-31\n" + // within 1%
	"A-700,Flat washer M8,BX,12.00,2026-01-01,2027-12-31\n" // converts, but not to the ERP price

func newReconFixture(t *testing.T, db *sqlstore.DB) *reconFixture {
	t.Helper()
	ctx := context.Background()
	f := &reconFixture{fixture: newFixture(t, db), now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	f.maps = &contract.MappingService{Store: db, Now: clock}
	f.recon = &contract.ReconciliationService{Store: db, Now: clock}
	f.flow = &contract.WorkflowService{Store: db, Blobs: f.svc.Blobs, Now: clock}
	es := &erp.Service{Store: db, Providers: erp.NewRegistry(erp.CSVFactory())}
	conn, err := es.Create(ctx, f.admin, erp.Input{Name: "Catalog", Provider: erp.CSVCatalog})
	if err != nil {
		t.Fatal(err)
	}
	tid := f.admin.TenantID
	f.conn = conn.ID
	items := []erp.Item{
		{ExternalID: "1", ItemNumber: "BOLT-100", Description: "Hex bolt M8 zinc plated", BaseUOM: "EA", Active: true},
		{ExternalID: "2", ItemNumber: "WASH-200", Description: "Washer flat M8", BaseUOM: "EA", Active: true},
		{ExternalID: "3", ItemNumber: "NUT-300", Description: "Hex nut M8", BaseUOM: "EA", Active: true},
		{ExternalID: "4", ItemNumber: "A-400", Description: "Pin 4mm", BaseUOM: "EA", Active: false},
		{ExternalID: "5", ItemNumber: "SPR-600", Description: "Spring steel", BaseUOM: "EA", Active: true, ListPrice: decp("3.00")},
	}
	if err := db.UpsertERPItems(ctx, tid, conn.ID, items, f.now); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertERPUOMs(ctx, tid, conn.ID, []erp.UOM{{ItemExternalID: "1", UOM: "EA", Factor: dec("1")},
		{ItemExternalID: "2", UOM: "EA", Factor: dec("1")}, {ItemExternalID: "2", UOM: "BX", Factor: dec("100")},
		{ItemExternalID: "3", UOM: "EA", Factor: dec("1")}}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertERPSuppliers(ctx, tid, conn.ID, []erp.SupplierPart{{ItemExternalID: "1", SupplierID: "S1", PartNumber: "A-100"},
		{ItemExternalID: "2", SupplierID: "S1", PartNumber: "a200"}, {ItemExternalID: "5", SupplierID: "S1", PartNumber: "000A600"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertERPPrices(ctx, tid, conn.ID, []erp.Price{{ItemExternalID: "1", Key: "p1", UOM: "EA", Price: dec("1.5")},
		{ItemExternalID: "2", Key: "p2", UOM: "EA", Price: dec("0.10")}, {ItemExternalID: "3", Key: "p3", UOM: "EA", Price: dec("0.05")},
		{ItemExternalID: "4", Key: "p4", UOM: "EA", Price: dec("1.00")}}); err != nil {
		t.Fatal(err)
	}
	stored, _, err := db.ListERPItems(ctx, tid, erp.ItemFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	f.items = map[string]string{}
	for _, it := range stored {
		f.items[it.ItemNumber] = it.ID
	}
	file := f.importFile(t, "acme.csv", []byte(reconFile), contract.Confirmation{})
	if file.Status != contract.FileImported || file.LinesImported != 7 {
		t.Fatalf("import: %+v", file)
	}
	if f.contract, err = f.svc.Contract(ctx, f.admin, file.ContractID); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *reconFixture) approve(t *testing.T, item, uom, erpNumber, erpUOM string) contract.ItemMapping {
	t.Helper()
	m, err := f.maps.Approve(t.Context(), f.admin, contract.MappingInput{ItemKey: contract.ItemKey{ItemNumber: item, UOM: uom},
		ERPItemID: f.items[erpNumber], ERPUOM: erpUOM})
	if err != nil {
		t.Fatalf("approve %s: %v", item, err)
	}
	return m
}

// run starts a manual run and executes it as its job would.
func (f *reconFixture) run(t *testing.T) contract.Run {
	t.Helper()
	ctx := t.Context()
	r, err := f.recon.Start(ctx, f.admin, f.contract.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != contract.RunQueued {
		t.Fatalf("new run is %s", r.Status)
	}
	if err := f.recon.Run(ctx, f.admin.TenantID, r.ID); err != nil {
		t.Fatal(err)
	}
	if r, err = f.recon.GetRun(ctx, f.admin, r.ID); err != nil {
		t.Fatal(err)
	}
	if r.Status != contract.RunCompleted || r.LinesDone != 7 || r.LinesTotal != 7 {
		t.Fatalf("run %+v", r)
	}
	return r
}

// exceptions are the contract's exceptions as "item rule status".
func (f *reconFixture) exceptions(t *testing.T) map[string]contract.Exception {
	t.Helper()
	es, _, err := f.flow.Exceptions(t.Context(), f.admin, contract.ExceptionFilter{ContractID: f.contract.ID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]contract.Exception{}
	for _, e := range es {
		k := e.Context.VendorItemNumber + " " + string(e.Rule)
		if _, dup := out[k]; dup {
			t.Fatalf("two exceptions for %s", k)
		}
		out[k] = e
	}
	return out
}

func statuses(m map[string]contract.Exception) map[string]string {
	out := map[string]string{}
	for k, e := range m {
		out[k] = string(e.Status)
	}
	return out
}

func TestItemMapping(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReconFixture(t, db)
		ctx := t.Context()
		queue, _, err := f.maps.Unmapped(ctx, f.admin, contract.UnmappedFilter{})
		if err != nil {
			t.Fatal(err)
		}
		best := map[string]contract.Suggestion{}
		for _, q := range queue {
			if len(q.Suggestions) > 0 {
				best[q.ItemNumber] = q.Suggestions[0]
			}
		}
		if len(queue) != 7 {
			t.Fatalf("unmapped queue has %d items, want 7", len(queue))
		}
		t.Run("exact supplier part number is nearly certain", func(t *testing.T) {
			if s := best["A-100"]; s.ERPItemNumber != "BOLT-100" || s.Confidence < 0.99 || s.Evidence[0].Kind != "supplier_part" {
				t.Fatalf("A-100: %+v", s)
			}
		})
		t.Run("normalized part numbers match without prefix and zeros", func(t *testing.T) {
			if s := best["A-200"]; s.ERPItemNumber != "WASH-200" || s.Confidence < 0.85 || s.Confidence > 0.95 || s.ERPUOM != "BX" {
				t.Fatalf("A-200: %+v", s)
			}
			if s := best["A-600"]; s.ERPItemNumber != "SPR-600" || s.Evidence[0].Kind != "normalized_part" {
				t.Fatalf("A-600: %+v", s)
			}
		})
		t.Run("description and unit evidence", func(t *testing.T) {
			s := best["A-300"]
			if s.ERPItemNumber != "NUT-300" || s.Confidence >= 0.6 {
				t.Fatalf("A-300: %+v", s)
			}
			kinds := []string{}
			for _, e := range s.Evidence {
				kinds = append(kinds, e.Kind)
			}
			if diff := cmp.Diff([]string{"description", "unit"}, kinds); diff != "" {
				t.Fatalf("A-300 evidence (-want +got):\n%s", diff)
			}
		})
		t.Run("reject hides the suggestion", func(t *testing.T) {
			if err := f.maps.Reject(ctx, f.admin, contract.ItemKey{ItemNumber: "A-300", UOM: "CS"}, f.items["NUT-300"]); err != nil {
				t.Fatal(err)
			}
			q, _, err := f.maps.Unmapped(ctx, f.admin, contract.UnmappedFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range q {
				if v.ItemNumber == "A-300" && len(v.Suggestions) > 0 && v.Suggestions[0].ERPItemNumber == "NUT-300" {
					t.Fatalf("rejected suggestion still proposed: %+v", v.Suggestions)
				}
			}
		})
		t.Run("bulk approve above the threshold only", func(t *testing.T) {
			res, err := f.maps.BulkApprove(ctx, f.admin, "", 0.97)
			if err != nil {
				t.Fatal(err)
			}
			if res.Approved != 1 || res.Skipped != 6 {
				t.Fatalf("bulk: %+v", res)
			}
			ms, _, err := f.maps.Mappings(ctx, f.admin, contract.MappingFilter{})
			if err != nil || len(ms) != 1 || ms[0].ItemNumber != "A-100" || ms[0].Method != contract.MappedBulk || ms[0].ERPItemNumber != "BOLT-100" {
				t.Fatalf("mappings %+v, %v", ms, err)
			}
			q, _, _ := f.maps.Unmapped(ctx, f.admin, contract.UnmappedFilter{})
			if len(q) != 6 {
				t.Fatalf("unmapped after bulk: %d", len(q))
			}
		})
		t.Run("manual map and unmap", func(t *testing.T) {
			m := f.approve(t, "A-300", "CS", "NUT-300", "")
			if m.Method != contract.MappedManual || m.ERPUOM != "EA" {
				t.Fatalf("manual: %+v", m)
			}
			if err := f.maps.Unmap(ctx, f.admin, m.ID); err != nil {
				t.Fatal(err)
			}
			if err := f.maps.Unmap(ctx, f.admin, m.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("unmap twice: %v", err)
			}
		})
		t.Run("bad input", func(t *testing.T) {
			for name, in := range map[string]contract.MappingInput{
				"no item":        {ItemKey: contract.ItemKey{UOM: "EA"}, ERPItemID: f.items["BOLT-100"]},
				"unknown line":   {ItemKey: contract.ItemKey{ItemNumber: "ZZZ", UOM: "EA"}, ERPItemID: f.items["BOLT-100"]},
				"unknown item":   {ItemKey: contract.ItemKey{ItemNumber: "A-100", UOM: "EA"}, ERPItemID: "nope"},
				"unit not known": {ItemKey: contract.ItemKey{ItemNumber: "A-100", UOM: "EA"}, ERPItemID: f.items["BOLT-100"], ERPUOM: "PL"},
			} {
				if _, err := f.maps.Approve(ctx, f.admin, in); !apperr.Is(err, apperr.Invalid) {
					t.Errorf("%s: %v", name, err)
				}
			}
			if _, err := f.maps.BulkApprove(ctx, f.admin, "", 0.2); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("low threshold: %v", err)
			}
		})
		t.Run("tenant wall", func(t *testing.T) {
			q, _, err := f.maps.Unmapped(ctx, f.other, contract.UnmappedFilter{})
			if err != nil || len(q) != 0 {
				t.Fatalf("other tenant sees %d unmapped, %v", len(q), err)
			}
			_, err = f.maps.Approve(ctx, f.other, contract.MappingInput{ItemKey: contract.ItemKey{ItemNumber: "A-100", UOM: "EA"},
				ERPItemID: f.items["BOLT-100"]})
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("other tenant maps: %v", err)
			}
		})
	})
}

func TestReconciliation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReconFixture(t, db)
		ctx := t.Context()
		f.approve(t, "A-100", "EA", "BOLT-100", "")
		f.approve(t, "A-200", "BX", "WASH-200", "EA")
		f.approve(t, "A-300", "CS", "NUT-300", "")
		f.approve(t, "A-400", "EA", "A-400", "")
		f.approve(t, "A-600", "EA", "SPR-600", "")
		f.approve(t, "A-700", "BX", "WASH-200", "EA")
		if _, err := f.recon.SetTolerance(ctx, f.admin, contract.Tolerance{Percent: decp("1")}); err != nil {
			t.Fatal(err)
		}

		r1 := f.run(t)
		want := map[string]string{
			"A-300 UOM_MISMATCH": "open", "A-400 PRICE_MISMATCH": "open", "A-400 INACTIVE_ITEM": "open",
			"A-500 EXPIRED_CONTRACT": "open", "A-500 MISSING_MAPPING": "open", "A-700 UOM_MISMATCH": "open", "A-700 PRICE_MISMATCH": "open",
		}
		got := f.exceptions(t)
		if diff := cmp.Diff(want, statuses(got)); diff != "" {
			t.Fatalf("run 1 exceptions (-want +got):\n%s", diff)
		}
		wantCounts := map[contract.Rule]int{contract.RuleUOMMismatch: 2, contract.RulePriceMismatch: 2, contract.RuleInactiveItem: 1,
			contract.RuleExpiredContract: 1, contract.RuleMissingMapping: 1}
		if diff := cmp.Diff(wantCounts, r1.RuleCounts); diff != "" || r1.Opened != 7 {
			t.Fatalf("run 1 counts (-want +got):\n%s opened %d", diff, r1.Opened)
		}
		t.Run("severities and evidence", func(t *testing.T) {
			p := got["A-700 PRICE_MISMATCH"]
			if p.Severity != contract.SeverityHigh || p.Context.ERPPrice != "0.1" || p.Context.ConvertedPrice != "0.1200" || p.SuggestedAction == "" {
				t.Fatalf("price mismatch %+v", p)
			}
			for k, sev := range map[string]contract.Severity{"A-300 UOM_MISMATCH": contract.SeverityMedium, "A-500 EXPIRED_CONTRACT": contract.SeverityLow,
				"A-500 MISSING_MAPPING": contract.SeverityHigh, "A-400 INACTIVE_ITEM": contract.SeverityMedium} {
				if got[k].Severity != sev {
					t.Errorf("%s severity %s want %s", k, got[k].Severity, sev)
				}
			}
		})

		t.Run("a rerun never duplicates", func(t *testing.T) {
			r2 := f.run(t)
			if r2.Opened != 0 || r2.Reopened != 0 || r2.Cleared != 0 || len(f.exceptions(t)) != 7 {
				t.Fatalf("rerun %+v", r2)
			}
		})

		t.Run("resolved and found again is reopened with a note", func(t *testing.T) {
			id := f.exceptions(t)["A-400 PRICE_MISMATCH"].ID
			if _, err := f.flow.Act(ctx, f.admin, id, contract.ActionInput{Type: contract.ActionResolve, Note: "ERP price updated"}); err != nil {
				t.Fatal(err)
			}
			r := f.run(t)
			if r.Reopened != 1 {
				t.Fatalf("run %+v", r)
			}
			d, err := f.flow.Exception(ctx, f.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			types := []contract.ActionType{}
			for _, a := range d.Actions {
				types = append(types, a.Type)
			}
			if d.Status != contract.ExceptionOpen || !cmp.Equal(types, []contract.ActionType{contract.ActionResolve, contract.ActionReopened}) ||
				d.Line.ItemNumber != "A-400" {
				t.Fatalf("detail %+v actions %v", d.Exception, types)
			}
		})

		t.Run("a condition gone clears the exception", func(t *testing.T) {
			f.approve(t, "A-500", "EA", "SPR-600", "")
			r := f.run(t)
			e := f.exceptions(t)["A-500 MISSING_MAPPING"]
			if r.Cleared != 1 || e.Status != contract.ExceptionResolved {
				t.Fatalf("run %+v, exception %+v", r, e)
			}
		})

		t.Run("vendor tolerance overrides the default", func(t *testing.T) {
			if _, err := f.recon.SetTolerance(ctx, f.admin, contract.Tolerance{VendorID: f.vendor.ID, Absolute: decp("0.01")}); err != nil {
				t.Fatal(err)
			}
			f.run(t)
			if e, ok := f.exceptions(t)["A-600 PRICE_MISMATCH"]; !ok || e.Status != contract.ExceptionOpen {
				t.Fatalf("A-600 not flagged beyond the vendor's tolerance: %+v", e)
			}
		})

		t.Run("override is gated and needs a reason", func(t *testing.T) {
			id := f.exceptions(t)["A-400 INACTIVE_ITEM"].ID
			manager := f.admin
			manager.Role = auth.RoleChangeManager
			long := contract.ActionInput{Type: contract.ActionOverride, Note: "Replacement item ships next quarter, keep the old one."}
			if _, err := f.flow.Act(ctx, manager, id, long); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("change manager override: %v", err)
			}
			if _, err := f.flow.Act(ctx, f.admin, id, contract.ActionInput{Type: contract.ActionOverride, Note: "fine"}); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("short reason: %v", err)
			}
			if _, err := f.flow.Act(ctx, f.admin, id, long); err != nil {
				t.Fatal(err)
			}
			f.run(t)
			if e := f.exceptions(t)["A-400 INACTIVE_ITEM"]; e.Status != contract.ExceptionOverridden {
				t.Fatalf("override undone by a run: %+v", e)
			}
		})

		t.Run("comment, assign, bulk resolve, filters", func(t *testing.T) {
			ex := f.exceptions(t)
			id := ex["A-300 UOM_MISMATCH"].ID
			if _, err := f.flow.Act(ctx, f.admin, id, contract.ActionInput{Type: contract.ActionComment}); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("empty comment: %v", err)
			}
			if _, err := f.flow.Act(ctx, f.admin, id, contract.ActionInput{Type: contract.ActionAssign, AssignTo: "nobody"}); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("unknown assignee: %v", err)
			}
			if _, err := f.flow.Act(ctx, f.admin, id, contract.ActionInput{Type: contract.ActionAssign, AssignTo: f.admin.UserID}); err != nil {
				t.Fatal(err)
			}
			mine, _, err := f.flow.Exceptions(ctx, f.admin, contract.ExceptionFilter{AssignedTo: f.admin.UserID})
			if err != nil || len(mine) != 1 || mine[0].ID != id {
				t.Fatalf("assigned filter: %+v %v", mine, err)
			}
			high, _, _ := f.flow.Exceptions(ctx, f.admin, contract.ExceptionFilter{Severity: contract.SeverityHigh, Status: contract.ExceptionOpen})
			ids := []string{}
			for _, e := range high {
				ids = append(ids, e.ID)
			}
			ids = append(ids, ex["A-500 MISSING_MAPPING"].ID) // already resolved
			out, err := f.flow.BulkAct(ctx, f.admin, ids, contract.ActionInput{Type: contract.ActionResolve, Note: "checked with the vendor"})
			if err != nil {
				t.Fatal(err)
			}
			ok := 0
			for _, o := range out {
				if o.OK {
					ok++
				}
			}
			if ok != len(high) || out[len(out)-1].OK {
				t.Fatalf("bulk %+v", out)
			}
			byRule, _, _ := f.flow.Exceptions(ctx, f.admin, contract.ExceptionFilter{Rule: contract.RuleUOMMismatch})
			rules := []string{}
			for _, e := range byRule {
				rules = append(rules, e.Context.VendorItemNumber)
			}
			sort.Strings(rules)
			if !cmp.Equal(rules, []string{"A-300", "A-700"}) {
				t.Fatalf("rule filter: %v", rules)
			}
		})

		t.Run("tenant wall", func(t *testing.T) {
			id := f.exceptions(t)["A-300 UOM_MISMATCH"].ID
			if _, err := f.flow.Exception(ctx, f.other, id); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("other tenant reads: %v", err)
			}
			if _, err := f.flow.Act(ctx, f.other, id, contract.ActionInput{Type: contract.ActionResolve}); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("other tenant acts: %v", err)
			}
			if _, err := f.recon.Start(ctx, f.other, f.contract.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("other tenant runs: %v", err)
			}
			if es, _, err := f.flow.Exceptions(ctx, f.other, contract.ExceptionFilter{}); err != nil || len(es) != 0 {
				t.Fatalf("other tenant lists %d, %v", len(es), err)
			}
		})

		t.Run("scheduled round queues every active contract", func(t *testing.T) {
			n, err := f.recon.QueueScheduled(ctx)
			if err != nil || n != 1 {
				t.Fatalf("scheduled %d, %v", n, err)
			}
			runs, _, err := f.recon.Runs(ctx, f.admin, contract.RunFilter{Status: contract.RunQueued})
			if err != nil || len(runs) != 1 || runs[0].Type != contract.RunScheduled {
				t.Fatalf("queued runs %+v, %v", runs, err)
			}
		})
	})
}
