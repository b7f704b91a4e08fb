package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/score"
)

// ScoreSignalWorker submits a module's fact about a vendor as a signal,
// as the system of its tenant; its event_id makes a retry count once.
type ScoreSignalWorker struct {
	river.WorkerDefaults[jobargs.ScoreSignal]
	Scores *score.Service
}

// Work submits the signal.
func (w *ScoreSignalWorker) Work(ctx context.Context, j *river.Job[jobargs.ScoreSignal]) error {
	f := j.Args.Signal
	v := f.Value
	sub := score.Submission{EventID: f.EventID, VendorRef: score.VendorRef{ID: f.VendorID, Domain: f.Domain}, Code: f.Code,
		Value: &v, ObservedAt: f.ObservedAt, Note: f.Note}
	if _, err := w.Scores.Submit(ctx, auth.System(j.Args.TenantID), f.Source, []score.Submission{sub}); err != nil {
		return fmt.Errorf("score signal %s: %w", f.EventID, err)
	}
	return nil
}

// ScoreRescoreWorker rescores one vendor after new signals.
type ScoreRescoreWorker struct {
	river.WorkerDefaults[jobargs.ScoreRescore]
	Scores *score.Service
}

// Work rescores the vendor.
func (w *ScoreRescoreWorker) Work(ctx context.Context, j *river.Job[jobargs.ScoreRescore]) error {
	_, err := w.Scores.Rescore(ctx, j.Args.TenantID, j.Args.VendorID)
	return err
}

// ScoreRescoreTenantWorker rescores every vendor of a tenant.
type ScoreRescoreTenantWorker struct {
	river.WorkerDefaults[jobargs.ScoreRescoreTenant]
	Scores *score.Service
}

// Work rescores the tenant.
func (w *ScoreRescoreTenantWorker) Work(ctx context.Context, j *river.Job[jobargs.ScoreRescoreTenant]) error {
	_, err := w.Scores.RescoreTenant(ctx, j.Args.TenantID)
	return err
}

// ScoreRescoreAllWorker is the daily full rescore.
type ScoreRescoreAllWorker struct {
	river.WorkerDefaults[jobargs.ScoreRescoreAll]
	Scores *score.Service
}

// Work rescores every tenant.
func (w *ScoreRescoreAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.ScoreRescoreAll]) error {
	_, err := w.Scores.RescoreAll(ctx)
	return err
}

// Timeout: a full rescore of a large portfolio takes longer than a job's
// default minute.
func (w *ScoreRescoreAllWorker) Timeout(*river.Job[jobargs.ScoreRescoreAll]) time.Duration {
	return 30 * time.Minute
}

// PartitionStore creates the signal table's partitions ahead.
type PartitionStore interface {
	EnsureSignalPartitions(ctx context.Context, ahead int) (int, error)
}

// SignalPartitionsWorker keeps three months of signal partitions ahead.
type SignalPartitionsWorker struct {
	river.WorkerDefaults[jobargs.SignalPartitions]
	Store PartitionStore
}

// Work creates the missing partitions.
func (w *SignalPartitionsWorker) Work(ctx context.Context, _ *river.Job[jobargs.SignalPartitions]) error {
	_, err := w.Store.EnsureSignalPartitions(ctx, 3)
	return err
}

// AddScoreWorkers registers the score workers.
func AddScoreWorkers(ws *river.Workers, s *score.Service, parts PartitionStore) {
	river.AddWorker(ws, &ScoreSignalWorker{Scores: s})
	river.AddWorker(ws, &ScoreRescoreWorker{Scores: s})
	river.AddWorker(ws, &ScoreRescoreTenantWorker{Scores: s})
	river.AddWorker(ws, &ScoreRescoreAllWorker{Scores: s})
	river.AddWorker(ws, &SignalPartitionsWorker{Store: parts})
	river.AddWorker(ws, &ScoreMonthlySummariesWorker{Scores: s})
}

// ScoreMonthlySummariesWorker renders the monthly summaries due.
type ScoreMonthlySummariesWorker struct {
	river.WorkerDefaults[jobargs.ScoreMonthlySummaries]
	Scores *score.Service
}

// Work renders every tenant's summary of its last month, once.
func (w *ScoreMonthlySummariesWorker) Work(ctx context.Context, _ *river.Job[jobargs.ScoreMonthlySummaries]) error {
	_, err := w.Scores.ScheduleMonthlySummaries(ctx)
	return err
}

// ScoreMonthlySummaries looks for due monthly summaries every six hours;
// a month's summary is made once (its schedule key is unique), a few hours
// into the tenant's new month at the latest.
func ScoreMonthlySummaries() *river.PeriodicJob {
	return Periodic("score.monthly_summaries", 6*time.Hour, func() river.JobArgs { return jobargs.ScoreMonthlySummaries{} })
}

// ScoreRescoreAll is the daily full rescore.
func ScoreRescoreAll() *river.PeriodicJob {
	return Periodic("score.rescore_all", 24*time.Hour, func() river.JobArgs { return jobargs.ScoreRescoreAll{} })
}

// SignalPartitions is the daily partition maintenance.
func SignalPartitions() *river.PeriodicJob {
	return Periodic("score.signal_partitions", 24*time.Hour, func() river.JobArgs { return jobargs.SignalPartitions{} })
}
