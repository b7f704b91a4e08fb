package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/ticket/deadline"
)

// NotifyPlanWorker runs notify.plan jobs.
type NotifyPlanWorker struct {
	river.WorkerDefaults[notify.PlanJob]
	Notify *dispatch.Service
}

// Work plans the event. A subject that no longer exists has nothing to
// notify about.
func (w *NotifyPlanWorker) Work(ctx context.Context, job *river.Job[notify.PlanJob]) error {
	a := job.Args
	_, err := w.Notify.PlanEvent(ctx, a.TenantID, a.Event, a.Snapshot)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return river.JobCancel(fmt.Errorf("notify.plan %s: %w", a.Event.Key(), err))
	case err != nil:
		return fmt.Errorf("notify.plan %s: %w", a.Event.Key(), err)
	}
	return nil
}

// NotifyDeliverWorker runs notify.deliver jobs.
type NotifyDeliverWorker struct {
	river.WorkerDefaults[jobargs.NotifyDeliver]
	Notify *dispatch.Service
	// Backoff, when set, replaces River's retry backoff (tests make it
	// short); attempt counts from 1.
	Backoff func(attempt int) time.Duration
}

// Work makes one attempt and maps its outcome onto the queue: sent is
// done; a permanent failure cancels the job (no retry; the entry is
// failed); a retryable one returns its error, so River retries with
// backoff — or snoozes for the wait the provider asked for — until the
// attempts run out and the job becomes a dead letter (the entry dead).
// Retrying the dead letter from /jobs, or replaying the entry, sends it
// again.
func (w *NotifyDeliverWorker) Work(ctx context.Context, job *river.Job[jobargs.NotifyDeliver]) error {
	a := job.Args
	res, err := w.Notify.Deliver(ctx, a.TenantID, a.NotificationID, job.Attempt >= job.MaxAttempts)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return river.JobCancel(fmt.Errorf("notify.deliver: %w", err))
	case err != nil:
		return fmt.Errorf("notify.deliver: %w", err)
	}
	switch res.Status {
	case dispatch.Failed:
		return river.JobCancel(fmt.Errorf("notify.deliver %s: %w", a.NotificationID, res.Err))
	case dispatch.Queued:
		if res.RetryAfter > 0 {
			return river.JobSnooze(res.RetryAfter)
		}
		return fmt.Errorf("notify.deliver %s: %w", a.NotificationID, res.Err)
	case dispatch.Dead:
		return fmt.Errorf("notify.deliver %s: last attempt: %w", a.NotificationID, res.Err)
	}
	return nil
}

// NextRetry applies Backoff when set; River's default otherwise.
func (w *NotifyDeliverWorker) NextRetry(job *river.Job[jobargs.NotifyDeliver]) time.Time {
	if w.Backoff == nil {
		return time.Time{}
	}
	return time.Now().Add(w.Backoff(job.Attempt))
}

// Timeout bounds one attempt: the clients' own timeouts are 30 seconds.
func (w *NotifyDeliverWorker) Timeout(*river.Job[jobargs.NotifyDeliver]) time.Duration {
	return 2 * time.Minute
}

// DeadlineMonitorWorker runs tickets.deadline_monitor jobs.
type DeadlineMonitorWorker struct {
	river.WorkerDefaults[jobargs.DeadlineMonitor]
	Monitor *deadline.Monitor
}

// Work runs the monitor once. A failed run is retried; what it already
// planned is not planned twice.
func (w *DeadlineMonitorWorker) Work(ctx context.Context, _ *river.Job[jobargs.DeadlineMonitor]) error {
	if _, err := w.Monitor.Run(ctx); err != nil {
		return fmt.Errorf("tickets.deadline_monitor: %w", err)
	}
	return nil
}

// Timeout leaves room for tenants with many due tickets.
func (w *DeadlineMonitorWorker) Timeout(*river.Job[jobargs.DeadlineMonitor]) time.Duration {
	return 10 * time.Minute
}

// DeadlineMonitor is the periodic job of the seed's check "every 15
// minutes", on the leader only.
func DeadlineMonitor() *river.PeriodicJob {
	return Periodic("tickets.deadline_monitor", deadline.Interval, func() river.JobArgs {
		return jobargs.DeadlineMonitor{}
	})
}

// AddNotifyWorkers registers the notification and deadline workers.
func AddNotifyWorkers(ws *river.Workers, n *dispatch.Service, m *deadline.Monitor) {
	river.AddWorker(ws, &NotifyPlanWorker{Notify: n})
	river.AddWorker(ws, &NotifyDeliverWorker{Notify: n})
	river.AddWorker(ws, &DeadlineMonitorWorker{Monitor: m})
}
