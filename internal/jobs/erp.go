package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// itemSync is an item sync under the job's kind or its former one.
type itemSync interface {
	river.JobArgs
	Sync() jobargs.ERPSyncItems
}

// ERPSyncItemsWorker reads one connector's item catalog into the item
// store; one is registered per kind the sync was ever queued under.
type ERPSyncItemsWorker[T itemSync] struct {
	river.WorkerDefaults[T]
	ERP *erp.Service
}

// Work syncs the connector; a failure a retry cannot cure is recorded on
// the connector and ends the job.
func (w *ERPSyncItemsWorker[T]) Work(ctx context.Context, j *river.Job[T]) error {
	a := j.Args.Sync()
	return w.ERP.Sync(ctx, a.TenantID, a.ConnectorID, a.Full)
}

// Timeout: a full sync of a large catalog reads hundreds of pages.
func (w *ERPSyncItemsWorker[T]) Timeout(*river.Job[T]) time.Duration {
	return 15 * time.Minute
}

// ERPSyncAllWorker queues the nightly sync of every active connector.
type ERPSyncAllWorker struct {
	river.WorkerDefaults[jobargs.ERPSyncAll]
	ERP *erp.Service
}

// Work queues the syncs.
func (w *ERPSyncAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.ERPSyncAll]) error {
	_, err := w.ERP.QueueNightly(ctx)
	return err
}

// AddERPWorkers registers the ERP workers.
func AddERPWorkers(ws *river.Workers, s *erp.Service) {
	river.AddWorker(ws, &ERPSyncItemsWorker[jobargs.ERPSyncItems]{ERP: s})
	river.AddWorker(ws, &ERPSyncItemsWorker[jobargs.ERPSyncItemsOldKind]{ERP: s})
	river.AddWorker(ws, &ERPSyncAllWorker{ERP: s})
}

// ERPSyncAll is the nightly round of item syncs.
func ERPSyncAll() *river.PeriodicJob {
	return Periodic("erp.sync_all", 24*time.Hour, func() river.JobArgs { return jobargs.ERPSyncAll{} })
}
