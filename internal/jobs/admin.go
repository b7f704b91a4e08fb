package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/deadletter"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// DeadLetterStore is the dead-letter admin's store on River: discarded jobs are
// its dead letters, and a job's tenant is the tenant_id of its args.
type DeadLetterStore struct {
	db     *sqlstore.DB
	client *river.Client[*sql.Tx]
}

var _ deadletter.Store = (*DeadLetterStore)(nil)

// NewDeadLetterStore returns the dead-letter store over q's database.
func NewDeadLetterStore(db *sqlstore.DB, q *Queue) *DeadLetterStore {
	return &DeadLetterStore{db: db, client: q.Client}
}

// byTenant restricts a River job list to one tenant; "->>" reads a top-level
// JSON field on both PostgreSQL (jsonb) and SQLite (≥ 3.38).
const byTenant = "args ->> 'tenant_id' = @tenant_id"

// DeadLetters lists one page of a tenant's discarded jobs by descending id.
// The order is by id rather than by failure time because River's SQLite
// driver does not store finalized_at in one comparable format.
func (d *DeadLetterStore) DeadLetters(ctx context.Context, q deadletter.Query) ([]deadletter.Job, error) {
	params := river.NewJobListParams().
		States(rivertype.JobStateDiscarded).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).
		Where(byTenant, river.NamedArgs{"tenant_id": q.TenantID}).
		First(q.Limit)
	if q.Kind != "" {
		params = params.Kinds(q.Kind)
	}
	if q.BeforeID > 0 {
		params = params.Where("id < @cursor_id", river.NamedArgs{"cursor_id": q.BeforeID})
	}
	res, err := d.client.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	out := make([]deadletter.Job, 0, len(res.Jobs))
	for _, row := range res.Jobs {
		out = append(out, jobOf(row))
	}
	return out, nil
}

// Job returns any job by id.
func (d *DeadLetterStore) Job(ctx context.Context, id int64) (deadletter.Job, error) {
	row, err := d.client.JobGet(ctx, id)
	if err != nil {
		return deadletter.Job{}, notFound(err, id)
	}
	return jobOf(row), nil
}

// Requeue retries job id with River and writes the audit row in the same
// transaction, after check accepted the job as it was.
func (d *DeadLetterStore) Requeue(ctx context.Context, id int64, check func(before deadletter.Job) error,
	record func(before, after deadletter.Job) audit.Event,
) (deadletter.Job, error) {
	var out deadletter.Job
	err := d.db.InTx(ctx, func(tx *sqlstore.Tx) error {
		row, err := d.client.JobGetTx(ctx, tx.SQL(), id)
		if err != nil {
			return notFound(err, id)
		}
		before := jobOf(row)
		if err := check(before); err != nil {
			return err
		}
		row, err = d.client.JobRetryTx(ctx, tx.SQL(), id)
		if err != nil {
			return fmt.Errorf("retry job %d: %w", id, err)
		}
		out = jobOf(row)
		return tx.Audit(ctx, record(before, out))
	})
	return out, err
}

func notFound(err error, id int64) error {
	if errors.Is(err, river.ErrNotFound) {
		return apperr.NotFoundf("job %d not found", id)
	}
	return fmt.Errorf("get job %d: %w", id, err)
}

func jobOf(row *rivertype.JobRow) deadletter.Job {
	tenant, _ := jobargs.TenantOf(row.EncodedArgs)
	j := deadletter.Job{
		ID: row.ID, TenantID: tenant, Kind: row.Kind, State: string(row.State), Args: json.RawMessage(row.EncodedArgs),
		Attempt: row.Attempt, MaxAttempts: row.MaxAttempts, CreatedAt: row.CreatedAt.UTC(),
		ScheduledAt: row.ScheduledAt.UTC(), Errors: make([]deadletter.AttemptError, 0, len(row.Errors)),
	}
	if row.FinalizedAt != nil {
		t := row.FinalizedAt.UTC()
		j.FailedAt = &t
	}
	for _, e := range row.Errors {
		j.Errors = append(j.Errors, deadletter.AttemptError{Attempt: e.Attempt, At: e.At.UTC(), Message: e.Error})
	}
	return j
}
