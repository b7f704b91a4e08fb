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
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
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
	// MaxWorkers is how many jobs this process works at once;
	// DefaultMaxWorkers() when zero.
	MaxWorkers int
	// PollInterval overrides how often workers look for jobs nobody told
	// them about (inserted by another process without a notification).
	PollInterval time.Duration
	// ID names this process in leader election (default: River's own).
	ID string
	// JobLogger logs job failures with their correlation ids; Metrics counts
	// job outcomes. Both are optional.
	JobLogger *slog.Logger
	Metrics   *obs.Metrics
}

// DefaultMaxWorkers sizes the worker pool from the machine: jobs mostly
// wait on the database and on remote services, so several per core keep
// the CPU busy during a burst.
func DefaultMaxWorkers() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// Timing of job pickup. Workers are told about new jobs as soon as they
// commit (LISTEN/NOTIFY on PostgreSQL, an in-process wake-up on SQLite);
// polling only finds jobs inserted where no notification reaches.
const (
	fetchCooldown = 5 * time.Millisecond
	pollInterval  = time.Second
	// jobTimeout bounds an attempt unless its worker says otherwise (the
	// longest, a tenant's tracker sync, allows 15 minutes).
	jobTimeout = 5 * time.Minute
	// rescueAfter is when River's own rescuer retries a job still running
	// past the longest attempt any worker allows. Jobs of a process that
	// is gone are rescued much sooner, when its lease ends (lease.go).
	rescueAfter = 16 * time.Minute
)

// Queue is the process's job queue. Client inserts jobs in the store's
// transactions and serves the dead-letter admin; the jobs themselves are
// worked by Client (SQLite) or by a second client on a pgx pool that can
// LISTEN (PostgreSQL).
type Queue struct {
	Client *river.Client[*sql.Tx]
	runner interface {
		Start(context.Context) error
		Stop(context.Context) error
		ID() string
	}
	lease     *leaser
	wake      *wakeListener
	notifier  *commitNotifier
	closePool func()
}

// New creates the queue on the store's database and installs it as the
// store's enqueuer.
func New(db *sqlstore.DB, cfg Config) (*Queue, error) {
	rc := baseConfig(cfg)
	rc.PollOnly = true       // the inserting client never listens
	rc.Workers = cfg.Workers // an insert-only client still validates kinds against workers
	q := &Queue{closePool: func() {}}
	var err error
	switch {
	case !cfg.Work:
		q.Client, err = river.NewClient(db.RiverDriver(), rc)
	case db.Dialect == sqlstore.SQLite:
		q.wake = newWakeListener()
		wc := workConfig(cfg)
		q.Client, err = river.NewClient[*sql.Tx](&wakeDriver{Driver: db.RiverDriver(), listener: q.wake}, wc)
		q.runner = q.Client
	default:
		if q.Client, err = river.NewClient(db.RiverDriver(), rc); err != nil {
			break
		}
		driver, closePool, derr := db.ListenerDriver(context.Background())
		if derr != nil {
			return nil, fmt.Errorf("job queue: %w", derr)
		}
		worker, werr := river.NewClient(driver, workConfig(cfg))
		if werr != nil {
			closePool()
			return nil, fmt.Errorf("job queue: %w", werr)
		}
		q.runner, q.closePool = worker, closePool
	}
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	if db.Dialect == sqlstore.Postgres {
		q.notifier = startCommitNotifier(func(ctx context.Context) error { return db.NotifyJobsCommitted(ctx, insertPayloads...) }, cfg.Logger)
		closePool := q.closePool
		q.closePool = func() { q.notifier.close(); closePool() }
	}
	if q.runner != nil {
		q.lease = &leaser{store: db, id: q.runner.ID(), log: cfg.Logger, wake: q.Committed}
	}
	db.SetEnqueuer(q)
	return q, nil
}

// baseConfig is what every client of the queue shares.
func baseConfig(cfg Config) *river.Config {
	return &river.Config{
		// Also how often an inserting client may NOTIFY about one queue:
		// every insert a few milliseconds apart wakes the workers.
		FetchCooldown:               fetchCooldown,
		Logger:                      cfg.Logger,
		MaxAttempts:                 MaxAttempts,
		ID:                          cfg.ID,
		Middleware:                  []rivertype.Middleware{requireTenant, &observer{log: cfg.JobLogger, metrics: cfg.Metrics}},
		DiscardedJobRetentionPeriod: DeadLetterRetention,
	}
}

// workConfig is the configuration of the client that works jobs.
func workConfig(cfg Config) *river.Config {
	rc := baseConfig(cfg)
	workers := cfg.MaxWorkers
	if workers <= 0 {
		workers = DefaultMaxWorkers()
	}
	poll := cmp.Or(cfg.PollInterval, pollInterval)
	rc.FetchPollInterval = poll
	rc.FetchCooldown = min(poll, fetchCooldown)
	rc.Queues = map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: workers},
		QueueTrackers:      {MaxWorkers: trackerWorkers(workers)},
	}
	rc.Workers = cfg.Workers
	rc.PeriodicJobs = cfg.Periodic
	rc.JobTimeout = jobTimeout
	rc.RescueStuckJobsAfter = rescueAfter
	return rc
}

// trackerWorkers is how many tracker jobs run at once beside the workers of
// the default queue: half as many, at least two.
func trackerWorkers(workers int) int { return max(2, workers/2) }

// Committed wakes the workers after a transaction that enqueued jobs
// commits: this process's on SQLite, every listening replica's through a
// NOTIFY sent after the commit on PostgreSQL.
func (q *Queue) Committed() {
	if q.wake != nil {
		q.wake.notify()
	}
	if q.notifier != nil {
		q.notifier.committed()
	}
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

// EnqueueManyTx inserts jobs in tx in one call, which on PostgreSQL is one
// statement, with the options each asks for. Of jobs kept one per args,
// a repeat within jobs is left out: inserted in one statement, it would be
// a second change to the row its first inserts.
func (q *Queue) EnqueueManyTx(ctx context.Context, tx *sql.Tx, jobs []jobargs.Args) error {
	params := make([]river.InsertManyParams, 0, len(jobs))
	var seen map[string]bool
	for _, job := range jobs {
		if _, ok := job.(jobargs.OnePerArgs); ok {
			b, err := json.Marshal(job)
			if err != nil {
				return fmt.Errorf("enqueue %s: %w", job.Kind(), err)
			}
			key := job.Kind() + " " + string(b)
			if seen[key] {
				continue
			}
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[key] = true
		}
		params = append(params, river.InsertManyParams{Args: job, InsertOpts: insertOpts(job)})
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := q.Client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue %d jobs (%s first): %w", len(params), params[0].Args.Kind(), err)
	}
	return nil
}

// Start begins working jobs (a no-op for insert-only queues): it takes
// this process's lease first and puts back the jobs that processes which
// stopped without finishing them left running.
func (q *Queue) Start(ctx context.Context) error {
	if q.runner == nil {
		return nil
	}
	if err := q.lease.start(ctx); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	if err := q.runner.Start(ctx); err != nil {
		q.lease.stop(ctx)
		return err
	}
	return nil
}

// Stop finishes running jobs and stops fetching, waiting at most until ctx
// ends, and releases the listening pool.
func (q *Queue) Stop(ctx context.Context) error {
	defer q.closePool()
	if q.runner == nil {
		return nil
	}
	err := q.runner.Stop(ctx)
	q.lease.stop(ctx)
	return err
}
