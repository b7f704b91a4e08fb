package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

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
