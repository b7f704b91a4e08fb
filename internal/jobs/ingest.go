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
	_, err := w.Ingest.ArchiveWaiting(ctx, j.Args.TenantID)
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
	river.AddWorker(ws, &IngestDeliverWorker{Ingest: s})
	river.AddWorker(ws, &IngestDeliverAllWorker{Ingest: s})
	river.AddWorker(ws, &IngestReplayWorker{Ingest: s})
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
	_, err := w.Ingest.NormalizeWaiting(ctx, j.Args.TenantID)
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

// IngestDeliverWorker sends a tenant's due deliveries to its
// subscriptions. Each delivery keeps its own attempts and schedule (a
// failed attempt is recorded and retried by the sweep when due), so the
// job itself fails only when the database does.
type IngestDeliverWorker struct {
	river.WorkerDefaults[jobargs.IngestDeliver]
	Ingest *ingest.Service
}

// Work sends until none is due.
func (w *IngestDeliverWorker) Work(ctx context.Context, j *river.Job[jobargs.IngestDeliver]) error {
	_, err := w.Ingest.Deliver(ctx, j.Args.TenantID)
	return err
}

// Timeout: a backlog of slow endpoints takes longer than a minute.
func (w *IngestDeliverWorker) Timeout(*river.Job[jobargs.IngestDeliver]) time.Duration {
	return 15 * time.Minute
}

// IngestDeliverAllWorker is the periodic sweep over every tenant.
type IngestDeliverAllWorker struct {
	river.WorkerDefaults[jobargs.IngestDeliverAll]
	Ingest *ingest.Service
}

// Work sends every tenant's due deliveries.
func (w *IngestDeliverAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.IngestDeliverAll]) error {
	_, err := w.Ingest.DeliverAll(ctx)
	return err
}

// Timeout as for one tenant.
func (w *IngestDeliverAllWorker) Timeout(*river.Job[jobargs.IngestDeliverAll]) time.Duration {
	return 15 * time.Minute
}

// IngestDeliverAll sweeps every few seconds for deliveries whose retry
// came due (the first attempt is made by the job their normalization
// enqueued).
func IngestDeliverAll() *river.PeriodicJob {
	return Periodic("ingest.deliver_all", 5*time.Second, func() river.JobArgs { return jobargs.IngestDeliverAll{} })
}

// IngestReplayWorker works a background replay to its end. Its progress
// is saved after each page, so a retry (or a job rescued from a stopped
// process) goes on from the last page saved.
type IngestReplayWorker struct {
	river.WorkerDefaults[jobargs.IngestReplay]
	Ingest *ingest.Service
}

// Work replays until the selection is done or a cancel is asked for.
func (w *IngestReplayWorker) Work(ctx context.Context, j *river.Job[jobargs.IngestReplay]) error {
	return w.Ingest.RunReplay(ctx, j.Args.TenantID, j.Args.ReplayID, j.Attempt >= j.MaxAttempts)
}

// Timeout: a replay of millions of events takes hours.
func (w *IngestReplayWorker) Timeout(*river.Job[jobargs.IngestReplay]) time.Duration {
	return 12 * time.Hour
}
