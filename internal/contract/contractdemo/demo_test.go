package contractdemo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/contract/contractdemo"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func services(t *testing.T, db *sqlstore.DB, now time.Time) contractdemo.Services {
	t.Helper()
	if _, err := jobs.New(db, jobs.Config{}); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	return contractdemo.Services{
		Registry:       &registry.Service{Store: db},
		ERP:            &erp.Service{Store: db, Providers: erp.NewRegistry(erp.CSVFactory())},
		Contracts:      &contract.Service{Store: db, Blobs: blobs, Now: clock},
		Mappings:       &contract.MappingService{Store: db, Now: clock},
		Reconciliation: &contract.ReconciliationService{Store: db, Now: clock},
	}
}

// The demo's two files, reconciled, raise every rule, each on the lines
// the files were written for, and loading it again changes nothing.
func TestDemoRaisesEveryRule(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		now := time.Date(2026, 12, 5, 15, 0, 0, 0, time.UTC)
		s := services(t, db, now)
		b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "demo", "Demo", "admin@demo.test")
		if err != nil {
			t.Fatal(err)
		}
		p := auth.System(b.Tenant.ID)
		res, err := contractdemo.Load(ctx, s, p, now)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Loaded || res.Items != 16 || res.Contracts != 2 || res.Lines != 18 || res.Mapped != 15 {
			t.Fatalf("demo loaded %+v", res)
		}
		excs, _, err := s.Reconciliation.Store.ListExceptions(ctx, p.TenantID, contract.ExceptionFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		got := map[contract.Rule][]string{}
		for _, e := range excs {
			line, err := db.ContractLine(ctx, p.TenantID, e.LineID)
			if err != nil {
				t.Fatal(err)
			}
			got[e.Rule] = append(got[e.Rule], line.ItemNumber)
		}
		for _, l := range got {
			slices.Sort(l)
		}
		want := map[contract.Rule][]string{
			contract.RuleMissingMapping:  {"ASJ-V900", "MFS-40077", "MFS-40078"},
			contract.RuleUOMMismatch:     {"ASJ-T3000", "MFS-20112"},
			contract.RulePriceMismatch:   {"ASJ-B250", "ASJ-G100-M", "MFS-10422", "MFS-10440"},
			contract.RuleExpiredContract: {"ASJ-E400", "MFS-10430"},
			contract.RuleInactiveItem:    {"ASJ-S550", "MFS-30500"},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("demo exceptions (-want +got):\n%s", d)
		}
		if res.Exceptions != len(excs) {
			t.Errorf("result says %d exceptions, %d are open", res.Exceptions, len(excs))
		}
		// The Allied contract ends within thirty days; the bad price row
		// of the Midwest file is a row error.
		cs, _, err := s.Contracts.Contracts(ctx, p, contract.ContractFilter{Limit: 10})
		if err != nil || len(cs) != 2 {
			t.Fatalf("contracts: %v %d", err, len(cs))
		}
		for _, c := range cs {
			soon := c.EffectiveEnd != nil && c.EffectiveEnd.Before(now.AddDate(0, 0, 30))
			if soon != (c.Number == "ASJ-2026-114") {
				t.Errorf("contract %s ends %v", c.Number, c.EffectiveEnd)
			}
		}
		// The dashboard's overview counts the same exceptions.
		o, err := s.Reconciliation.Overview(ctx, p, now)
		if err != nil {
			t.Fatal(err)
		}
		wantOpen := contract.SeverityCounts{High: 7, Medium: 4, Low: 2}
		if d := cmp.Diff(wantOpen, o.Open); d != "" || o.OpenTotal != 13 || o.MissingMapping != 3 {
			t.Errorf("overview open (-want +got):\n%s total %d missing %d", d, o.OpenTotal, o.MissingMapping)
		}
		if o.Contracts != 2 || o.EndingSoon != 1 || o.Ended != 0 || len(o.RecentRuns) != 2 {
			t.Errorf("overview contracts %d ending %d ended %d runs %d", o.Contracts, o.EndingSoon, o.Ended, len(o.RecentRuns))
		}
		if bars := o.StatusTotals(); bars[0].Status != contract.ExceptionOpen || bars[0].N != 13 || bars[0].High != 7 || bars[1].N != 0 {
			t.Errorf("status totals %+v", bars)
		}
		if later, err := s.Reconciliation.Overview(ctx, p, now.AddDate(0, 2, 0)); err != nil || later.Ended != 1 || later.EndingSoon != 0 {
			t.Errorf("two months on: ended %d ending %d %v", later.Ended, later.EndingSoon, err)
		}
		again, err := contractdemo.Load(ctx, s, p, now)
		if err != nil || again.Loaded {
			t.Fatalf("second load: %+v %v", again, err)
		}
	})
}

// The sample price file, uploaded after the demo for Midwest, maps
// through the demo's approved part numbers and raises every rule.
func TestSampleFileRaisesEveryRule(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		now := time.Date(2026, 12, 5, 15, 0, 0, 0, time.UTC)
		s := services(t, db, now)
		b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "demo", "Demo", "admin@demo.test")
		if err != nil {
			t.Fatal(err)
		}
		p := auth.System(b.Tenant.ID)
		if _, err := contractdemo.Load(ctx, s, p, now); err != nil {
			t.Fatal(err)
		}
		vs, _, err := s.Registry.ListVendors(ctx, p, registry.VendorFilter{Query: contractdemo.Vendors[0].Vendor.Name, Limit: 5})
		if err != nil || len(vs) != 1 {
			t.Fatalf("vendor: %v %d", err, len(vs))
		}
		f, dup, err := s.Contracts.Upload(ctx, p, vs[0].ID, contractdemo.SampleName, contractdemo.SampleFile(now))
		if err != nil || dup {
			t.Fatalf("upload: %v duplicate %v", err, dup)
		}
		pv, err := s.Contracts.Preview(ctx, p, f.ID)
		if err != nil || pv.HeaderLine != 4 {
			t.Fatalf("preview: header line %d %v", pv.HeaderLine, err)
		}
		if _, err := s.Contracts.Confirm(ctx, p, f.ID, contract.Confirmation{HeaderLine: pv.HeaderLine, Mapping: pv.Proposed,
			ContractNumber: "MFS-2026-Q3"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Contracts.Import(ctx, p.TenantID, f.ID); err != nil {
			t.Fatal(err)
		}
		if f, err = s.Contracts.File(ctx, p, f.ID); err != nil || f.LinesImported != 9 || f.RowsFailed != 1 {
			t.Fatalf("import: %+v %v", f, err)
		}
		r, err := s.Reconciliation.Start(ctx, p, f.ContractID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Reconciliation.Run(ctx, p.TenantID, r.ID); err != nil {
			t.Fatal(err)
		}
		excs, _, err := s.Reconciliation.Store.ListExceptions(ctx, p.TenantID, contract.ExceptionFilter{ContractID: f.ContractID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		got := map[contract.Rule][]string{}
		for _, e := range excs {
			got[e.Rule] = append(got[e.Rule], e.Context.VendorItemNumber)
		}
		for _, l := range got {
			slices.Sort(l)
		}
		want := map[contract.Rule][]string{
			contract.RuleMissingMapping:  {"MFS-40091"},
			contract.RuleUOMMismatch:     {"MFS-20112"},
			contract.RulePriceMismatch:   {"MFS-10422", "MFS-10450"},
			contract.RuleExpiredContract: {"MFS-10430"},
			contract.RuleInactiveItem:    {"MFS-30500"},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("sample exceptions (-want +got):\n%s", d)
		}
	})
}
