// Package deadletter is the administrators' view of background jobs that ran
// out of attempts: listing them, reading why each attempt failed, and putting
// one back in the queue. It holds the rules (tenant walls, which jobs may be
// retried, paging) and leaves the queue itself behind a small Store, so that
// the web layer can offer this without knowing which queue runs the jobs.
package deadletter

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
)

// Job states the rules look at; the queue reports a job's state with these
// names.
const (
	// StateDiscarded is a job that failed on every attempt: a dead letter.
	StateDiscarded = "discarded"
	// StateCancelled is a job stopped before it finished; it may be retried
	// like a dead letter.
	StateCancelled = "cancelled"
)

// Job is a job as an administrator sees it: what it was asked to do, how
// often it was tried and why each attempt failed.
type Job struct {
	ID int64 `json:"id"`
	// TenantID is the tenant the job works for, read from its args; empty
	// for jobs that serve every tenant, which no tenant may see.
	TenantID    string          `json:"-"`
	Kind        string          `json:"kind"`
	State       string          `json:"state"`
	Args        json.RawMessage `json:"args"`
	Attempt     int             `json:"attempt"`
	MaxAttempts int             `json:"max_attempts"`
	Errors      []AttemptError  `json:"errors"`
	CreatedAt   time.Time       `json:"created_at"`
	ScheduledAt time.Time       `json:"scheduled_at"`
	// FailedAt is when the job was given up on; nil while it is still
	// queued or running.
	FailedAt *time.Time `json:"failed_at,omitempty"`
}

// AttemptError is why one attempt failed.
type AttemptError struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

// LastError is the message of the most recent failed attempt.
func (j Job) LastError() string {
	if len(j.Errors) == 0 {
		return ""
	}
	return j.Errors[len(j.Errors)-1].Message
}

// IsDeadLetter reports whether the job ran out of attempts.
func (j Job) IsDeadLetter() bool { return j.State == StateDiscarded }

// Retryable reports whether an administrator may put the job back in the
// queue: only jobs the queue gave up on, never one still queued, running or
// done.
func (j Job) Retryable() bool { return j.IsDeadLetter() || j.State == StateCancelled }

// visibleTo reports whether the job belongs to the tenant; jobs of no tenant
// belong to nobody's list.
func (j Job) visibleTo(tenantID string) bool { return j.TenantID != "" && j.TenantID == tenantID }

// Filter selects dead letters.
type Filter struct {
	Kind   string
	Cursor string
	Limit  int
}

// Query is one page request as the store runs it: the tenant's dead letters
// of Kind (any kind when empty) with an id below BeforeID (no bound when 0),
// highest id first, at most Limit of them.
type Query struct {
	TenantID string
	Kind     string
	BeforeID int64
	Limit    int
}

// Store is the job queue as the dead-letter admin needs it.
type Store interface {
	// DeadLetters runs one page query. Pages are ordered by job id, which
	// grows with every enqueue, so newest first without relying on how a
	// queue stores failure times.
	DeadLetters(ctx context.Context, q Query) ([]Job, error)
	// Job returns a job by id in any state and of any tenant; a missing
	// job is an apperr not found.
	Job(ctx context.Context, id int64) (Job, error)
	// Requeue puts job id back in the queue in one transaction: it reads
	// the job, lets check refuse it, requeues it, and writes the audit
	// event record returns for the job before and after — all or nothing.
	Requeue(ctx context.Context, id int64, check func(before Job) error, record func(before, after Job) audit.Event) (Job, error)
}
