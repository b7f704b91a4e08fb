package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// ContractImportWorker imports a vendor price file whose mapping was
// confirmed; a retry after a crash starts the file over.
type ContractImportWorker struct {
	river.WorkerDefaults[jobargs.ContractImport]
	Contracts *contract.Service
}

// Work imports the file.
func (w *ContractImportWorker) Work(ctx context.Context, j *river.Job[jobargs.ContractImport]) error {
	return w.Contracts.Import(ctx, j.Args.TenantID, j.Args.FileID)
}

// Timeout: a file of a hundred thousand lines takes longer than a job's
// default minute on a busy database.
func (w *ContractImportWorker) Timeout(*river.Job[jobargs.ContractImport]) time.Duration {
	return 15 * time.Minute
}

// ContractReconcileWorker executes a queued reconciliation run.
type ContractReconcileWorker struct {
	river.WorkerDefaults[jobargs.ContractReconcile]
	Reconciliation *contract.ReconciliationService
}

// Work runs the rules; a run that fails is recorded failed on the run.
func (w *ContractReconcileWorker) Work(ctx context.Context, j *river.Job[jobargs.ContractReconcile]) error {
	return w.Reconciliation.Run(ctx, j.Args.TenantID, j.Args.RunID)
}

// Timeout: a contract of a hundred thousand lines on a busy database.
func (w *ContractReconcileWorker) Timeout(*river.Job[jobargs.ContractReconcile]) time.Duration {
	return 10 * time.Minute
}

// ContractReconcileAllWorker queues the scheduled run of every active
// contract.
type ContractReconcileAllWorker struct {
	river.WorkerDefaults[jobargs.ContractReconcileAll]
	Reconciliation *contract.ReconciliationService
}

// Work queues the runs.
func (w *ContractReconcileAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.ContractReconcileAll]) error {
	_, err := w.Reconciliation.QueueScheduled(ctx)
	return err
}

// AddContractWorkers registers the contracts module's workers.
func AddContractWorkers(ws *river.Workers, c *contract.Service, r *contract.ReconciliationService) {
	river.AddWorker(ws, &ContractImportWorker{Contracts: c})
	river.AddWorker(ws, &ContractReconcileWorker{Reconciliation: r})
	river.AddWorker(ws, &ContractReconcileAllWorker{Reconciliation: r})
	river.AddWorker(ws, &ContractReconcileImportedWorker{Reconciliation: r})
}

// ContractReconcileImportedWorker queues the run that follows an import.
type ContractReconcileImportedWorker struct {
	river.WorkerDefaults[jobargs.ContractReconcileImported]
	Reconciliation *contract.ReconciliationService
}

// Work queues the run; a contract gone with its tenant needs none.
func (w *ContractReconcileImportedWorker) Work(ctx context.Context, j *river.Job[jobargs.ContractReconcileImported]) error {
	_, err := w.Reconciliation.QueueImported(ctx, j.Args.TenantID, j.Args.ContractID)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	return err
}

// ContractReconcileAll is the daily round of reconciliation runs: ERP
// prices change under contracts that did not.
func ContractReconcileAll() *river.PeriodicJob {
	return Periodic("contract.reconcile_all", 24*time.Hour, func() river.JobArgs { return jobargs.ContractReconcileAll{} })
}
