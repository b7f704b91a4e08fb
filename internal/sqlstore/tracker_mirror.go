package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The store keeps the tracker issues' mirror.
var _ link.MirrorStore = (*DB)(nil)

// The store writes a ticket change with the mirror writes it causes.

const mirrorColumns = `link_id, tenant_id, connection_id, issue_key, title, body, state, status_name, status_category,
	labels, assignees, due_date, external_updated_at, local_updated_at, last_synced, sync_status, sync_conflict, revision`

func scanMirror(r scanner) (link.Mirror, error) {
	var m link.Mirror
	var labels, assignees, snapshot, conflict string
	var ext sql.NullTime
	err := r.Scan(&m.LinkID, &m.TenantID, &m.ConnectionID, &m.IssueKey, &m.Title, &m.Body, &m.State, &m.StatusName,
		&m.StatusCategory, &labels, &assignees, &m.DueDate, &ext, &m.LocalUpdatedAt, &snapshot, &m.SyncStatus,
		&conflict, &m.Revision)
	if err != nil {
		return link.Mirror{}, err
	}
	m.ExternalUpdatedAt, m.LocalUpdatedAt = nullTime(ext), m.LocalUpdatedAt.UTC()
	m.Labels, m.Assignees = parseList(labels), parseList(assignees)
	if err := json.Unmarshal([]byte(snapshot), &m.LastSynced); err != nil {
		return link.Mirror{}, err
	}
	if conflict != "" {
		m.SyncConflict = new(link.SyncConflict)
		if err := json.Unmarshal([]byte(conflict), m.SyncConflict); err != nil {
			return link.Mirror{}, err
		}
	}
	return m, nil
}

// TrackerMirror returns the mirror of a tenant's link.
func (db *DB) TrackerMirror(ctx context.Context, tenantID, linkID string) (link.Mirror, error) {
	m, err := scanMirror(db.reader().queryRow(ctx, `SELECT `+mirrorColumns+` FROM tracker_issue_mirrors
		WHERE tenant_id = ? AND link_id = ?`, tenantID, linkID))
	return m, translate(err, "tracker mirror")
}

// TrackerMirrors lists the mirrors of a ticket's links.
func (db *DB) TrackerMirrors(ctx context.Context, tenantID, ticketID string) ([]link.Mirror, error) {
	return queryAll(ctx, db.reader(), "tracker mirrors", scanMirror, `SELECT `+mirrorColumns+` FROM tracker_issue_mirrors
		WHERE tenant_id = ? AND link_id IN (SELECT id FROM ticket_tracker_links WHERE tenant_id = ? AND ticket_id = ?)
		ORDER BY issue_key, link_id`, tenantID, tenantID, ticketID)
}

// TrackerConflicts lists a tenant's mirrors in conflict, oldest first.
func (db *DB) TrackerConflicts(ctx context.Context, tenantID string, limit int) ([]link.Mirror, error) {
	return queryAll(ctx, db.reader(), "tracker mirrors", scanMirror, `SELECT `+mirrorColumns+` FROM tracker_issue_mirrors
		WHERE tenant_id = ? AND sync_status = 'conflict' ORDER BY updated_at, link_id LIMIT ?`, tenantID, limit)
}

// WriteTrackerMirror writes a mirror if it is still at the revision its
// write was computed from, with its log entries, audit rows, jobs and
// outbox rows, in one transaction.
func (db *DB) WriteTrackerMirror(ctx context.Context, w link.MirrorWrite) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.writeMirror(ctx, w) })
}

// writeMirror is WriteTrackerMirror in tx.
func (tx *Tx) writeMirror(ctx context.Context, w link.MirrorWrite) error {
	m := w.Mirror
	labels, assignees, snapshot, conflict, err := mirrorJSON(m)
	if err != nil {
		return err
	}
	var res sql.Result
	if w.Create {
		res, err = tx.exec(ctx, `INSERT INTO tracker_issue_mirrors (link_id, tenant_id, connection_id, issue_key, title,
			body, state, status_name, status_category, labels, assignees, due_date, external_updated_at,
			local_updated_at, last_synced, sync_status, sync_conflict, revision, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (link_id) DO NOTHING`,
			m.LinkID, m.TenantID, m.ConnectionID, m.IssueKey, m.Title, m.Body, m.State, m.StatusName,
			string(m.StatusCategory), labels, assignees, m.DueDate, timeOrNil(m.ExternalUpdatedAt),
			m.LocalUpdatedAt.UTC(), snapshot, m.SyncStatus, conflict, w.At.UTC())
	} else {
		res, err = tx.exec(ctx, `UPDATE tracker_issue_mirrors SET connection_id = ?, issue_key = ?, title = ?, body = ?,
			state = ?, status_name = ?, status_category = ?, labels = ?, assignees = ?, due_date = ?,
			external_updated_at = ?, local_updated_at = ?, last_synced = ?, sync_status = ?, sync_conflict = ?,
			revision = revision + 1, updated_at = CASE WHEN sync_status = ? THEN updated_at ELSE ? END
			WHERE tenant_id = ? AND link_id = ? AND revision = ?`,
			m.ConnectionID, m.IssueKey, m.Title, m.Body, m.State, m.StatusName, string(m.StatusCategory), labels,
			assignees, m.DueDate, timeOrNil(m.ExternalUpdatedAt), m.LocalUpdatedAt.UTC(), snapshot, m.SyncStatus,
			conflict, m.SyncStatus, w.At.UTC(), m.TenantID, m.LinkID, w.Revision)
	}
	if err != nil {
		return translate(err, "tracker mirror")
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return translate(err, "tracker mirror")
		}
		return apperr.E(apperr.Conflict, "the tracker mirror changed meanwhile")
	}
	if err := tx.insertSyncLog(ctx, w.Log); err != nil {
		return err
	}
	if w.SettleOutbox {
		if _, err := tx.exec(ctx, `UPDATE tracker_outbox SET status = 'cancelled', updated_at = ?
			WHERE tenant_id = ? AND link_id = ? AND status IN ('pending', 'failed')`,
			w.At.UTC(), m.TenantID, m.LinkID); err != nil {
			return translate(err, "tracker outbox")
		}
	}
	if err := tx.insertOutbox(ctx, w.Outbox); err != nil {
		return err
	}
	if err := tx.AuditAll(ctx, w.Events); err != nil {
		return err
	}
	return tx.EnqueueAll(ctx, w.Jobs)
}

func mirrorJSON(m link.Mirror) (labels, assignees, snapshot, conflict string, err error) {
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
	if m.SyncConflict != nil {
		conflict = enc(m.SyncConflict)
	}
	return labels, assignees, snapshot, conflict, err
}

// mirrorStatuses writes the status a sync read into the mirrors of the
// changed links (not of those whose issue went missing), creating a
// mirror that does not exist yet, in the sync's transaction, right after
// the links' own update (which stamped their updated_at). A status search
// tells no fields, so an existing mirror keeps its fields (its state
// included, which only a merge of the tracker's fields moves); a new one
// starts with the state in both its fields and its snapshot.
func (tx *Tx) mirrorStatuses(ctx context.Context, tenantID string, changes []link.StatusChange) error {
	var ids, states, names, cats, snaps []string
	snapOf := map[string]string{} // a new mirror's snapshot, by state
	for _, c := range changes {
		if c.LastError != "" {
			continue
		}
		state := "open"
		if c.StatusCategory == tracker.Done {
			state = "closed"
		}
		snap, ok := snapOf[state]
		if !ok {
			b, err := json.Marshal(tracker.IssueFields{State: state, Labels: []string{}, Assignees: []string{}})
			if err != nil {
				return err
			}
			snap = string(b)
			snapOf[state] = snap
		}
		ids, states, names = append(ids, c.LinkID), append(states, state), append(names, c.StatusName)
		cats, snaps = append(cats, string(c.StatusCategory)), append(snaps, snap)
	}
	if len(ids) == 0 {
		return nil
	}
	// PostgreSQL takes the rows as arrays, in one statement however many:
	// joining the links costs it a scan of the tenant's links per
	// statement.
	// Mirrors that exist are updated in place, which touches no index;
	// only missing ones are inserted (by the same rule, should one appear
	// meanwhile). The links are read only when some mirror is missing.
	res, err := tx.exec(ctx, `UPDATE tracker_issue_mirrors SET status_name = v.column2, status_category = v.column3,
		revision = revision + 1
		FROM `+tx.rowsOf(ids, names, cats)+`
		WHERE tracker_issue_mirrors.tenant_id = ? AND tracker_issue_mirrors.link_id = v.column1`,
		append(tx.rowArgs(ids, names, cats), tenantID)...)
	if err != nil {
		return translate(err, "tracker mirrors")
	}
	if n, err := res.RowsAffected(); err == nil && n == int64(len(ids)) {
		return nil
	}
	_, err = tx.exec(ctx, `INSERT INTO tracker_issue_mirrors (link_id, tenant_id, connection_id, issue_key, state,
		status_name, status_category, local_updated_at, last_synced, revision, updated_at)
		SELECT l.id, l.tenant_id, l.connection_id, l.issue_key, v.column2, v.column3, v.column4, l.updated_at, v.column5, 1,
		l.updated_at
		FROM ticket_tracker_links l JOIN `+tx.rowsOf(ids, states, names, cats, snaps)+` ON v.column1 = l.id
		WHERE l.tenant_id = ? AND NOT EXISTS (SELECT 1 FROM tracker_issue_mirrors m WHERE m.link_id = l.id)
		ON CONFLICT (link_id) DO UPDATE SET status_name = excluded.status_name,
		status_category = excluded.status_category, revision = tracker_issue_mirrors.revision + 1`,
		append(tx.rowArgs(ids, states, names, cats, snaps), tenantID)...)
	return translate(err, "tracker mirrors")
}
