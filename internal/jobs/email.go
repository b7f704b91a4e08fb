package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// threadSnooze is how long an email waits when an earlier email of its
// thread is not processed yet.
const threadSnooze = 2 * time.Second

// EmailProcessWorker works the email.process jobs: thread or triage one
// received email (inbox.Service.Process, idempotent). Transient failures
// return the error, so River retries with backoff; the last attempt marks
// the email failed for the triage queue.
type EmailProcessWorker struct {
	river.WorkerDefaults[jobargs.EmailProcess]
	Inbox *inbox.Service
}

// Work processes the job's email.
func (w *EmailProcessWorker) Work(ctx context.Context, job *river.Job[jobargs.EmailProcess]) error {
	_, err := w.Inbox.Process(ctx, job.Args.TenantID, job.Args.EmailID, job.Attempt, job.MaxAttempts)
	if errors.Is(err, inbox.ErrThreadPending) {
		return river.JobSnooze(threadSnooze)
	}
	return err
}

// Timeout bounds one attempt; a language model that is slow to answer
// should not hold a worker for the queue's five minutes.
func (w *EmailProcessWorker) Timeout(*river.Job[jobargs.EmailProcess]) time.Duration {
	return 2 * time.Minute
}
