package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

const subscriptionColumns = `id, tenant_id, url, description, event_types, vendor_id, enabled, disabled_reason, secret_name, secret_hint,
	previous_secret_name, previous_expires_at, created_by, created_at, updated_at`

func scanSubscription(r scanner) (ingest.Subscription, error) {
	var s ingest.Subscription
	var types string
	var prev sql.NullTime
	err := r.Scan(&s.ID, &s.TenantID, &s.URL, &s.Description, &types, &s.VendorID, &s.Enabled, &s.DisabledReason, &s.SecretName,
		&s.SecretHint, &s.PreviousSecretName, &prev, &s.CreatedBy, &s.CreatedAt, &s.UpdatedAt)
	s.EventTypes, s.PreviousExpiresAt = parseList(types), nullTime(prev)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, err
}

// CreateSubscription stores a subscription, its secret (encrypted) and
// the audit row.
func (db *DB) CreateSubscription(ctx context.Context, s ingest.Subscription, secret []byte, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.PutSecret(ctx, s.TenantID, s.SecretName, secret); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO ingest_subscriptions (`+subscriptionColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, s.TenantID, s.URL, s.Description, jsonList(s.EventTypes),
			s.VendorID, s.Enabled, s.DisabledReason, s.SecretName, s.SecretHint, s.PreviousSecretName, timeOrNil(s.PreviousExpiresAt),
			s.CreatedBy, s.CreatedAt.UTC(), s.UpdatedAt.UTC()); err != nil {
			return translate(err, "subscription")
		}
		return tx.Audit(ctx, ev)
	})
}

// UpdateSubscription stores a subscription's settings with the audit row.
func (db *DB) UpdateSubscription(ctx context.Context, s ingest.Subscription, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE ingest_subscriptions SET url = ?, description = ?, event_types = ?, vendor_id = ?, enabled = ?,
			disabled_reason = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`, s.URL, s.Description, jsonList(s.EventTypes), s.VendorID,
			s.Enabled, s.DisabledReason, s.UpdatedAt.UTC(), s.TenantID, s.ID)
		if err := mustAffect(res, err, "subscription"); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// Subscription returns one of a tenant's subscriptions.
func (db *DB) Subscription(ctx context.Context, tenantID, id string) (ingest.Subscription, error) {
	s, err := scanSubscription(db.reader().queryRow(ctx, `SELECT `+subscriptionColumns+` FROM ingest_subscriptions
		WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return s, translate(err, "subscription")
}

// ListSubscriptions lists a tenant's subscriptions, oldest first.
func (db *DB) ListSubscriptions(ctx context.Context, tenantID string) ([]ingest.Subscription, error) {
	return queryAll(ctx, db.reader(), "subscriptions", scanSubscription, `SELECT `+subscriptionColumns+` FROM ingest_subscriptions
		WHERE tenant_id = ? ORDER BY id`, tenantID)
}

// RotateSubscriptionSecret stores the new secret, keeps the old one as the
// previous and deletes the one rotated out before it.
func (db *DB) RotateSubscriptionSecret(ctx context.Context, s ingest.Subscription, dropName string, value []byte, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.PutSecret(ctx, s.TenantID, s.SecretName, value); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE ingest_subscriptions SET secret_name = ?, secret_hint = ?, previous_secret_name = ?,
			previous_expires_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`, s.SecretName, s.SecretHint, s.PreviousSecretName,
			timeOrNil(s.PreviousExpiresAt), s.UpdatedAt.UTC(), s.TenantID, s.ID)
		if err := mustAffect(res, err, "subscription"); err != nil {
			return err
		}
		if dropName != "" {
			if _, err := tx.exec(ctx, `DELETE FROM secrets WHERE tenant_id = ? AND name = ?`, s.TenantID, dropName); err != nil {
				return translate(err, "secret")
			}
		}
		return tx.Audit(ctx, ev)
	})
}

// SubscriptionSecretValues decrypts the secrets s signs with at now.
func (db *DB) SubscriptionSecretValues(ctx context.Context, s ingest.Subscription, now time.Time) ([]string, error) {
	cur, err := db.Secret(ctx, s.TenantID, s.SecretName)
	if err != nil {
		return nil, err
	}
	out := []string{string(cur)}
	if s.PreviousSecretName != "" && s.PreviousExpiresAt != nil && now.Before(*s.PreviousExpiresAt) {
		prev, err := db.Secret(ctx, s.TenantID, s.PreviousSecretName)
		if err != nil {
			return nil, err
		}
		out = append(out, string(prev))
	}
	return out, nil
}
