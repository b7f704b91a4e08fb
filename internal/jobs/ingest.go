package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// IngestArchiveWorker archives a tenant's accepted events' raw bytes.
type IngestArchiveWorker struct {
	river.WorkerDefaults[jobargs.IngestArchive]
	Ingest *ingest.Service
}

// Work archives until none is left.
func (w *IngestArchiveWorker) Work(ctx context.Context, j *river.Job[jobargs.IngestArchive]) error {
	_, err := w.Ingest.Archive(ctx, j.Args.TenantID)
	return err
}

// Timeout: a backlog after an outage takes longer than a minute.
func (w *IngestArchiveWorker) Timeout(*river.Job[jobargs.IngestArchive]) time.Duration {
	return 30 * time.Minute
}

// IngestArchiveAllWorker is the periodic sweep over every tenant.
type IngestArchiveAllWorker struct {
	river.WorkerDefaults[jobargs.IngestArchiveAll]
	Ingest *ingest.Service
}

// Work archives every tenant's waiting events.
func (w *IngestArchiveAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.IngestArchiveAll]) error {
	_, err := w.Ingest.ArchiveAll(ctx)
	return err
}

// Timeout as for one tenant.
func (w *IngestArchiveAllWorker) Timeout(*river.Job[jobargs.IngestArchiveAll]) time.Duration {
	return 30 * time.Minute
}

// AddIngestWorkers registers the ingest jobs' workers.
func AddIngestWorkers(ws *river.Workers, s *ingest.Service) {
	river.AddWorker(ws, &IngestArchiveWorker{Ingest: s})
	river.AddWorker(ws, &IngestArchiveAllWorker{Ingest: s})
	river.AddWorker(ws, &IngestNormalizeWorker{Ingest: s})
	river.AddWorker(ws, &IngestNormalizeAllWorker{Ingest: s})
}

// IngestArchiveAll sweeps every few seconds for events no archiver took
// (accepts enqueue a tenant's archiver at most once a second, and one that
// is finishing misses what commits meanwhile).
func IngestArchiveAll() *river.PeriodicJob {
	return Periodic("ingest.archive_all", 5*time.Second, func() river.JobArgs { return jobargs.IngestArchiveAll{} })
}

// IngestNormalizeWorker normalizes a tenant's RECEIVED events.
type IngestNormalizeWorker struct {
	river.WorkerDefaults[jobargs.IngestNormalize]
	Ingest *ingest.Service
}

// Work normalizes until none is left.
func (w *IngestNormalizeWorker) Work(ctx context.Context, j *river.Job[jobargs.IngestNormalize]) error {
	_, err := w.Ingest.Normalize(ctx, j.Args.TenantID)
	return err
}

// Timeout: a backlog after an outage takes longer than a minute.
func (w *IngestNormalizeWorker) Timeout(*river.Job[jobargs.IngestNormalize]) time.Duration {
	return 30 * time.Minute
}

// IngestNormalizeAllWorker is the periodic sweep over every tenant.
type IngestNormalizeAllWorker struct {
	river.WorkerDefaults[jobargs.IngestNormalizeAll]
	Ingest *ingest.Service
}

// Work normalizes every tenant's waiting events.
func (w *IngestNormalizeAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.IngestNormalizeAll]) error {
	_, err := w.Ingest.NormalizeAll(ctx)
	return err
}

// Timeout as for one tenant.
func (w *IngestNormalizeAllWorker) Timeout(*river.Job[jobargs.IngestNormalizeAll]) time.Duration {
	return 30 * time.Minute
}

// IngestNormalizeAll sweeps every few seconds for events no normalizer
// took, as the archive sweep does.
func IngestNormalizeAll() *river.PeriodicJob {
	return Periodic("ingest.normalize_all", 5*time.Second, func() river.JobArgs { return jobargs.IngestNormalizeAll{} })
}
