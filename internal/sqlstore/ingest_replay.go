package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

const replayColumns = `id, tenant_id, selection, status, total, done, normalized, failed_normalize, quarantined, after_id, error,
	cancel_requested, requested_by, created_at, started_at, finished_at`

func scanReplay(r scanner) (ingest.ReplayJob, error) {
	var j ingest.ReplayJob
	var sel string
	var started, finished sql.NullTime
	if err := r.Scan(&j.ID, &j.TenantID, &sel, &j.Status, &j.Total, &j.Done, &j.Normalized, &j.FailedNormalize, &j.Quarantined,
		&j.AfterID, &j.Error, &j.CancelRequested, &j.RequestedBy, &j.CreatedAt, &started, &finished); err != nil {
		return j, err
	}
	if err := json.Unmarshal([]byte(sel), &j.Selection); err != nil {
		return j, err
	}
	j.CreatedAt, j.StartedAt, j.FinishedAt = j.CreatedAt.UTC(), nullTime(started), nullTime(finished)
	return j, nil
}

// CreateReplay stores a queued background replay with its audit row and
// its job.
func (db *DB) CreateReplay(ctx context.Context, r ingest.ReplayJob, ev audit.Event, jobs []jobargs.Args) error {
	sel, err := json.Marshal(r.Selection)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO ingest_replays (id, tenant_id, selection, status, total, requested_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.TenantID, string(sel), string(r.Status), r.Total, r.RequestedBy, r.CreatedAt.UTC()); err != nil {
			return translate(err, "ingest replay")
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, jobs)
	})
}

// IngestReplay returns one background replay.
func (db *DB) IngestReplay(ctx context.Context, tenantID, id string) (ingest.ReplayJob, error) {
	r, err := scanReplay(db.reader().queryRow(ctx, `SELECT `+replayColumns+` FROM ingest_replays WHERE tenant_id = ? AND id = ?`,
		tenantID, id))
	return r, translate(err, "replay")
}

// ListReplays lists a tenant's background replays, newest first.
func (db *DB) ListReplays(ctx context.Context, tenantID string, limit int) ([]ingest.ReplayJob, error) {
	return queryAll(ctx, db.reader(), "ingest replays", scanReplay, `SELECT `+replayColumns+` FROM ingest_replays
		WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, tenantID, limit)
}

// SaveReplayProgress stores a replay's status, counts, cursor, error and
// times.
func (db *DB) SaveReplayProgress(ctx context.Context, r ingest.ReplayJob) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE ingest_replays SET status = ?, done = ?, normalized = ?, failed_normalize = ?, quarantined = ?,
			after_id = ?, error = ?, started_at = ?, finished_at = ? WHERE tenant_id = ? AND id = ?`, string(r.Status), r.Done,
			r.Normalized, r.FailedNormalize, r.Quarantined, r.AfterID, r.Error, timeOrNil(r.StartedAt), timeOrNil(r.FinishedAt),
			r.TenantID, r.ID)
		return translate(err, "replay")
	})
}

// RequestReplayCancel marks an unfinished replay for cancelling.
func (db *DB) RequestReplayCancel(ctx context.Context, tenantID, id string, ev audit.Event) (ingest.ReplayJob, error) {
	var out ingest.ReplayJob
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := scanReplay(tx.queryRow(ctx, `SELECT `+replayColumns+` FROM ingest_replays WHERE tenant_id = ? AND id = ?`, tenantID, id))
		if err != nil {
			return translate(err, "replay")
		}
		if r.Status != ingest.ReplayQueued && r.Status != ingest.ReplayRunning {
			return apperr.E(apperr.Conflict, "the replay has finished")
		}
		if _, err := tx.exec(ctx, `UPDATE ingest_replays SET cancel_requested = ? WHERE tenant_id = ? AND id = ?`, true, tenantID, id); err != nil {
			return translate(err, "replay")
		}
		r.CancelRequested = true
		out = r
		return tx.Audit(ctx, ev)
	})
	return out, err
}
