package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// SetAcceptPressure records that accepts queue for the database until
// until; with several web processes, the latest of their times stands.
func (db *DB) SetAcceptPressure(ctx context.Context, until time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO ingest_accept_pressure (id, until_ms) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET until_ms = CASE WHEN excluded.until_ms > ingest_accept_pressure.until_ms
				THEN excluded.until_ms ELSE ingest_accept_pressure.until_ms END`, until.UnixMilli())
		return translate(err, "ingest accept pressure")
	})
}

// AcceptPressure returns until when accepts queue for the database (the
// zero time when no web process has said so).
func (db *DB) AcceptPressure(ctx context.Context) (time.Time, error) {
	var ms int64
	err := db.reader().queryRow(ctx, `SELECT until_ms FROM ingest_accept_pressure WHERE id = 1`).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, translate(err, "ingest accept pressure")
	}
	return time.UnixMilli(ms).UTC(), nil
}
