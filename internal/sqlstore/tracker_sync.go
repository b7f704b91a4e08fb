package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The store keeps the sync log and the connections' sync settings.
var _ link.SyncLogStore = (*DB)(nil)

// TrackerSyncSettings returns a connection's sync settings, the defaults
// when none were saved.
func (db *DB) TrackerSyncSettings(ctx context.Context, tenantID, connectionID string) (link.SyncSettings, error) {
	st := link.DefaultSyncSettings(connectionID)
	var at sql.NullTime
	var labels sql.NullString
	err := db.reader().queryRow(ctx, `SELECT delete_policy, close_with_ticket, in_progress_labels, in_progress_when_assigned,
		updated_at, updated_by FROM tracker_sync_settings WHERE tenant_id = ? AND connection_id = ?`, tenantID, connectionID).
		Scan(&st.DeletePolicy, &st.CloseWithTicket, &labels, &st.InProgressWhenAssigned, &at, &st.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, translate(err, "tracker sync settings")
	}
	st.UpdatedAt = nullTime(at)
	if labels.Valid {
		// NULL (saved before the rule existed) keeps the default list.
		st.InProgressLabels = []string{}
		if err := json.Unmarshal([]byte(labels.String), &st.InProgressLabels); err != nil {
			return st, fmt.Errorf("tracker sync settings of %s: in-progress labels: %w", connectionID, err)
		}
	}
	return st, nil
}

// SaveTrackerSyncSettings stores a connection's sync settings with ev.
func (db *DB) SaveTrackerSyncSettings(ctx context.Context, tenantID string, st link.SyncSettings, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		list := st.InProgressLabels
		if list == nil {
			list = []string{}
		}
		labels, err := json.Marshal(list)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO tracker_sync_settings (connection_id, tenant_id, delete_policy, close_with_ticket,
			in_progress_labels, in_progress_when_assigned, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (connection_id) DO UPDATE SET
			delete_policy = excluded.delete_policy, close_with_ticket = excluded.close_with_ticket,
			in_progress_labels = excluded.in_progress_labels, in_progress_when_assigned = excluded.in_progress_when_assigned,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by
			WHERE tracker_sync_settings.tenant_id = excluded.tenant_id`,
			st.ConnectionID, tenantID, string(st.DeletePolicy), st.CloseWithTicket, string(labels), st.InProgressWhenAssigned,
			timeOrNil(st.UpdatedAt), st.UpdatedBy)
		if err != nil {
			return translate(err, "tracker sync settings")
		}
		return tx.Audit(ctx, ev)
	})
}

// insertSyncLog writes sync log entries.
func (tx *Tx) insertSyncLog(ctx context.Context, es []link.SyncLogEntry) error {
	for _, e := range es {
		fields, err := json.Marshal(e.Fields)
		if err != nil {
			return err
		}
		before, err := json.Marshal(e.Before)
		if err != nil {
			return err
		}
		after, err := json.Marshal(e.After)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO tracker_sync_log (id, tenant_id, link_id, connection_id, issue_key, direction,
			action, fields, before_state, after_state, provider, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.TenantID, e.LinkID, e.ConnectionID, e.IssueKey, e.Direction, e.Action, string(fields), string(before),
			string(after), e.Provider, e.Source, e.At.UTC()); err != nil {
			return translate(err, "tracker sync log")
		}
	}
	return nil
}

const syncLogColumns = `id, tenant_id, link_id, connection_id, issue_key, direction, action, fields, before_state,
	after_state, provider, source, created_at`

func scanSyncLog(r scanner) (link.SyncLogEntry, error) {
	var e link.SyncLogEntry
	var fields, before, after string
	if err := r.Scan(&e.ID, &e.TenantID, &e.LinkID, &e.ConnectionID, &e.IssueKey, &e.Direction, &e.Action, &fields,
		&before, &after, &e.Provider, &e.Source, &e.At); err != nil {
		return e, err
	}
	e.At = e.At.UTC()
	e.Fields = parseList(fields)
	// Written only by insertSyncLog from maps: they decode.
	_ = json.Unmarshal([]byte(before), &e.Before)
	_ = json.Unmarshal([]byte(after), &e.After)
	return e, nil
}

// TrackerSyncLog lists a tenant's (or a link's) sync log, newest first.
func (db *DB) TrackerSyncLog(ctx context.Context, tenantID string, f link.SyncLogFilter) ([]link.SyncLogEntry, string, error) {
	c := tenantScoped(tenantID)
	c.eq("link_id", f.LinkID)
	return newestFirst(ctx, db, "tracker sync log", syncLogColumns, "tracker_sync_log", c, f.Cursor, f.Limit, scanSyncLog,
		func(e link.SyncLogEntry) string { return e.ID })
}

// insertOutbox queues outbox rows.
func (tx *Tx) insertOutbox(ctx context.Context, items []link.OutboxItem) error {
	for _, o := range items {
		fields, err := json.Marshal(o.Fields)
		if err != nil {
			return err
		}
		change, err := json.Marshal(o.Change)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO tracker_outbox (id, tenant_id, link_id, connection_id, fields, change, reason,
			status, attempts, next_attempt_at, last_error, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, o.TenantID, o.LinkID, o.ConnectionID, string(fields), string(change), o.Reason, o.Status, o.Attempts,
			o.NextAttempt.UTC(), o.LastError, o.CreatedBy, o.CreatedAt.UTC(), o.UpdatedAt.UTC()); err != nil {
			return translate(err, "tracker outbox")
		}
	}
	return nil
}

// The store keeps the outbox.
var _ link.OutboxStore = (*DB)(nil)

const outboxColumns = `id, tenant_id, link_id, connection_id, fields, change, reason, status, attempts, next_attempt_at,
	last_error, created_by, created_at, updated_at, pushed_at`

func scanOutbox(r scanner) (link.OutboxItem, error) {
	var o link.OutboxItem
	var fields, change string
	var pushed sql.NullTime
	if err := r.Scan(&o.ID, &o.TenantID, &o.LinkID, &o.ConnectionID, &fields, &change, &o.Reason, &o.Status, &o.Attempts,
		&o.NextAttempt, &o.LastError, &o.CreatedBy, &o.CreatedAt, &o.UpdatedAt, &pushed); err != nil {
		return o, err
	}
	o.Fields = parseList(fields)
	_ = json.Unmarshal([]byte(change), &o.Change) // written only by insertOutbox
	o.NextAttempt, o.CreatedAt, o.UpdatedAt, o.PushedAt = o.NextAttempt.UTC(), o.CreatedAt.UTC(), o.UpdatedAt.UTC(), nullTime(pushed)
	return o, nil
}

// DueTrackerOutbox lists a link's pending rows due at now, oldest first.
func (db *DB) DueTrackerOutbox(ctx context.Context, tenantID, linkID string, now time.Time) ([]link.OutboxItem, error) {
	return queryAll(ctx, db.reader(), "tracker outbox", scanOutbox, `SELECT `+outboxColumns+` FROM tracker_outbox
		WHERE tenant_id = ? AND link_id = ? AND status = 'pending' AND next_attempt_at <= ? ORDER BY created_at, id`,
		tenantID, linkID, now.UTC())
}

// FinishTrackerPush records a push attempt: the rows and, when w is set,
// the mirror write, in one transaction.
func (db *DB) FinishTrackerPush(ctx context.Context, rows []link.OutboxItem, w *link.MirrorWrite, evs []audit.Event, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if w != nil {
			if err := tx.writeMirror(ctx, *w); err != nil {
				return err
			}
		}
		for _, o := range rows {
			if _, err := tx.exec(ctx, `UPDATE tracker_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,
				updated_at = ?, pushed_at = ? WHERE tenant_id = ? AND id = ?`, o.Status, o.Attempts, o.NextAttempt.UTC(),
				o.LastError, o.UpdatedAt.UTC(), timeOrNil(o.PushedAt), o.TenantID, o.ID); err != nil {
				return translate(err, "tracker outbox")
			}
		}
		if err := tx.AuditAll(ctx, evs); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, jobs)
	})
}

// TrackerOutbox lists a tenant's outbox rows, newest first.
func (db *DB) TrackerOutbox(ctx context.Context, tenantID string, f link.OutboxFilter) ([]link.OutboxItem, string, error) {
	c := tenantScoped(tenantID)
	c.eq("status", f.Status)
	c.eq("link_id", f.LinkID)
	return newestFirst(ctx, db, "tracker outbox", outboxColumns, "tracker_outbox", c, f.Cursor, f.Limit, scanOutbox,
		func(o link.OutboxItem) string { return o.ID })
}

// RetryTrackerOutbox puts a link's failed rows back to pending, due at at.
func (db *DB) RetryTrackerOutbox(ctx context.Context, tenantID, linkID string, at time.Time, ev audit.Event, job jobargs.Args) ([]link.OutboxItem, error) {
	var out []link.OutboxItem
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx.conn, "tracker outbox", scanOutbox, `UPDATE tracker_outbox SET status = 'pending', attempts = 0,
			next_attempt_at = ?, last_error = '', updated_at = ? WHERE tenant_id = ? AND link_id = ? AND status = 'failed'
			RETURNING `+outboxColumns, at.UTC(), at.UTC(), tenantID, linkID)
		if err != nil || len(out) == 0 {
			return err
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		return tx.Enqueue(ctx, job)
	})
	return out, err
}

// DueTrackerPushes lists the links of every tenant with a pending row due.
func (db *DB) DueTrackerPushes(ctx context.Context, now time.Time) ([]jobargs.TrackerPush, error) {
	return queryAll(ctx, db.reader(), "tracker outbox", func(r scanner) (jobargs.TrackerPush, error) {
		var p jobargs.TrackerPush
		return p, r.Scan(&p.TenantID, &p.LinkID)
	}, `SELECT DISTINCT tenant_id, link_id FROM tracker_outbox WHERE status = 'pending' AND next_attempt_at <= ?
		ORDER BY tenant_id, link_id`, now.UTC())
}
