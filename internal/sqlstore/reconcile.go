package sqlstore

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Stranded is work left in a non-final state with no job that will finish
// it: the jobs that were lost (a crash between attempts, a job rescued too
// late, an attempt still marked running by a process that is gone).
type Stranded struct {
	Emails, Deliveries int
}

// RequeueStranded enqueues a job for every email still "received" and
// every notification still "queued" since before, that no live job will
// process: none waiting, and none running that started within stale (a
// running attempt older than its kind's timeout belongs to a dead
// process). A job enqueued twice is harmless: processing an email or
// delivering a notification applies only while it is still in its
// non-final state.
func (db *DB) RequeueStranded(ctx context.Context, before time.Time, stale time.Duration) (Stranded, error) {
	var out Stranded
	err := db.inTx(ctx, func(tx *Tx) error {
		live, err := tx.liveJobArgs(ctx, stale, map[string]string{
			jobargs.EmailProcess{}.Kind(): "email_id", jobargs.NotifyDeliver{}.Kind(): "notification_id"})
		if err != nil {
			return err
		}
		for _, w := range []struct {
			query string
			job   func(tenantID, id string) jobargs.Args
			n     *int
		}{
			{`SELECT tenant_id, id FROM source_emails WHERE status = 'received' AND created_at < ? ORDER BY created_at LIMIT 1000`,
				func(t, id string) jobargs.Args { return jobargs.EmailProcess{Tenant: jobargs.For(t), EmailID: id} }, &out.Emails},
			{`SELECT tenant_id, id FROM notification_log WHERE status = 'queued' AND created_at < ? ORDER BY created_at LIMIT 1000`,
				func(t, id string) jobargs.Args {
					return jobargs.NotifyDeliver{Tenant: jobargs.For(t), NotificationID: id}
				}, &out.Deliveries},
		} {
			rows, err := tx.query(ctx, w.query, before.UTC())
			if err != nil {
				return translate(err, "stranded work")
			}
			var jobs []jobargs.Args
			for rows.Next() {
				var tenantID, id string
				if err := rows.Scan(&tenantID, &id); err != nil {
					rows.Close()
					return translate(err, "stranded work")
				}
				if !live[id] {
					jobs = append(jobs, w.job(tenantID, id))
				}
			}
			if err := rows.Close(); err != nil {
				return translate(err, "stranded work")
			}
			if err := tx.EnqueueAll(ctx, jobs); err != nil {
				return err
			}
			*w.n = len(jobs)
		}
		return nil
	})
	return out, err
}

// liveJobArgs returns the ids (read from each kind's argument) that a live
// job of one of kinds will work on: waiting, or running since less than
// stale.
func (tx *Tx) liveJobArgs(ctx context.Context, stale time.Duration, kinds map[string]string) (map[string]bool, error) {
	live := map[string]bool{}
	for kind, arg := range kinds {
		rows, err := tx.query(ctx, `SELECT args ->> '`+arg+`' FROM river_job WHERE kind = ?
			AND (state IN ('available', 'pending', 'retryable', 'scheduled') OR (state = 'running' AND attempted_at > ?))`,
			kind, tx.db.riverTime(tx.db.Now().Add(-stale)))
		if err != nil {
			return nil, translate(err, "live jobs")
		}
		for rows.Next() {
			var id *string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, translate(err, "live jobs")
			}
			if id != nil {
				live[*id] = true
			}
		}
		if err := rows.Close(); err != nil {
			return nil, translate(err, "live jobs")
		}
	}
	return live, nil
}
