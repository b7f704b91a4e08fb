package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The store keeps the polling cursors.
var _ link.PollStore = (*DB)(nil)

// TrackerPollTargets lists the distinct targets the tenant's applications
// route to the connection (an application that names none routes to the
// tenant's first).
func (db *DB) TrackerPollTargets(ctx context.Context, tenantID, connectionID string) ([]string, error) {
	rows, err := db.reader().query(ctx, `SELECT DISTINCT tracker_project_key FROM applications
		WHERE tenant_id = ? AND creates_tracker_issue = TRUE AND tracker_project_key <> ''
		AND (tracker_connection_id = ? OR (tracker_connection_id = '' AND ? = (SELECT c.id FROM tracker_connections c
			WHERE c.tenant_id = applications.tenant_id ORDER BY c.created_at, c.id LIMIT 1)))
		ORDER BY tracker_project_key`, tenantID, connectionID, connectionID)
	if err != nil {
		return nil, translate(err, "tracker poll targets")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, translate(err, "tracker poll targets")
		}
		out = append(out, t)
	}
	return out, translate(rows.Err(), "tracker poll targets")
}

// TrackerPollCursor returns a target's cursor.
func (db *DB) TrackerPollCursor(ctx context.Context, tenantID, connectionID, target string) (time.Time, bool, error) {
	var at time.Time
	err := db.reader().queryRow(ctx, `SELECT cursor_at FROM tracker_poll_cursors
		WHERE tenant_id = ? AND connection_id = ? AND target = ?`, tenantID, connectionID, target).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, translate(err, "tracker poll cursor")
	}
	return at.UTC(), true, nil
}

// SaveTrackerPollCursor moves a target's cursor forward (never back).
func (db *DB) SaveTrackerPollCursor(ctx context.Context, tenantID, connectionID, target string, at, polledAt time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO tracker_poll_cursors (tenant_id, connection_id, target, cursor_at, polled_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (connection_id, target) DO UPDATE SET
			cursor_at = excluded.cursor_at, polled_at = excluded.polled_at
			WHERE tracker_poll_cursors.tenant_id = excluded.tenant_id
			AND tracker_poll_cursors.cursor_at <= excluded.cursor_at`,
			tenantID, connectionID, target, at.UTC(), polledAt.UTC())
		return translate(err, "tracker poll cursor")
	})
}

// TrackerPollConnections lists every tenant's enabled connections.
func (db *DB) TrackerPollConnections(ctx context.Context) ([]jobargs.TrackerPoll, error) {
	rows, err := db.reader().query(ctx, `SELECT tenant_id, id FROM tracker_connections WHERE enabled = TRUE
		ORDER BY tenant_id, id`)
	if err != nil {
		return nil, translate(err, "tracker connections")
	}
	defer rows.Close()
	var out []jobargs.TrackerPoll
	for rows.Next() {
		var tenant, id string
		if err := rows.Scan(&tenant, &id); err != nil {
			return nil, translate(err, "tracker connections")
		}
		out = append(out, jobargs.TrackerPoll{Tenant: jobargs.For(tenant), ConnectionID: id})
	}
	return out, translate(rows.Err(), "tracker connections")
}
