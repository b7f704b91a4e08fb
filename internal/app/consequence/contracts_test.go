package consequence_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/contract/contractdemo"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch/dispatchtest"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// A vendor file imported into a contract queues its reconciliation run,
// through the table of consequences; the run checks every line and its
// counts become the vendor's score signals.
func TestContractImportQueuesReconciliation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		f := dispatchtest.New(t, db, time.Now().UTC())
		blobs, err := blob.Open(ctx, "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		svc := &contract.Service{Store: db, Blobs: blobs, Consequences: f.Causes.Contracts}
		recon := &contract.ReconciliationService{Store: db, Consequences: f.Causes.Contracts}
		data, err := contractdemo.PriceFile(contractdemo.Vendors[0].File, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		up, _, err := svc.Upload(ctx, f.Admin, f.Vendor.ID, "prices.csv", data)
		if err != nil {
			t.Fatal(err)
		}
		pv, err := svc.Preview(ctx, f.Admin, up.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Confirm(ctx, f.Admin, up.ID, contract.Confirmation{HeaderLine: pv.HeaderLine, Mapping: pv.Proposed}); err != nil {
			t.Fatal(err)
		}
		if len(queued(t, db, "contract.reconcile_imported")) != 0 {
			t.Fatal("a run queued before the import")
		}
		if err := svc.Import(ctx, f.Tenant, up.ID); err != nil {
			t.Fatal(err)
		}
		file, err := svc.File(ctx, f.Admin, up.ID)
		if err != nil || file.Status != contract.FileImported {
			t.Fatalf("import: %+v %v", file, err)
		}
		args := queued(t, db, "contract.reconcile_imported")
		if len(args) != 1 {
			t.Fatalf("%d reconcile_imported jobs, want 1", len(args))
		}
		var a jobargs.ContractReconcileImported
		if err := json.Unmarshal(args[0], &a); err != nil {
			t.Fatal(err)
		}
		if a.TenantID != f.Tenant || a.ContractID != file.ContractID {
			t.Fatalf("job args %s", args[0])
		}
		if err := (&jobs.ContractReconcileImportedWorker{Reconciliation: recon}).Work(ctx,
			&river.Job[jobargs.ContractReconcileImported]{Args: a}); err != nil {
			t.Fatal(err)
		}
		runs, _, err := recon.Runs(ctx, f.Admin, contract.RunFilter{ContractID: file.ContractID, Limit: 10})
		if err != nil || len(runs) != 1 || runs[0].Status != contract.RunQueued || runs[0].RequestedBy != "import" {
			t.Fatalf("runs after import: %+v %v", runs, err)
		}
		rargs := queued(t, db, "contract.reconcile")
		if len(rargs) != 1 {
			t.Fatalf("%d reconcile jobs, want 1", len(rargs))
		}
		var ra jobargs.ContractReconcile
		if err := json.Unmarshal(rargs[0], &ra); err != nil || ra.RunID != runs[0].ID {
			t.Fatalf("reconcile job %s: %v", rargs[0], err)
		}
		if err := (&jobs.ContractReconcileWorker{Reconciliation: recon}).Work(ctx, &river.Job[jobargs.ContractReconcile]{Args: ra}); err != nil {
			t.Fatal(err)
		}
		r, err := recon.GetRun(ctx, f.Admin, ra.RunID)
		if err != nil {
			t.Fatal(err)
		}
		// No ERP catalog and no mappings: every line is unknown to the ERP.
		if r.Status != contract.RunCompleted || r.LinesTotal != file.LinesImported || r.RuleCounts[contract.RuleMissingMapping] != file.LinesImported {
			t.Fatalf("run %+v (file %d lines)", r, file.LinesImported)
		}
		// The completed run's facts reach the vendor's score: every item
		// unmapped, no price compared, one line past its end date.
		want := map[string]float64{"unmapped_item_share": 1, "price_mismatch_rate": 0, "contract_expired": 1}
		sargs := queued(t, db, "score.signal")
		if len(sargs) != len(want) {
			t.Fatalf("%d score signal jobs, want %d", len(sargs), len(want))
		}
		sw := &jobs.ScoreSignalWorker{Scores: f.Scores}
		for _, b := range sargs {
			var sa jobargs.ScoreSignal
			if err := json.Unmarshal(b, &sa); err != nil {
				t.Fatal(err)
			}
			v, ok := want[sa.Signal.Code]
			if !ok || sa.Signal.Value != v || sa.Signal.VendorID != f.Vendor.ID || sa.Signal.Source != "contracts" || sa.TenantID != f.Tenant {
				t.Errorf("signal %s", b)
			}
			delete(want, sa.Signal.Code)
			if err := sw.Work(ctx, &river.Job[jobargs.ScoreSignal]{Args: sa}); err != nil {
				t.Fatalf("signal %s refused: %v", b, err)
			}
		}
	})
}
