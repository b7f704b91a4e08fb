package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

const notificationColumns = `n.id, n.tenant_id, n.ticket_id, t.number, n.kind, n.subject, n.threshold, n.channel, n.target,
	n.target_name, n.dedup_key, n.status, n.attempts, n.last_error, n.provider_ref, n.snapshot, n.created_at, n.updated_at, n.sent_at`

const notificationFrom = ` FROM notification_log n LEFT JOIN tickets t ON t.id = n.ticket_id AND t.tenant_id = n.tenant_id`

func scanNotification(r scanner) (dispatch.LogEntry, error) {
	var e dispatch.LogEntry
	var ticketID sql.NullString
	var number sql.NullInt64
	var snap string
	var sent sql.NullTime
	err := r.Scan(&e.ID, &e.TenantID, &ticketID, &number, &e.Kind, &e.Subject, &e.Threshold, &e.Channel, &e.Target,
		&e.TargetName, &e.DedupKey, &e.Status, &e.Attempts, &e.LastError, &e.ProviderRef, &snap, &e.CreatedAt, &e.UpdatedAt, &sent)
	if err != nil {
		return e, err
	}
	e.TicketID, e.SentAt = ticketID.String, nullTime(sent)
	if number.Valid {
		e.TicketKey = ticket.Key(number.Int64)
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(snap), &e.Snapshot); err != nil {
		return e, fmt.Errorf("notification %s: snapshot: %w", e.ID, err)
	}
	return e, nil
}

// prefixed qualifies every column of a column list with prefix ("u.").
func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// PlanNotifications inserts the entries whose dedup key the tenant has not
// logged yet, each with its job, in one transaction. A conflicting insert
// inserts nothing and so enqueues nothing: that is what makes planning the
// same delivery twice harmless.
func (db *DB) PlanNotifications(ctx context.Context, entries []dispatch.LogEntry, job func(dispatch.LogEntry) jobargs.Args) ([]dispatch.LogEntry, error) {
	var added []dispatch.LogEntry
	err := db.inTx(ctx, func(tx *Tx) error {
		added = added[:0]
		for _, e := range entries {
			snap, err := json.Marshal(e.Snapshot)
			if err != nil {
				return fmt.Errorf("notification %s: snapshot: %w", e.DedupKey, err)
			}
			var ticketID any
			if e.TicketID != "" {
				ticketID = e.TicketID
			}
			res, err := tx.exec(ctx, `INSERT INTO notification_log (id, tenant_id, ticket_id, kind, subject, threshold, channel,
				target, target_name, dedup_key, status, attempts, last_error, provider_ref, snapshot, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', '', ?, ?, ?) ON CONFLICT (tenant_id, dedup_key) DO NOTHING`,
				e.ID, e.TenantID, ticketID, string(e.Kind), e.Subject, e.Threshold, string(e.Channel), e.Target, e.TargetName,
				e.DedupKey, string(e.Status), string(snap), e.CreatedAt.UTC(), e.UpdatedAt.UTC())
			if err != nil {
				return translate(err, "notification")
			}
			n, err := res.RowsAffected()
			if err != nil {
				return translate(err, "notification")
			}
			if n == 0 {
				continue // already planned
			}
			added = append(added, e)
			if j := job(e); j != nil {
				if err := tx.Enqueue(ctx, j); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return added, err
}

// Notification returns one entry of a tenant's log.
func (db *DB) Notification(ctx context.Context, tenantID, id string) (dispatch.LogEntry, error) {
	e, err := scanNotification(db.reader().queryRow(ctx, `SELECT `+notificationColumns+notificationFrom+
		` WHERE n.tenant_id = ? AND n.id = ?`, tenantID, id))
	if err != nil {
		return dispatch.LogEntry{}, translate(err, "notification")
	}
	return e, nil
}

// ListNotifications pages through a tenant's log, newest first.
func (db *DB) ListNotifications(ctx context.Context, tenantID string, f dispatch.Filter) ([]dispatch.LogEntry, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := &conds{where: []string{"n.tenant_id = ?"}, args: []any{tenantID}}
	if f.Status != "" {
		c.add("n.status = ?", string(f.Status))
	}
	if f.Channel != "" {
		c.add("n.channel = ?", string(f.Channel))
	}
	if f.TicketNumber > 0 {
		c.add("t.number = ?", f.TicketNumber)
	}
	if keys != nil {
		at, err := time.Parse(time.RFC3339Nano, keys[0])
		if err != nil {
			return nil, "", apperr.Invalidf("cursor is not valid")
		}
		c.add("(n.created_at < ? OR (n.created_at = ? AND n.id < ?))", at, at, keys[1])
	}
	limit := clampLimit(f.Limit)
	out, err := queryAll(ctx, db.reader(), "notifications", scanNotification, `SELECT `+notificationColumns+notificationFrom+
		` WHERE `+c.sql()+` ORDER BY n.created_at DESC, n.id DESC LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(last.CreatedAt.Format(time.RFC3339Nano), last.ID)
	}
	return out, next, nil
}

// RecordNotificationAttempt counts an attempt and writes its outcome; an
// entry already sent is left as it is.
func (db *DB) RecordNotificationAttempt(ctx context.Context, o dispatch.Outcome) error {
	var sent any
	if o.Status == dispatch.Sent {
		sent = o.At.UTC()
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE notification_log SET status = ?, attempts = attempts + 1, last_error = ?,
			provider_ref = ?, updated_at = ?, sent_at = ? WHERE tenant_id = ? AND id = ? AND status <> ?`,
			string(o.Status), o.LastError, o.ProviderRef, o.At.UTC(), sent, o.TenantID, o.ID, string(dispatch.Sent))
		if err != nil {
			return translate(err, "notification")
		}
		_, err = res.RowsAffected()
		return translate(err, "notification")
	})
}

// ReplayNotification puts a failed or dead entry back to queued and
// enqueues job, with ev, in one transaction.
func (db *DB) ReplayNotification(ctx context.Context, tenantID, id string, at time.Time, ev audit.Event, job jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE notification_log SET status = ?, updated_at = ? WHERE tenant_id = ? AND id = ?
			AND status IN (?, ?)`, string(dispatch.Queued), at.UTC(), tenantID, id, string(dispatch.Failed), string(dispatch.Dead))
		if err := mustAffect(res, err, "notification"); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.E(apperr.Conflict, "the notification is no longer failed or dead; reload the log")
			}
			return err
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		return tx.Enqueue(ctx, job)
	})
}

// PlannedTicketEvents returns the keys (notify.Event.Key) of the tickets'
// events that have log entries.
func (db *DB) PlannedTicketEvents(ctx context.Context, tenantID string, ticketIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(ticketIDs); start += 500 {
		chunk := ticketIDs[start:min(start+500, len(ticketIDs))]
		args := append([]any{tenantID}, anySlice(chunk)...)
		keys, err := queryAll(ctx, db.reader(), "notifications", func(r scanner) (string, error) {
			var e notify.Event
			err := r.Scan(&e.Kind, &e.Subject, &e.Threshold)
			return e.Key(), err
		}, `SELECT DISTINCT kind, subject, threshold FROM notification_log WHERE tenant_id = ? AND ticket_id IN (`+
			placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			out[k] = true
		}
	}
	return out, nil
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
