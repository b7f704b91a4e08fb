package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/vendorsync/vendorsync/internal/jobargs"
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
