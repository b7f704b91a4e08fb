package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// SessionStore is what the cleanup needs.
type SessionStore interface {
	DeleteExpiredSessions(ctx context.Context) (int64, error)
}

// SessionCleanupWorker deletes sessions past their expiry.
type SessionCleanupWorker struct {
	river.WorkerDefaults[jobargs.SessionCleanup]
	Store SessionStore
}

// Work deletes expired sessions.
func (w *SessionCleanupWorker) Work(ctx context.Context, _ *river.Job[jobargs.SessionCleanup]) error {
	if _, err := w.Store.DeleteExpiredSessions(ctx); err != nil {
		return fmt.Errorf("session cleanup: %w", err)
	}
	return nil
}

// SessionCleanup is the hourly periodic job.
func SessionCleanup() *river.PeriodicJob {
	return Periodic("maintenance.session_cleanup", time.Hour, func() river.JobArgs {
		return jobargs.SessionCleanup{}
	})
}

// AuditCheckpointStore is what the audit checkpoint needs.
type AuditCheckpointStore interface {
	audit.Store
	ListTenants(ctx context.Context) ([]auth.Tenant, error)
}

// AuditCheckpointWorker writes a signed checkpoint of each tenant's audit
// chain, write-once, to the blob store (see audit.Checkpoint).
type AuditCheckpointWorker struct {
	river.WorkerDefaults[jobargs.AuditCheckpoint]
	Store AuditCheckpointStore
	Vault *blob.Store
	Sign  audit.Signer
}

// Work checkpoints every tenant whose chain moved since its last one.
func (w *AuditCheckpointWorker) Work(ctx context.Context, _ *river.Job[jobargs.AuditCheckpoint]) error {
	tenants, err := w.Store.ListTenants(ctx)
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	now := time.Now()
	for _, t := range tenants {
		if _, err := audit.WriteCheckpoint(ctx, w.Store, w.Vault, t.ID, w.Sign, now); err != nil {
			return err
		}
	}
	return nil
}

// AuditCheckpoint is the periodic job, every 15 minutes.
func AuditCheckpoint() *river.PeriodicJob {
	return Periodic("maintenance.audit_checkpoint", 15*time.Minute, func() river.JobArgs {
		return jobargs.AuditCheckpoint{}
	})
}

// Reconciliation timing: work is stranded when it has waited strandedAfter
// in a non-final state with no live job; a running attempt older than
// staleAttempt (the email and delivery workers' two-minute timeout plus a
// margin) belongs to a process that is gone.
const (
	strandedAfter = 10 * time.Minute
	staleAttempt  = 3 * time.Minute
)

// ReconcileStore is what the reconciler needs.
type ReconcileStore interface {
	RequeueStranded(ctx context.Context, before time.Time, stale time.Duration) (sqlstore.Stranded, error)
}

// ReconcileWorker re-enqueues stranded emails and notification deliveries,
// so that after a crash every one reaches a final status without waiting
// for the queue's own rescue of the longest jobs.
type ReconcileWorker struct {
	river.WorkerDefaults[jobargs.Reconcile]
	Store  ReconcileStore
	Logger *slog.Logger
}

// Work requeues what is stranded.
func (w *ReconcileWorker) Work(ctx context.Context, _ *river.Job[jobargs.Reconcile]) error {
	n, err := w.Store.RequeueStranded(ctx, time.Now().Add(-strandedAfter), staleAttempt)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	if n.Emails+n.Deliveries > 0 && w.Logger != nil {
		w.Logger.WarnContext(ctx, "stranded work requeued", "emails", n.Emails, "deliveries", n.Deliveries)
	}
	return nil
}

// Reconcile is the periodic job, every 5 minutes.
func Reconcile() *river.PeriodicJob {
	return Periodic("maintenance.reconcile", 5*time.Minute, func() river.JobArgs {
		return jobargs.Reconcile{}
	})
}
