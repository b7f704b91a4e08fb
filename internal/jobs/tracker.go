package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// Tracker schedules: the seed's status sync every 5 minutes and the
// background retry of orphaned links every 15.
const (
	TrackerSyncInterval  = 5 * time.Minute
	TrackerRetryInterval = 15 * time.Minute
)

// TrackerCreateWorker runs tracker.create_issue jobs.
type TrackerCreateWorker struct {
	river.WorkerDefaults[jobargs.TrackerCreate]
	Links *link.Service
}

// Work makes one attempt. The attempt records its own outcome on the link
// (failed, orphan, waiting for the connection); a wait it asks for (the
// one a 429 named, the backoff after a 5xx, another attempt's lease) is a
// snooze, which River does not count as a failed attempt. Only errors
// recording the outcome make River retry.
func (w *TrackerCreateWorker) Work(ctx context.Context, job *river.Job[jobargs.TrackerCreate]) error {
	a := job.Args
	res, err := w.Links.CreateIssue(ctx, a.TenantID, a.TicketID, a.ApplicationID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return river.JobCancel(fmt.Errorf("tracker.create_issue: %w", err))
	case err != nil:
		return fmt.Errorf("tracker.create_issue: %w", err)
	case res.RetryAfter > 0:
		return river.JobSnooze(res.RetryAfter)
	}
	return nil
}

// Timeout bounds one attempt a little beyond link.AttemptTimeout.
func (w *TrackerCreateWorker) Timeout(*river.Job[jobargs.TrackerCreate]) time.Duration {
	return link.AttemptTimeout + time.Minute
}

// TrackerSyncWorker runs tracker.sync jobs.
type TrackerSyncWorker struct {
	river.WorkerDefaults[jobargs.TrackerSync]
	Links *link.Service
}

// Work syncs the tenant. A connection switched off since the job was
// enqueued leaves nothing to do.
func (w *TrackerSyncWorker) Work(ctx context.Context, job *river.Job[jobargs.TrackerSync]) error {
	_, err := w.Links.Sync(ctx, job.Args.TenantID)
	if err != nil && !apperr.Is(err, apperr.Conflict) {
		return fmt.Errorf("tracker.sync: %w", err)
	}
	return nil
}

// Timeout leaves room for tenants with tens of thousands of issues.
func (w *TrackerSyncWorker) Timeout(*river.Job[jobargs.TrackerSync]) time.Duration {
	return 15 * time.Minute
}

// TrackerSyncAllWorker runs tracker.sync_all jobs.
type TrackerSyncAllWorker struct {
	river.WorkerDefaults[jobargs.TrackerSyncAll]
	Links *link.Service
}

// Work enqueues one tracker.sync per tenant in one transaction.
func (w *TrackerSyncAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.TrackerSyncAll]) error {
	tenants, err := w.Links.SyncTenants(ctx)
	if err != nil {
		return fmt.Errorf("tracker.sync_all: %w", err)
	}
	jobs := make([]jobargs.Args, 0, len(tenants))
	for _, id := range tenants {
		jobs = append(jobs, jobargs.TrackerSync{Tenant: jobargs.For(id)})
	}
	if err := w.Links.Store.EnqueueJobs(ctx, jobs); err != nil {
		return fmt.Errorf("tracker.sync_all: enqueue %d syncs: %w", len(jobs), err)
	}
	return nil
}

// TrackerSyncAll is the periodic job that schedules every tenant's sync
// every interval (TrackerSyncInterval when zero), on the leader only.
func TrackerSyncAll(interval time.Duration) *river.PeriodicJob {
	if interval <= 0 {
		interval = TrackerSyncInterval
	}
	return Periodic("tracker.sync_all", interval, func() river.JobArgs {
		return jobargs.TrackerSyncAll{}
	})
}

// TrackerRetryWorker runs tracker.retry_orphans jobs.
type TrackerRetryWorker struct {
	river.WorkerDefaults[jobargs.TrackerRetry]
	Links *link.Service
}

// Work enqueues the create jobs (link.Service.RetryDue).
func (w *TrackerRetryWorker) Work(ctx context.Context, _ *river.Job[jobargs.TrackerRetry]) error {
	if _, err := w.Links.RetryDue(ctx); err != nil {
		return fmt.Errorf("tracker.retry_orphans: %w", err)
	}
	return nil
}

// TrackerRetry is the periodic job of the seed's "background retry every
// 15 min", on the leader only.
func TrackerRetry() *river.PeriodicJob {
	return Periodic("tracker.retry_orphans", TrackerRetryInterval, func() river.JobArgs {
		return jobargs.TrackerRetry{}
	})
}

// AddTrackerWorkers registers the tracker jobs' workers.
func AddTrackerWorkers(ws *river.Workers, links *link.Service) {
	river.AddWorker(ws, &TrackerCreateWorker{Links: links})
	river.AddWorker(ws, &TrackerSyncWorker{Links: links})
	river.AddWorker(ws, &TrackerSyncAllWorker{Links: links})
	river.AddWorker(ws, &TrackerRetryWorker{Links: links})
	river.AddWorker(ws, &TrackerWebhookWorker{Links: links})
	river.AddWorker(ws, &TrackerPollWorker{Links: links})
	river.AddWorker(ws, &TrackerPollAllWorker{Links: links})
	river.AddWorker(ws, &TrackerPushWorker{Links: links})
	river.AddWorker(ws, &TrackerPushDueWorker{Links: links})
	river.AddWorker(ws, &TrackerCloseIssuesWorker{Links: links})
	river.AddWorker(ws, &TrackerDueDatesWorker{Links: links})
}

// TrackerWebhookWorker runs tracker.webhook jobs.
type TrackerWebhookWorker struct {
	river.WorkerDefaults[jobargs.TrackerWebhook]
	Links *link.Service
}

// Work processes the job's deliveries in order; each delivery records its
// own outcome (processed or failed). A failure that may pass is retried by
// River with its backoff, and the retry skips the deliveries already
// processed. A delivery that no longer exists has nothing to do; one that
// cannot be read, or whose connection is off or gone, will not get better
// by retrying (redeliver it from the log): the job is cancelled when all
// of its deliveries failed so.
func (w *TrackerWebhookWorker) Work(ctx context.Context, job *river.Job[jobargs.TrackerWebhook]) error {
	ids := job.Args.IDs()
	var retry, final []error
	for _, err := range w.Links.ProcessDeliveries(ctx, job.Args.TenantID, ids) {
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
			final = append(final, err)
		} else {
			retry = append(retry, err)
		}
	}
	switch {
	case len(retry) > 0:
		return fmt.Errorf("tracker.webhook: %w", errors.Join(retry...))
	case len(final) > 0 && len(final) == len(ids):
		return river.JobCancel(fmt.Errorf("tracker.webhook: %w", errors.Join(final...)))
	}
	return nil
}

// TrackerPollWorker runs tracker.poll jobs.
type TrackerPollWorker struct {
	river.WorkerDefaults[jobargs.TrackerPoll]
	Links *link.Service
}

// Work polls one connection. A rate limit is a snooze (River does not
// count it as a failed attempt): the cursor stands after the last
// committed page, so the snoozed job goes on from there. A connection
// gone, off or unable to list is nothing to retry.
func (w *TrackerPollWorker) Work(ctx context.Context, job *river.Job[jobargs.TrackerPoll]) error {
	res, err := w.Links.Poll(ctx, job.Args.TenantID, job.Args.ConnectionID)
	switch {
	case apperr.Is(err, apperr.Conflict), apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.NotFound):
		return river.JobCancel(fmt.Errorf("tracker.poll: %w", err))
	case err != nil:
		return fmt.Errorf("tracker.poll: %w", err)
	case res.RetryAfter > 0:
		return river.JobSnooze(res.RetryAfter)
	}
	return nil
}

// Timeout leaves room for a long first listing.
func (w *TrackerPollWorker) Timeout(*river.Job[jobargs.TrackerPoll]) time.Duration {
	return 15 * time.Minute
}

// TrackerPollAllWorker runs tracker.poll_all jobs.
type TrackerPollAllWorker struct {
	river.WorkerDefaults[jobargs.TrackerPollAll]
	Links *link.Service
}

// Work enqueues one tracker.poll per enabled connection in one
// transaction.
func (w *TrackerPollAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.TrackerPollAll]) error {
	polls, err := w.Links.PollConnections(ctx)
	if err != nil {
		return fmt.Errorf("tracker.poll_all: %w", err)
	}
	jobs := make([]jobargs.Args, 0, len(polls))
	for _, p := range polls {
		jobs = append(jobs, p)
	}
	if err := w.Links.Store.EnqueueJobs(ctx, jobs); err != nil {
		return fmt.Errorf("tracker.poll_all: enqueue %d polls: %w", len(jobs), err)
	}
	return nil
}

// TrackerPollAll is the periodic polling reconciliation of every
// connection, every link.PollInterval; periodic jobs run on the elected
// leader only, so one node schedules them.
func TrackerPollAll() *river.PeriodicJob {
	return Periodic("tracker.poll_all", link.PollInterval, func() river.JobArgs {
		return jobargs.TrackerPollAll{}
	})
}
