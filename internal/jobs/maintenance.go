package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// SessionCleanupArgs removes expired web sessions.
type SessionCleanupArgs struct{}

// Kind names the job.
func (SessionCleanupArgs) Kind() string { return "maintenance.session_cleanup" }

// SessionStore is what the cleanup needs.
type SessionStore interface {
	DeleteExpiredSessions(ctx context.Context) (int64, error)
}

// SessionCleanupWorker deletes sessions past their expiry.
type SessionCleanupWorker struct {
	river.WorkerDefaults[SessionCleanupArgs]
	Store SessionStore
}

// Work deletes expired sessions.
func (w *SessionCleanupWorker) Work(ctx context.Context, _ *river.Job[SessionCleanupArgs]) error {
	_, err := w.Store.DeleteExpiredSessions(ctx)
	return err
}

// SessionCleanup is the hourly periodic job.
func SessionCleanup() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return SessionCleanupArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "maintenance.session_cleanup"})
}
