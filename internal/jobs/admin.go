package jobs

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// Job is a job as an administrator sees it: what it was asked to do, how
// often it was tried and why each attempt failed.
type Job struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	State       string          `json:"state"`
	Args        json.RawMessage `json:"args"`
	Attempt     int             `json:"attempt"`
	MaxAttempts int             `json:"max_attempts"`
	Errors      []AttemptError  `json:"errors"`
	CreatedAt   time.Time       `json:"created_at"`
	ScheduledAt time.Time       `json:"scheduled_at"`
	// FailedAt is when the job was given up on (River's finalized_at); nil
	// while it is still queued or running.
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
func (j Job) IsDeadLetter() bool { return j.State == string(rivertype.JobStateDiscarded) }

// Filter selects dead letters.
type Filter struct {
	Kind   string
	Cursor string
	Limit  int
}

// Admin lets a tenant's administrators inspect and retry its dead letters:
// jobs River discarded after MaxAttempts failures. Every call is scoped to
// one tenant by the tenant_id in the job's args.
type Admin struct {
	db     *sqlstore.DB
	client *river.Client[*sql.Tx]
}

// NewAdmin returns the dead-letter admin over q's database.
func NewAdmin(db *sqlstore.DB, q *Queue) *Admin { return &Admin{db: db, client: q.Client} }

// byTenant restricts a River job list to one tenant; "->>" reads a top-level
// JSON field on both PostgreSQL (jsonb) and SQLite (≥ 3.38).
const byTenant = "args ->> 'tenant_id' = @tenant_id"

// List returns a page of the tenant's dead letters, newest first (by job
// id, which grows with every enqueue), optionally of one kind. The order is
// by id rather than by failure time because River's SQLite driver does not
// store finalized_at in one comparable format.
func (a *Admin) List(ctx context.Context, tenantID string, f Filter) ([]Job, string, error) {
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > 500:
		limit = 500
	}
	params := river.NewJobListParams().
		States(rivertype.JobStateDiscarded).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).
		Where(byTenant, river.NamedArgs{"tenant_id": tenantID}).
		First(limit + 1)
	if f.Kind != "" {
		params = params.Kinds(f.Kind)
	}
	if f.Cursor != "" {
		after, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		params = params.Where("id < @cursor_id", river.NamedArgs{"cursor_id": after})
	}
	res, err := a.client.JobList(ctx, params)
	if err != nil {
		return nil, "", fmt.Errorf("list dead letters: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, row := range res.Jobs {
		out = append(out, jobOf(row))
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	return out, next, nil
}

// Get returns one of the tenant's jobs, in any state.
func (a *Admin) Get(ctx context.Context, tenantID string, id int64) (Job, error) {
	row, err := a.client.JobGet(ctx, id)
	if err != nil {
		return Job{}, notFound(err, id)
	}
	if t, _ := jobargs.TenantOf(row.EncodedArgs); t != tenantID || tenantID == jobargs.SystemTenant {
		return Job{}, apperr.NotFoundf("job %d not found", id)
	}
	return jobOf(row), nil
}

// Retry puts a dead letter of the actor's tenant back in the queue with one
// more attempt, and records who did it in the audit log — both in one
// transaction.
func (a *Admin) Retry(ctx context.Context, actor audit.Actor, id int64) (Job, error) {
	tenantID, _, _, _ := actor.AuditActor()
	var out Job
	err := a.db.InTx(ctx, func(tx *sqlstore.Tx) error {
		row, err := a.client.JobGetTx(ctx, tx.SQL(), id)
		if err != nil {
			return notFound(err, id)
		}
		if t, _ := jobargs.TenantOf(row.EncodedArgs); t != tenantID || tenantID == jobargs.SystemTenant {
			return apperr.NotFoundf("job %d not found", id)
		}
		before := jobOf(row)
		if !before.IsDeadLetter() && row.State != rivertype.JobStateCancelled {
			return apperr.E(apperr.Conflict, "job %d is %s, not a dead letter", id, row.State)
		}
		row, err = a.client.JobRetryTx(ctx, tx.SQL(), id)
		if err != nil {
			return fmt.Errorf("retry job %d: %w", id, err)
		}
		out = jobOf(row)
		type state struct {
			Kind        string `json:"kind"`
			State       string `json:"state"`
			Attempt     int    `json:"attempt"`
			MaxAttempts int    `json:"max_attempts"`
		}
		return tx.Audit(ctx, audit.Record(actor, "job.retry", "job", strconv.FormatInt(id, 10),
			state{before.Kind, before.State, before.Attempt, before.MaxAttempts},
			state{out.Kind, out.State, out.Attempt, out.MaxAttempts}))
	})
	return out, err
}

func notFound(err error, id int64) error {
	if errors.Is(err, river.ErrNotFound) {
		return apperr.NotFoundf("job %d not found", id)
	}
	return fmt.Errorf("get job %d: %w", id, err)
}

func jobOf(row *rivertype.JobRow) Job {
	j := Job{
		ID: row.ID, Kind: row.Kind, State: string(row.State), Args: json.RawMessage(row.EncodedArgs),
		Attempt: row.Attempt, MaxAttempts: row.MaxAttempts, CreatedAt: row.CreatedAt.UTC(),
		ScheduledAt: row.ScheduledAt.UTC(), Errors: make([]AttemptError, 0, len(row.Errors)),
	}
	if row.FinalizedAt != nil {
		t := row.FinalizedAt.UTC()
		j.FailedAt = &t
	}
	for _, e := range row.Errors {
		j.Errors = append(j.Errors, AttemptError{Attempt: e.Attempt, At: e.At.UTC(), Message: e.Error})
	}
	return j
}

// Cursors are opaque to callers: the id of the last job of a page.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

func decodeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var id int64
	if err == nil {
		id, err = strconv.ParseInt(string(b), 10, 64)
	}
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf("cursor is not valid")
	}
	return id, nil
}
