package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// The job queue's tables (river_job, river_leader) belong to River; the job
// package reads them through River's client. This file holds the few
// engine differences that leak through.

// riverTime returns t as a query argument comparable with River's lease
// timestamps: PostgreSQL stores timestamptz, while River's SQLite driver
// stores text in exactly this millisecond format (others compare wrongly).
func (db *DB) riverTime(t time.Time) any {
	if db.Dialect == SQLite {
		return t.UTC().Round(time.Millisecond).Format("2006-01-02 15:04:05.999")
	}
	return t.UTC()
}

// QueueLeader returns the id of the job queue client currently elected
// leader (the one that enqueues periodic jobs), or "" when none is.
func (db *DB) QueueLeader(ctx context.Context) (string, error) {
	var id string
	err := db.reader().queryRow(ctx, `SELECT leader_id FROM river_leader WHERE expires_at > ?`, db.riverTime(db.Now())).Scan(&id)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return id, translate(err, "queue leader")
}
