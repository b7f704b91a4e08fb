package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// Worker leases tell a process that is gone from one that is busy. Every
// process working jobs renews its lease every few seconds; a job still
// marked running by a client whose lease ran out will never finish there,
// so it goes back to the queue (or to the dead letters when it has used
// its attempts) without waiting out the longest job timeout.

// RenewWorkerLease records that the job queue client clientID is alive
// until ttl from now.
func (db *DB) RenewWorkerLease(ctx context.Context, clientID string, ttl time.Duration) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO worker_leases (client_id, started_at, renewed_at, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (client_id) DO UPDATE SET renewed_at = excluded.renewed_at, expires_at = excluded.expires_at`,
			clientID, tx.now, tx.now, tx.now.Add(ttl))
		return translate(err, "worker lease")
	})
}

// ReleaseWorkerLease ends clientID's lease now (a clean stop): whatever it
// leaves running is rescued by the next process that looks. Leases that
// ended long ago are forgotten.
func (db *DB) ReleaseWorkerLease(ctx context.Context, clientID string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE worker_leases SET expires_at = ? WHERE client_id = ?`, tx.now, clientID); err != nil {
			return translate(err, "worker lease")
		}
		_, err := tx.exec(ctx, `DELETE FROM worker_leases WHERE expires_at < ?`, tx.now.Add(-leaseMemory))
		return translate(err, "worker lease")
	})
}

// leaseMemory is how long an ended lease is kept: a job its client left
// running longer than that is the queue's own rescuer's to find.
const leaseMemory = 24 * time.Hour

// RescuedJobs counts what RescueOrphanedJobs did.
type RescuedJobs struct {
	Retried, Discarded, Cancelled int
}

// Total is how many jobs were rescued.
func (r RescuedJobs) Total() int { return r.Retried + r.Discarded + r.Cancelled }

// RescueOrphanedJobs puts back every job left running by a client other
// than self whose lease has ended: available at once when it has attempts
// left, a dead letter when it has not, cancelled when a cancel was asked
// for. Each gets an error entry saying so, as River's own rescuer writes.
func (db *DB) RescueOrphanedJobs(ctx context.Context, self string) (RescuedJobs, error) {
	var out RescuedJobs
	// Several processes rescue at once: on PostgreSQL each skips the jobs
	// another is rescuing (a job rescued twice could be put back while
	// its new attempt runs); SQLite's single writer serializes them.
	lastClient, lock := `j.attempted_by[array_length(j.attempted_by, 1)]`, ` FOR UPDATE OF j SKIP LOCKED`
	if db.Dialect == SQLite {
		lastClient, lock = `json_extract(j.attempted_by, '$[#-1]')`, ``
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT j.id, j.attempt, j.max_attempts, j.metadata, l.client_id
			FROM river_job j JOIN worker_leases l ON l.client_id = `+lastClient+`
			WHERE j.state = 'running' AND l.expires_at <= ? AND l.client_id <> ?
			ORDER BY j.id LIMIT 1000`+lock, tx.now, self)
		if err != nil {
			return translate(err, "orphaned jobs")
		}
		params := riverdriver.JobRescueManyParams{}
		for rows.Next() {
			var (
				id                   int64
				attempt, maxAttempts int
				metadata             []byte
				client               string
			)
			if err := rows.Scan(&id, &attempt, &maxAttempts, &metadata, &client); err != nil {
				rows.Close()
				return translate(err, "orphaned jobs")
			}
			var meta struct {
				CancelAttemptedAt *time.Time `json:"cancel_attempted_at"`
			}
			_ = json.Unmarshal(metadata, &meta) // unreadable metadata: not a cancel
			msg, err := json.Marshal(rivertype.AttemptError{At: tx.now, Attempt: max(attempt, 0),
				Error: fmt.Sprintf("rescued: the process working it (%s) stopped without finishing it", client)})
			if err != nil {
				rows.Close()
				return err
			}
			now := tx.now
			state, finalized := rivertype.JobStateAvailable, (*time.Time)(nil)
			switch {
			case meta.CancelAttemptedAt != nil:
				state, finalized = rivertype.JobStateCancelled, &now
				out.Cancelled++
			case attempt >= maxAttempts:
				state, finalized = rivertype.JobStateDiscarded, &now
				out.Discarded++
			default:
				out.Retried++
			}
			params.ID = append(params.ID, id)
			params.Error = append(params.Error, msg)
			params.FinalizedAt = append(params.FinalizedAt, finalized)
			params.ScheduledAt = append(params.ScheduledAt, now)
			params.State = append(params.State, string(state))
		}
		if err := rows.Close(); err != nil {
			return translate(err, "orphaned jobs")
		}
		if len(params.ID) == 0 {
			return nil
		}
		if _, err := db.RiverDriver().UnwrapExecutor(tx.SQL()).JobRescueMany(ctx, &params); err != nil {
			return fmt.Errorf("rescue orphaned jobs: %w", err)
		}
		return nil
	})
	return out, err
}
