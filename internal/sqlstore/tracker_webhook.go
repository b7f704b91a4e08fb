package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The store implements the tracker webhooks' store interface.
var _ link.HookStore = (*DB)(nil)

// TrackerHookTarget reads a connection by id with its webhook secret in
// one query, and decrypts the secret.
func (db *DB) TrackerHookTarget(ctx context.Context, connectionID string) (link.HookTarget, error) {
	var env sql.NullString
	c, err := scanTrackerConnection(scanWith(db.reader().queryRow(ctx, `SELECT `+trackerConnectionColumns+`, w.ciphertext
		FROM tracker_connections c LEFT JOIN secrets w ON w.tenant_id = c.tenant_id AND w.name = 'tracker.' || c.id || '.webhook'
		WHERE c.id = ?`, connectionID), &env))
	if err != nil {
		return link.HookTarget{}, translate(err, "tracker connection")
	}
	t := link.HookTarget{Conn: c}
	if env.Valid {
		if t.Secret, err = db.Keys.Open(env.String, secretAD(c.TenantID, link.WebhookSecretName(c.ID))); err != nil {
			return link.HookTarget{}, err
		}
	}
	return t, nil
}

// scanWith is r with extra destinations scanned after the ones its scan
// function names.
func scanWith(r scanner, extra ...any) scanner { return extraScanner{r, extra} }

type extraScanner struct {
	r     scanner
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.r.Scan(append(dest, e.extra...)...) }

// deliveryBatch is the most deliveries one INSERT carries (8 values each).
const deliveryBatch = 500

// RecordTrackerDeliveries inserts the deliveries not recorded before, in
// multi-row INSERTs, counts a duplicate on the delivery each other one
// repeats, and enqueues the jobs of the new ones, all in one transaction.
// Of two deliveries with one id in ds, the first is the new one.
func (db *DB) RecordTrackerDeliveries(ctx context.Context, ds []link.WebhookDelivery, jobs func(fresh []link.WebhookDelivery) []jobargs.Args) ([]bool, error) {
	fresh := make([]bool, len(ds))
	err := db.inTx(ctx, func(tx *Tx) error {
		clear(fresh)
		inserted := make(map[string]bool, len(ds))
		for rest := ds; len(rest) > 0; {
			batch := rest[:min(len(rest), deliveryBatch)]
			rest = rest[len(batch):]
			args := make([]any, 0, 8*len(batch))
			for _, d := range batch {
				args = append(args, d.ID, d.TenantID, d.ConnectionID, d.DeliveryID, d.Event, d.Body, string(d.Status), d.ReceivedAt.UTC())
			}
			ids, err := queryAll(ctx, tx.conn, "webhook delivery", func(r scanner) (string, error) {
				var id string
				return id, r.Scan(&id)
			}, `INSERT INTO tracker_webhook_deliveries (id, tenant_id, connection_id, delivery_id, event, body, status, received_at)
				VALUES `+valueRows(len(batch), 8)+` ON CONFLICT (connection_id, delivery_id) DO NOTHING RETURNING id`, args...)
			if err != nil {
				return err
			}
			for _, id := range ids {
				inserted[id] = true
			}
		}
		type key struct{ conn, delivery string }
		dups := map[key]int{}
		var order []key
		var news []link.WebhookDelivery
		for i, d := range ds {
			if fresh[i] = inserted[d.ID]; fresh[i] {
				news = append(news, d)
				continue
			}
			k := key{d.ConnectionID, d.DeliveryID}
			if dups[k] == 0 {
				order = append(order, k)
			}
			dups[k]++
		}
		for _, k := range order {
			if _, err := tx.exec(ctx, `UPDATE tracker_webhook_deliveries SET duplicates = duplicates + ?
				WHERE connection_id = ? AND delivery_id = ?`, dups[k], k.conn, k.delivery); err != nil {
				return translate(err, "webhook delivery")
			}
		}
		if len(news) == 0 {
			return nil
		}
		return tx.EnqueueAll(ctx, jobs(news))
	})
	if err != nil {
		return nil, err
	}
	return fresh, nil
}

const deliveryColumns = `id, tenant_id, connection_id, delivery_id, event, body, status, duplicates, attempts, last_error,
	issue_key, received_at, processed_at`

func scanDelivery(r scanner) (link.WebhookDelivery, error) {
	var d link.WebhookDelivery
	var processed sql.NullTime
	err := r.Scan(&d.ID, &d.TenantID, &d.ConnectionID, &d.DeliveryID, &d.Event, &d.Body, &d.Status, &d.Duplicates,
		&d.Attempts, &d.LastError, &d.IssueKey, &d.ReceivedAt, &processed)
	d.ReceivedAt, d.ProcessedAt = d.ReceivedAt.UTC(), nullTime(processed)
	return d, err
}

// TrackerDelivery returns a tenant's delivery by row id.
func (db *DB) TrackerDelivery(ctx context.Context, tenantID, id string) (link.WebhookDelivery, error) {
	d, err := scanDelivery(db.reader().queryRow(ctx, `SELECT `+deliveryColumns+` FROM tracker_webhook_deliveries
		WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return link.WebhookDelivery{}, translate(err, "webhook delivery")
	}
	return d, nil
}

// TrackerDeliveries lists a connection's latest deliveries, newest first.
func (db *DB) TrackerDeliveries(ctx context.Context, tenantID, connectionID string, limit int) ([]link.WebhookDelivery, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return queryAll(ctx, db.reader(), "webhook deliveries", scanDelivery, `SELECT `+deliveryColumns+`
		FROM tracker_webhook_deliveries WHERE tenant_id = ? AND connection_id = ?
		ORDER BY received_at DESC, id DESC LIMIT ?`, tenantID, connectionID, limit)
}

// FinishTrackerDelivery records a processing attempt's outcome.
func (db *DB) FinishTrackerDelivery(ctx context.Context, tenantID, id string, status link.DeliveryStatus, issueKey, lastError string, at time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE tracker_webhook_deliveries SET status = ?, issue_key = ?, last_error = ?,
			attempts = attempts + 1, processed_at = ? WHERE tenant_id = ? AND id = ?`,
			string(status), issueKey, lastError, at.UTC(), tenantID, id)
		return mustAffect(res, err, "webhook delivery")
	})
}

// RedeliverTrackerDelivery puts a delivery back to verified and enqueues
// its job with ev, in one transaction.
func (db *DB) RedeliverTrackerDelivery(ctx context.Context, tenantID, id string, ev audit.Event, job jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE tracker_webhook_deliveries SET status = ?, last_error = ''
			WHERE tenant_id = ? AND id = ?`, string(link.DeliveryVerified), tenantID, id)
		if err := mustAffect(res, err, "webhook delivery"); err != nil {
			return err
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		return tx.Enqueue(ctx, job)
	})
}

// SetTrackerWebhookSecret stores a connection's webhook secret with ev.
func (db *DB) SetTrackerWebhookSecret(ctx context.Context, tenantID, connectionID string, secret []byte, ev audit.Event) error {
	return db.SetSecret(ctx, tenantID, link.WebhookSecretName(connectionID), secret, ev)
}
