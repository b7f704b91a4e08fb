// Package jobs runs VendorSync's background work on River, on the same
// database as everything else: jobs are inserted in the transaction of the
// change that causes them, retried with backoff, and kept as dead letters
// (River's "discarded" state) when they run out of attempts. Periodic jobs
// run on the elected leader only, so N replicas never run them N times.
// Every job's args embed jobargs.Tenant (inserts without tenant_id are
// refused), so a tenant's administrators see and retry only their own dead
// letters. The args themselves are plain data in package jobargs; this
// package is the runtime that stores and works them.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// MaxAttempts is how often a job is tried before it becomes a dead letter.
const MaxAttempts = 8

// DeadLetterRetention is how long a dead letter stays inspectable and
// retryable before River's cleaner deletes it (River's default is a week).
const DeadLetterRetention = 30 * 24 * time.Hour

// Config chooses what this process does with the queue.
type Config struct {
	// Work makes this process fetch and work jobs (roles "worker" and "all");
	// otherwise the client only inserts.
	Work     bool
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
	Logger   *slog.Logger
	// PollInterval overrides how often workers poll for new jobs.
	PollInterval time.Duration
	// ID names this process in leader election (default: River's own).
	ID string
	// JobLogger logs job failures with their correlation ids; Metrics counts
	// job outcomes. Both are optional.
	JobLogger *slog.Logger
	Metrics   *obs.Metrics
}

// Queue is the process's job queue client.
type Queue struct {
	Client *river.Client[*sql.Tx]
	work   bool
}

// New creates the queue client on the store's database and installs it as
// the store's enqueuer.
func New(db *sqlstore.DB, cfg Config) (*Queue, error) {
	rc := &river.Config{
		Logger:      cfg.Logger,
		MaxAttempts: MaxAttempts,
		ID:          cfg.ID,
		// Neither driver here supports LISTEN; workers poll.
		PollOnly:                    true,
		Middleware:                  []rivertype.Middleware{requireTenant, &observer{log: cfg.JobLogger, metrics: cfg.Metrics}},
		DiscardedJobRetentionPeriod: DeadLetterRetention,
	}
	if cfg.Work {
		poll := cfg.PollInterval
		if poll == 0 {
			// Neither driver can LISTEN, so the poll interval is the floor of
			// email-to-ticket latency; one indexed query per interval per
			// worker process is cheap on both engines.
			poll = 250 * time.Millisecond
			if db.Dialect == sqlstore.SQLite {
				poll = 150 * time.Millisecond
			}
		}
		rc.FetchPollInterval = poll
		rc.FetchCooldown = min(poll, 100*time.Millisecond)
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 8}}
		rc.Workers = cfg.Workers
		rc.PeriodicJobs = cfg.Periodic
		rc.JobTimeout = 5 * time.Minute
	} else if cfg.Workers != nil {
		// An insert-only client still validates kinds against workers.
		rc.Workers = cfg.Workers
	}
	client, err := river.NewClient(db.RiverDriver(), rc)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q := &Queue{Client: client, work: cfg.Work}
	db.SetEnqueuer(q)
	return q, nil
}

// EnqueueTx inserts job in tx, with the options its args ask for (one per
// args while one waits or runs); the store calls it for every job a change
// causes, so the job exists if and only if the change commits.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, job jobargs.Args) error {
	if _, err := q.Client.InsertTx(ctx, tx, job, insertOpts(job)); err != nil {
		return fmt.Errorf("enqueue %s: %w", job.Kind(), err)
	}
	return nil
}

// Start begins working jobs (a no-op for insert-only clients).
func (q *Queue) Start(ctx context.Context) error {
	if !q.work {
		return nil
	}
	return q.Client.Start(ctx)
}

// Stop finishes running jobs and stops fetching, waiting at most until ctx ends.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.work {
		return nil
	}
	return q.Client.Stop(ctx)
}
