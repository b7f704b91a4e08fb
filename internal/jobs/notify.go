package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/ticket/deadline"
)

// NotifyPlanArgs plans the deliveries of one notification event (a new
// ticket, a breach, a vendor email threaded onto a ticket, an unknown-vendor
// email, a provisioned user) into the notification log. It is enqueued in
// the transaction of what caused the event; planning is keyed by the log's
// dedup keys, so a retry after a crash adds nothing twice.
type NotifyPlanArgs struct {
	TenantArgs
	Event notify.Event `json:"event"`
	// Snapshot is frozen by the cause for events that are not about a
	// ticket, and for a thread update's email; tickets are snapshotted
	// when planned.
	Snapshot *notify.Snapshot `json:"snapshot,omitempty"`
}

// Kind names the job.
func (NotifyPlanArgs) Kind() string { return "notify.plan" }

// NotifyPlan returns the plan job of an event; dispatch.Service.PlanJob.
func NotifyPlan(tenantID string, e notify.Event, snap *notify.Snapshot) dispatch.Job {
	return NotifyPlanArgs{TenantArgs: ForTenant(tenantID), Event: e, Snapshot: snap}
}

// NotifyPlanWorker runs notify.plan jobs.
type NotifyPlanWorker struct {
	river.WorkerDefaults[NotifyPlanArgs]
	Notify *dispatch.Service
}

// Work plans the event. A subject that no longer exists has nothing to
// notify about.
func (w *NotifyPlanWorker) Work(ctx context.Context, job *river.Job[NotifyPlanArgs]) error {
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

// NotifyDeliverArgs makes one attempt at one logged notification.
type NotifyDeliverArgs struct {
	TenantArgs
	NotificationID string `json:"notification_id"`
}

// Kind names the job.
func (NotifyDeliverArgs) Kind() string { return "notify.deliver" }

// NotifyDeliver returns the delivery job of a log entry;
// dispatch.Service.DeliverJob.
func NotifyDeliver(tenantID, id string) dispatch.Job {
	return NotifyDeliverArgs{TenantArgs: ForTenant(tenantID), NotificationID: id}
}

// NotifyDeliverWorker runs notify.deliver jobs.
type NotifyDeliverWorker struct {
	river.WorkerDefaults[NotifyDeliverArgs]
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
func (w *NotifyDeliverWorker) Work(ctx context.Context, job *river.Job[NotifyDeliverArgs]) error {
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
func (w *NotifyDeliverWorker) NextRetry(job *river.Job[NotifyDeliverArgs]) time.Time {
	if w.Backoff == nil {
		return time.Time{}
	}
	return time.Now().Add(w.Backoff(job.Attempt))
}

// Timeout bounds one attempt: the clients' own timeouts are 30 seconds.
func (w *NotifyDeliverWorker) Timeout(*river.Job[NotifyDeliverArgs]) time.Duration {
	return 2 * time.Minute
}

// DeadlineMonitorArgs runs the deadline monitor over every tenant.
type DeadlineMonitorArgs struct {
	TenantArgs // SystemTenant: every tenant
}

// Kind names the job.
func (DeadlineMonitorArgs) Kind() string { return "tickets.deadline_monitor" }

// DeadlineMonitorWorker runs tickets.deadline_monitor jobs.
type DeadlineMonitorWorker struct {
	river.WorkerDefaults[DeadlineMonitorArgs]
	Monitor *deadline.Monitor
}

// Work runs the monitor once. A failed run is retried; what it already
// planned is not planned twice.
func (w *DeadlineMonitorWorker) Work(ctx context.Context, _ *river.Job[DeadlineMonitorArgs]) error {
	if _, err := w.Monitor.Run(ctx); err != nil {
		return fmt.Errorf("tickets.deadline_monitor: %w", err)
	}
	return nil
}

// Timeout leaves room for tenants with many due tickets.
func (w *DeadlineMonitorWorker) Timeout(*river.Job[DeadlineMonitorArgs]) time.Duration {
	return 10 * time.Minute
}

// DeadlineMonitor is the periodic job of the seed's check "every 15
// minutes", on the leader only.
func DeadlineMonitor() *river.PeriodicJob {
	return Periodic("tickets.deadline_monitor", deadline.Interval, func() river.JobArgs {
		return DeadlineMonitorArgs{TenantArgs: ForTenant(SystemTenant)}
	})
}

// AddNotifyWorkers registers the notification and deadline workers.
func AddNotifyWorkers(ws *river.Workers, n *dispatch.Service, m *deadline.Monitor) {
	river.AddWorker(ws, &NotifyPlanWorker{Notify: n})
	river.AddWorker(ws, &NotifyDeliverWorker{Notify: n})
	river.AddWorker(ws, &DeadlineMonitorWorker{Monitor: m})
}
