package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// enabledSubscriptions are a tenant's subscriptions that take deliveries.
func (tx *Tx) enabledSubscriptions(ctx context.Context, tenantID string) ([]ingest.Subscription, error) {
	return queryAll(ctx, tx.conn, "subscriptions", scanSubscription, `SELECT `+subscriptionColumns+` FROM ingest_subscriptions
		WHERE tenant_id = ? AND enabled = ? ORDER BY id`, tenantID, true)
}

// deliveryRow is a delivery queued by a normalization.
type deliveryRow struct {
	sub      string
	n        *ingest.NormalizedEvent
	revision int
}

// deliveryCols is how many values one queued delivery inserts.
const deliveryCols = 12

// queueDeliveries inserts the queued deliveries (skipping any already
// queued for the same subscription and webhook-id) and supersedes the
// same events' older deliveries still pending.
func (tx *Tx) queueDeliveries(ctx context.Context, tenantID string, rows []deliveryRow) error {
	for _, r := range rows {
		if r.revision <= 1 {
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE ingest_deliveries SET status = 'superseded', claimed_until = NULL, next_attempt_at = NULL,
			updated_at = ? WHERE tenant_id = ? AND subscription_id = ? AND ingest_id = ? AND status = 'pending' AND revision < ?`,
			r.n.NormalizedAt.UTC(), tenantID, r.sub, r.n.IngestID, r.revision); err != nil {
			return translate(err, "delivery")
		}
	}
	const chunk = 200
	for len(rows) > 0 {
		part := rows[:min(chunk, len(rows))]
		rows = rows[len(part):]
		args := make([]any, 0, len(part)*deliveryCols)
		for _, r := range part {
			at := r.n.NormalizedAt.UTC()
			args = append(args, ident.New(), tenantID, r.sub, r.n.IngestID, r.revision, ingest.MessageID(r.n.IngestID, r.revision),
				r.n.EventType, r.n.VendorID, string(ingest.DeliveryPending), at, at, at)
		}
		if _, err := tx.exec(ctx, `INSERT INTO ingest_deliveries (id, tenant_id, subscription_id, ingest_id, revision, message_id,
			event_type, vendor_id, status, next_attempt_at, created_at, updated_at) VALUES `+valueRows(len(part), deliveryCols)+`
			ON CONFLICT (subscription_id, message_id) DO NOTHING`, args...); err != nil {
			return translate(err, "delivery")
		}
	}
	return nil
}

const eventDeliveryColumns = `d.id, d.tenant_id, d.subscription_id, d.ingest_id, d.revision, d.message_id, d.event_type, d.vendor_id, d.status,
	d.attempts, d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.updated_at, d.delivered_at`

func scanEventDelivery(r scanner, extra ...any) (ingest.EventDelivery, error) {
	var d ingest.EventDelivery
	var next, done sql.NullTime
	var st string
	err := r.Scan(append([]any{&d.ID, &d.TenantID, &d.SubscriptionID, &d.IngestID, &d.Revision, &d.MessageID, &d.EventType, &d.VendorID,
		&st, &d.Attempts, &next, &d.LastStatusCode, &d.LastError, &d.CreatedAt, &d.UpdatedAt, &done}, extra...)...)
	d.Status, d.NextAttemptAt, d.DeliveredAt = ingest.DeliveryStatus(st), nullTime(next), nullTime(done)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

// ListDeliveries pages through a tenant's deliveries, newest first.
func (db *DB) ListDeliveries(ctx context.Context, tenantID string, f ingest.DeliveryFilter) ([]ingest.EventDelivery, string, error) {
	keys, err := decodeCursor(f.Cursor, 1)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.where[0] = "d.tenant_id = ?"
	c.eq("d.subscription_id", f.SubscriptionID)
	c.eq("d.status", string(f.Status))
	c.eq("d.ingest_id", f.IngestID)
	c.eq("d.event_type", f.EventType)
	if keys != nil {
		c.add("d.id < ?", keys[0])
	}
	limit := clampLimit(f.Limit)
	out, err := queryAll(ctx, db.reader(), "deliveries", func(r scanner) (ingest.EventDelivery, error) { return scanEventDelivery(r) },
		`SELECT `+eventDeliveryColumns+` FROM ingest_deliveries d WHERE `+c.sql()+` ORDER BY d.id DESC LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	return out, next, nil
}

// Delivery returns one of a tenant's deliveries.
func (db *DB) EventDelivery(ctx context.Context, tenantID, id string) (ingest.EventDelivery, error) {
	d, err := scanEventDelivery(db.reader().queryRow(ctx, `SELECT `+eventDeliveryColumns+` FROM ingest_deliveries d
		WHERE d.tenant_id = ? AND d.id = ?`, tenantID, id))
	return d, translate(err, "delivery")
}

// DeliveryAttempts lists a delivery's attempts, oldest first.
func (db *DB) DeliveryAttempts(ctx context.Context, tenantID, deliveryID string) ([]ingest.Attempt, error) {
	return queryAll(ctx, db.reader(), "delivery attempts", func(r scanner) (ingest.Attempt, error) {
		var a ingest.Attempt
		err := r.Scan(&a.ID, &a.DeliveryID, &a.Attempt, &a.AttemptedAt, &a.StatusCode, &a.LatencyMS, &a.Error, &a.Response)
		a.AttemptedAt = a.AttemptedAt.UTC()
		return a, err
	}, `SELECT id, delivery_id, attempt, attempted_at, status_code, latency_ms, error, response FROM ingest_delivery_attempts
		WHERE tenant_id = ? AND delivery_id = ? ORDER BY id`, tenantID, deliveryID)
}

// Redeliver queues a finished delivery again for a new series of attempts.
func (db *DB) Redeliver(ctx context.Context, tenantID, id string, at time.Time, ev audit.Event, jobs []jobargs.Args) (ingest.EventDelivery, error) {
	var d ingest.EventDelivery
	err := db.inTx(ctx, func(tx *Tx) error {
		var rev, cur int
		err := tx.queryRow(ctx, `SELECT d.revision, n.revision FROM ingest_deliveries d JOIN ingest_normalized n ON n.ingest_id = d.ingest_id
			WHERE d.tenant_id = ? AND d.id = ?`, tenantID, id).Scan(&rev, &cur)
		if err != nil {
			return translate(err, "delivery")
		}
		if rev != cur {
			return apperr.E(apperr.Conflict, "the event has a newer revision (%d) than this delivery's (%d); it was delivered separately", cur, rev)
		}
		d, err = scanEventDelivery(tx.queryRow(ctx, `UPDATE ingest_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?,
			claimed_until = NULL, updated_at = ? WHERE tenant_id = ? AND id = ? AND status IN ('delivered', 'failed', 'dead')
			RETURNING `+strings.ReplaceAll(eventDeliveryColumns, "d.", ""), at.UTC(), at.UTC(), tenantID, id))
		if err == sql.ErrNoRows {
			return apperr.E(apperr.Conflict, "only a delivered, failed or dead delivery can be redelivered")
		}
		if err != nil {
			return translate(err, "delivery")
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, jobs)
	})
	return d, err
}

// ClaimDeliveries leases due pending deliveries of enabled subscriptions.
// The claim's conditions are repeated outside the subquery so that, on
// PostgreSQL, a second claimer re-checks them on the row it waited for
// and skips what the first took.
func (db *DB) ClaimDeliveries(ctx context.Context, tenantID string, now, until time.Time, limit int) ([]ingest.DeliveryWork, error) {
	var ids []string
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		ids, err = queryAll(ctx, tx.conn, "deliveries", func(r scanner) (string, error) {
			var s string
			return s, r.Scan(&s)
		}, `UPDATE ingest_deliveries SET claimed_until = ? WHERE id IN (
				SELECT d.id FROM ingest_deliveries d JOIN ingest_subscriptions s ON s.id = d.subscription_id
				WHERE d.tenant_id = ? AND d.status = 'pending' AND d.next_attempt_at <= ? AND (d.claimed_until IS NULL OR d.claimed_until < ?)
					AND s.enabled = ?
				ORDER BY d.next_attempt_at, d.id LIMIT `+strconv.Itoa(limit)+`)
			AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?)
			RETURNING id`, until.UTC(), tenantID, now.UTC(), now.UTC(), true, now.UTC())
		return err
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	byID, args := tenantRows(db.Dialect, "d.tenant_id", "d.id", tenantID, ids)
	type claimed struct {
		w     ingest.DeliveryWork
		subID string
	}
	got, err := queryAll(ctx, db.reader(), "deliveries", func(r scanner) (claimed, error) {
		var c claimed
		var body []byte
		var err error
		c.w.EventDelivery, err = scanEventDelivery(r, &body, &c.subID, &c.w.VendorKey, &c.w.ExternalEventID)
		c.w.Body = body
		return c, err
	}, `SELECT `+eventDeliveryColumns+`, CASE WHEN n.revision = d.revision THEN n.body END, d.subscription_id,
			COALESCE(e.vendor_key, ''), COALESCE(e.external_event_id, '')
		FROM ingest_deliveries d LEFT JOIN ingest_normalized n ON n.ingest_id = d.ingest_id
			LEFT JOIN ingest_events e ON e.id = d.ingest_id
		WHERE `+byID+` ORDER BY d.next_attempt_at, d.id`, args...)
	if err != nil {
		return nil, err
	}
	subs := map[string]ingest.Subscription{}
	out := make([]ingest.DeliveryWork, len(got))
	for i, c := range got {
		s, ok := subs[c.subID]
		if !ok {
			if s, err = db.Subscription(ctx, tenantID, c.subID); err != nil {
				return nil, err
			}
			subs[c.subID] = s
		}
		c.w.Subscription = s
		out[i] = c.w
	}
	return out, nil
}

// maxErrorLog bounds an attempt's error text.
const maxErrorLog = 1000

// RecordAttempt stores an attempt and the delivery's new status; on 410
// Gone the subscription is disabled with its audit row.
func (db *DB) RecordAttempt(ctx context.Context, tenantID string, r ingest.AttemptRecord) error {
	a := r.Attempt
	errText := a.Error
	if len(errText) > maxErrorLog {
		errText = strings.ToValidUTF8(errText[:maxErrorLog], "")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO ingest_delivery_attempts (id, tenant_id, delivery_id, attempt, attempted_at, status_code,
			latency_ms, error, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, tenantID, a.DeliveryID, a.Attempt, a.AttemptedAt.UTC(),
			a.StatusCode, a.LatencyMS, errText, a.Response); err != nil {
			return translate(err, "delivery attempt")
		}
		var delivered any
		if r.Status == ingest.DeliveryDelivered {
			delivered = a.AttemptedAt.UTC()
		}
		if _, err := tx.exec(ctx, `UPDATE ingest_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, claimed_until = NULL,
			last_status_code = ?, last_error = ?, updated_at = ?, delivered_at = COALESCE(?, delivered_at)
			WHERE tenant_id = ? AND id = ? AND status = 'pending'`, string(r.Status), a.Attempt, timeOrNil(r.NextAttemptAt), a.StatusCode,
			errText, a.AttemptedAt.UTC(), delivered, tenantID, a.DeliveryID); err != nil {
			return translate(err, "delivery")
		}
		if r.Disable == nil {
			return nil
		}
		res, err := tx.exec(ctx, `UPDATE ingest_subscriptions SET enabled = ?, disabled_reason = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ? AND enabled = ?`, false, r.DisableReason, a.AttemptedAt.UTC(), tenantID, r.SubscriptionID, true)
		if err != nil {
			return translate(err, "subscription")
		}
		if n, err := res.RowsAffected(); err != nil {
			return translate(err, "subscription")
		} else if n == 0 {
			return nil // another attempt disabled it first, and said so
		}
		if err := tx.Audit(ctx, *r.Disable); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, r.DisableJobs)
	})
}

// MarkSuperseded marks a pending delivery superseded.
func (db *DB) MarkSuperseded(ctx context.Context, tenantID, id string, at time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE ingest_deliveries SET status = 'superseded', claimed_until = NULL, next_attempt_at = NULL,
			updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'pending'`, at.UTC(), tenantID, id)
		return translate(err, "delivery")
	})
}

// TenantsWithDueDeliveries lists tenants with pending deliveries due.
func (db *DB) TenantsWithDueDeliveries(ctx context.Context, now time.Time) ([]string, error) {
	return queryAll(ctx, db.reader(), "deliveries", func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, `SELECT DISTINCT tenant_id FROM ingest_deliveries WHERE status = 'pending' AND next_attempt_at <= ?`, now.UTC())
}
