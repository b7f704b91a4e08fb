package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The store implements the tracker links' store interface.
var _ link.Store = (*DB)(nil)

// TrackerConnection returns a tenant's connection, with whether its token
// is stored (the secret named link.TokenSecret of its provider).
func (db *DB) TrackerConnection(ctx context.Context, tenantID string) (link.Connection, error) {
	var c link.Connection
	var disabledAt sql.NullTime
	var tokens int
	err := db.reader().queryRow(ctx, `SELECT c.tenant_id, c.kind, c.provider, c.base_url, c.username, c.enabled,
		c.disabled_reason, c.disabled_at, c.created_at, c.updated_at, c.updated_by,
		(SELECT COUNT(*) FROM secrets s WHERE s.tenant_id = c.tenant_id AND s.name = c.provider || ?)
		FROM tracker_connections c WHERE c.tenant_id = ?`, link.TokenSecret(""), tenantID).
		Scan(&c.TenantID, &c.Kind, &c.Provider, &c.BaseURL, &c.Username, &c.Enabled, &c.DisabledReason, &disabledAt,
			&c.CreatedAt, &c.UpdatedAt, &c.UpdatedBy, &tokens)
	if err != nil {
		return link.Connection{}, translate(err, "tracker connection")
	}
	c.Configured, c.TokenSet, c.DisabledAt = true, tokens > 0, nullTime(disabledAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

// TrackerToken decrypts the token of a tenant's connection to provider.
func (db *DB) TrackerToken(ctx context.Context, tenantID, provider string) ([]byte, error) {
	return db.Secret(ctx, tenantID, link.TokenSecret(provider))
}

// SaveTrackerConnection writes the tenant's connection in place of its
// previous one, its token (when not nil, encrypted), its audit row and
// jobs in one transaction. The links that have no issue yet follow the
// connection to its provider; created links stay with the tracker their
// issue is in.
func (db *DB) SaveTrackerConnection(ctx context.Context, c link.Connection, token []byte, ev audit.Event, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO tracker_connections (tenant_id, provider, kind, base_url, username, enabled,
			disabled_reason, disabled_at, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET provider = excluded.provider, kind = excluded.kind,
			base_url = excluded.base_url, username = excluded.username, enabled = excluded.enabled,
			disabled_reason = excluded.disabled_reason, disabled_at = excluded.disabled_at,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			c.TenantID, c.Provider, string(c.Kind), c.BaseURL, c.Username, c.Enabled, c.DisabledReason, timeOrNil(c.DisabledAt),
			c.CreatedAt, c.UpdatedAt, c.UpdatedBy)
		if err != nil {
			return translate(err, "tracker connection")
		}
		if _, err := tx.exec(ctx, `UPDATE ticket_tracker_links SET provider = ? WHERE tenant_id = ? AND sync_status <> ?
			AND provider <> ?`, c.Provider, c.TenantID, string(link.Created), c.Provider); err != nil {
			return translate(err, "tracker links")
		}
		if token != nil {
			if err := tx.PutSecret(ctx, c.TenantID, link.TokenSecret(c.Provider), token); err != nil {
				return err
			}
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, jobs)
	})
}

// DisableTrackerConnection switches a tenant's enabled connection off with
// the reason, writing evs; false (and nothing written) when it was off.
func (db *DB) DisableTrackerConnection(ctx context.Context, tenantID, reason string, at time.Time, evs []audit.Event, jobs []jobargs.Args) (bool, error) {
	changed := false
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE tracker_connections SET enabled = ?, disabled_reason = ?, disabled_at = ?, updated_at = ?
			WHERE tenant_id = ? AND enabled = ?`, false, reason, at.UTC(), at.UTC(), tenantID, true)
		if err != nil {
			return translate(err, "tracker connection")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return translate(err, "tracker connection")
		}
		if changed = n > 0; !changed {
			return nil
		}
		if err := tx.AuditAll(ctx, evs); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, jobs)
	})
	return changed, err
}

// EnabledTrackerTenants lists the tenants whose connection is on.
func (db *DB) EnabledTrackerTenants(ctx context.Context) ([]string, error) {
	return queryAll(ctx, db.reader(), "tracker connections", func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT tenant_id FROM tracker_connections WHERE enabled = ? ORDER BY tenant_id`, true)
}

// EnqueueJobs enqueues jobs in one transaction.
func (db *DB) EnqueueJobs(ctx context.Context, jobs []jobargs.Args) error {
	if len(jobs) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.EnqueueAll(ctx, jobs) })
}
