package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The store keeps the tracker issues' mirror.
var _ link.MirrorStore = (*DB)(nil)

// SaveTrackerMirror upserts a mirror unless the stored one was changed
// later by the tracker.
func (db *DB) SaveTrackerMirror(ctx context.Context, m link.Mirror) (bool, error) {
	labels, assignees, snapshot, err := mirrorJSON(m)
	if err != nil {
		return false, err
	}
	written := false
	err = db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `INSERT INTO tracker_issue_mirrors (link_id, tenant_id, connection_id, issue_key, title, body,
			state, status_name, status_category, labels, assignees, due_date, external_updated_at, local_updated_at,
			last_synced, sync_status, sync_conflict, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (link_id) DO UPDATE SET connection_id = excluded.connection_id, issue_key = excluded.issue_key,
			title = excluded.title, body = excluded.body, state = excluded.state, status_name = excluded.status_name,
			status_category = excluded.status_category, labels = excluded.labels, assignees = excluded.assignees,
			due_date = excluded.due_date,
			external_updated_at = COALESCE(excluded.external_updated_at, tracker_issue_mirrors.external_updated_at),
			last_synced = excluded.last_synced, sync_status = excluded.sync_status, updated_at = excluded.updated_at
			WHERE tracker_issue_mirrors.tenant_id = excluded.tenant_id AND (excluded.external_updated_at IS NULL
				OR tracker_issue_mirrors.external_updated_at IS NULL
				OR excluded.external_updated_at >= tracker_issue_mirrors.external_updated_at)`,
			m.LinkID, m.TenantID, m.ConnectionID, m.IssueKey, m.Title, m.Body, m.State, m.StatusName,
			string(m.StatusCategory), labels, assignees, m.DueDate, timeOrNil(m.ExternalUpdatedAt), m.LocalUpdatedAt.UTC(),
			snapshot, m.SyncStatus, m.SyncConflict, m.LocalUpdatedAt.UTC())
		if err != nil {
			return translate(err, "tracker mirror")
		}
		n, err := res.RowsAffected()
		written = n > 0
		return translate(err, "tracker mirror")
	})
	return written, err
}

func mirrorJSON(m link.Mirror) (labels, assignees, snapshot string, err error) {
	enc := func(v any) string {
		if err != nil {
			return ""
		}
		var b []byte
		b, err = json.Marshal(v)
		return string(b)
	}
	nonNil := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	labels, assignees, snapshot = enc(nonNil(m.Labels)), enc(nonNil(m.Assignees)), enc(m.LastSynced)
	return labels, assignees, snapshot, err
}

// TrackerMirror returns the mirror of a tenant's link.
func (db *DB) TrackerMirror(ctx context.Context, tenantID, linkID string) (link.Mirror, error) {
	var m link.Mirror
	var labels, assignees, snapshot string
	var ext sql.NullTime
	err := db.reader().queryRow(ctx, `SELECT link_id, tenant_id, connection_id, issue_key, title, body, state, status_name,
		status_category, labels, assignees, due_date, external_updated_at, local_updated_at, last_synced, sync_status,
		sync_conflict FROM tracker_issue_mirrors WHERE tenant_id = ? AND link_id = ?`, tenantID, linkID).
		Scan(&m.LinkID, &m.TenantID, &m.ConnectionID, &m.IssueKey, &m.Title, &m.Body, &m.State, &m.StatusName,
			&m.StatusCategory, &labels, &assignees, &m.DueDate, &ext, &m.LocalUpdatedAt, &snapshot, &m.SyncStatus,
			&m.SyncConflict)
	if err != nil {
		return link.Mirror{}, translate(err, "tracker mirror")
	}
	m.ExternalUpdatedAt, m.LocalUpdatedAt = nullTime(ext), m.LocalUpdatedAt.UTC()
	m.Labels, m.Assignees = parseList(labels), parseList(assignees)
	if err := json.Unmarshal([]byte(snapshot), &m.LastSynced); err != nil {
		return link.Mirror{}, err
	}
	return m, nil
}

// mirrorStatuses writes the status a sync read into the mirrors of the
// changed links (not of those whose issue went missing), creating a
// mirror that does not exist yet, in the sync's transaction, right after
// the links' own update (which stamped their updated_at).
func (tx *Tx) mirrorStatuses(ctx context.Context, tenantID string, changes []link.StatusChange) error {
	var rows []string
	var args []any
	for _, c := range changes {
		if c.LastError != "" {
			continue
		}
		state := "open"
		if c.StatusCategory == tracker.Done {
			state = "closed"
		}
		rows = append(rows, "(?, ?, ?, ?)")
		args = append(args, c.LinkID, state, c.StatusName, string(c.StatusCategory))
	}
	if len(rows) == 0 {
		return nil
	}
	args = append(args, tenantID)
	_, err := tx.exec(ctx, `INSERT INTO tracker_issue_mirrors (link_id, tenant_id, connection_id, issue_key, state,
		status_name, status_category, local_updated_at, updated_at)
		SELECT l.id, l.tenant_id, l.connection_id, l.issue_key, v.column2, v.column3, v.column4, l.updated_at, l.updated_at
		FROM ticket_tracker_links l JOIN (VALUES `+strings.Join(rows, ", ")+`) AS v ON v.column1 = l.id
		WHERE l.tenant_id = ?
		ON CONFLICT (link_id) DO UPDATE SET state = excluded.state, status_name = excluded.status_name,
		status_category = excluded.status_category, updated_at = excluded.updated_at`, args...)
	return translate(err, "tracker mirrors")
}
