package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TrackerPushDueInterval is how often the outbox is swept for changes
// whose retry came due (the backoff is counted in minutes).
const TrackerPushDueInterval = time.Minute

// TrackerPushWorker runs tracker.push jobs.
type TrackerPushWorker struct {
	river.WorkerDefaults[jobargs.TrackerPush]
	Links *link.Service
}

// Work pushes one link's due outbox changes. A failed push is recorded on
// its outbox rows with their own backoff (2^n minutes), which the sweep
// brings back: the job itself succeeds. A link gone has nothing to push.
func (w *TrackerPushWorker) Work(ctx context.Context, job *river.Job[jobargs.TrackerPush]) error {
	_, err := w.Links.PushOutbox(ctx, job.Args.TenantID, job.Args.LinkID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return river.JobCancel(fmt.Errorf("tracker.push: %w", err))
	case err != nil:
		return fmt.Errorf("tracker.push: %w", err)
	}
	return nil
}

// TrackerPushDueWorker runs tracker.push_due jobs.
type TrackerPushDueWorker struct {
	river.WorkerDefaults[jobargs.TrackerPushDue]
	Links *link.Service
}

// Work enqueues a push of every link with a change due.
func (w *TrackerPushDueWorker) Work(ctx context.Context, _ *river.Job[jobargs.TrackerPushDue]) error {
	if _, err := w.Links.PushDue(ctx); err != nil {
		return fmt.Errorf("tracker.push_due: %w", err)
	}
	return nil
}

// TrackerPushDue is the periodic sweep of the outbox, on the leader only.
func TrackerPushDue() *river.PeriodicJob {
	return Periodic("tracker.push_due", TrackerPushDueInterval, func() river.JobArgs {
		return jobargs.TrackerPushDue{}
	})
}

// TrackerCloseIssuesWorker runs tracker.close_issues jobs.
type TrackerCloseIssuesWorker struct {
	river.WorkerDefaults[jobargs.TrackerCloseIssues]
	Links *link.Service
}

// Work closes the closed ticket's issues where their connection says so.
func (w *TrackerCloseIssuesWorker) Work(ctx context.Context, job *river.Job[jobargs.TrackerCloseIssues]) error {
	if _, err := w.Links.CloseTicketIssues(ctx, job.Args.TenantID, job.Args.TicketID); err != nil {
		return fmt.Errorf("tracker.close_issues: %w", err)
	}
	return nil
}

// TrackerDueDatesWorker runs tracker.due_dates jobs.
type TrackerDueDatesWorker struct {
	river.WorkerDefaults[jobargs.TrackerDueDates]
	Links *link.Service
}

// Work gives the ticket's linked issues its due date.
func (w *TrackerDueDatesWorker) Work(ctx context.Context, job *river.Job[jobargs.TrackerDueDates]) error {
	if _, err := w.Links.MoveDueDates(ctx, job.Args.TenantID, job.Args.TicketID); err != nil {
		return fmt.Errorf("tracker.due_dates: %w", err)
	}
	return nil
}
