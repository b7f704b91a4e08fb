package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// DefaultMailPollInterval is how often every active mailbox is polled.
const DefaultMailPollInterval = time.Minute

// MailPoller polls one mailbox; *mailbox.Service implements it.
type MailPoller interface {
	Poll(ctx context.Context, tenantID, id string) error
}

// MailPollWorker runs mail.poll jobs.
type MailPollWorker struct {
	river.WorkerDefaults[jobargs.MailPoll]
	Poller MailPoller
}

// Work polls the mailbox. A mailbox that failed (unreachable, credentials
// refused) has its error on its status already; the job then succeeds,
// because the next scheduled round retries sooner than River's backoff and
// retries would only pile up behind it. Other errors (the database) retry.
func (w *MailPollWorker) Work(ctx context.Context, job *river.Job[jobargs.MailPoll]) error {
	err := w.Poller.Poll(ctx, job.Args.TenantID, job.Args.MailboxID)
	var pe *mailbox.PollError
	switch {
	case err == nil, errors.As(err, &pe):
		return nil
	case apperr.Is(err, apperr.NotFound):
		return river.JobCancel(fmt.Errorf("mail.poll %s: %w", job.Args.MailboxID, err))
	}
	return fmt.Errorf("mail.poll %s: %w", job.Args.MailboxID, err)
}

// MailPollAllWorker runs mail.poll_all jobs.
type MailPollAllWorker struct {
	river.WorkerDefaults[jobargs.MailPollAll]
	Store *sqlstore.DB
}

// Work enqueues one mail.poll per active mailbox; a mailbox whose previous
// poll still waits or runs keeps that one.
func (w *MailPollAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.MailPollAll]) error {
	refs, err := w.Store.ActiveMailboxes(ctx)
	if err != nil {
		return fmt.Errorf("mail.poll_all: %w", err)
	}
	if len(refs) == 0 {
		return nil
	}
	err = w.Store.InTx(ctx, func(tx *sqlstore.Tx) error {
		for _, r := range refs {
			if err := tx.Enqueue(ctx, jobargs.MailPoll{Tenant: jobargs.For(r.TenantID), MailboxID: r.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mail.poll_all: enqueue %d polls: %w", len(refs), err)
	}
	return nil
}

// MailPollAll is the periodic job that schedules mailbox polls every
// interval (DefaultMailPollInterval when zero).
func MailPollAll(interval time.Duration) *river.PeriodicJob {
	if interval <= 0 {
		interval = DefaultMailPollInterval
	}
	return Periodic("mail.poll_all", interval, func() river.JobArgs {
		return jobargs.MailPollAll{}
	})
}
