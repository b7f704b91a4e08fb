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

const trackerConnectionColumns = `c.id, c.tenant_id, c.name, c.kind, c.provider, c.base_url, c.username, c.token_secret,
	c.enabled, c.disabled_reason, c.disabled_at, c.created_at, c.updated_at, c.updated_by,
	(SELECT COUNT(*) FROM secrets s WHERE s.tenant_id = c.tenant_id AND s.name = c.token_secret)`

func scanTrackerConnection(r scanner) (link.Connection, error) {
	var c link.Connection
	var disabledAt sql.NullTime
	var tokens int
	err := r.Scan(&c.ID, &c.TenantID, &c.Name, &c.Kind, &c.Provider, &c.BaseURL, &c.Username, &c.TokenSecret, &c.Enabled,
		&c.DisabledReason, &disabledAt, &c.CreatedAt, &c.UpdatedAt, &c.UpdatedBy, &tokens)
	c.Configured, c.TokenSet, c.DisabledAt = true, tokens > 0, nullTime(disabledAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// TrackerConnection returns a tenant's connection with id, or its oldest
// when id is empty, with whether its token is stored.
func (db *DB) TrackerConnection(ctx context.Context, tenantID, id string) (link.Connection, error) {
	q := `SELECT ` + trackerConnectionColumns + ` FROM tracker_connections c WHERE c.tenant_id = ?`
	args := []any{tenantID}
	if id != "" {
		q += ` AND c.id = ?`
		args = append(args, id)
	}
	c, err := scanTrackerConnection(db.reader().queryRow(ctx, q+` ORDER BY c.created_at, c.id LIMIT 1`, args...))
	if err != nil {
		return link.Connection{}, translate(err, "tracker connection")
	}
	return c, nil
}

// TrackerConnections lists a tenant's connections, oldest first.
func (db *DB) TrackerConnections(ctx context.Context, tenantID string) ([]link.Connection, error) {
	return queryAll(ctx, db.reader(), "tracker connections", scanTrackerConnection, `SELECT `+trackerConnectionColumns+
		` FROM tracker_connections c WHERE c.tenant_id = ? ORDER BY c.created_at, c.id`, tenantID)
}

// TrackerToken decrypts the token of a tenant's connection.
func (db *DB) TrackerToken(ctx context.Context, tenantID, connectionID string) ([]byte, error) {
	c, err := db.TrackerConnection(ctx, tenantID, connectionID)
	if err != nil {
		return nil, err
	}
	return db.Secret(ctx, tenantID, c.TokenSecret)
}

// SaveTrackerConnection writes a connection, new or in place of the one
// with its id, its token (when not nil, encrypted), its audit row and jobs
// in one transaction. The links that have no issue yet and are routed to
// the connection (or, made before routing, to the tenant's first) follow
// it to its provider; created links stay with the tracker their issue is
// in.
func (db *DB) SaveTrackerConnection(ctx context.Context, c link.Connection, token []byte, ev audit.Event, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO tracker_connections (id, tenant_id, name, provider, kind, base_url, username,
			token_secret, enabled, disabled_reason, disabled_at, created_at, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, provider = excluded.provider, kind = excluded.kind,
			base_url = excluded.base_url, username = excluded.username, token_secret = excluded.token_secret,
			enabled = excluded.enabled, disabled_reason = excluded.disabled_reason, disabled_at = excluded.disabled_at,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by
			WHERE tracker_connections.tenant_id = excluded.tenant_id`,
			c.ID, c.TenantID, c.Name, c.Provider, string(c.Kind), c.BaseURL, c.Username, c.TokenSecret, c.Enabled,
			c.DisabledReason, timeOrNil(c.DisabledAt), c.CreatedAt, c.UpdatedAt, c.UpdatedBy)
		if err != nil {
			return translate(err, "tracker connection "+c.Name)
		}
		if _, err := tx.exec(ctx, `UPDATE ticket_tracker_links SET provider = ?, connection_id = ?
			WHERE tenant_id = ? AND sync_status <> ? AND (connection_id = ? OR connection_id = '')`,
			c.Provider, c.ID, c.TenantID, string(link.Created), c.ID); err != nil {
			return translate(err, "tracker links")
		}
		switch {
		case token != nil:
			if err := tx.PutSecret(ctx, c.TenantID, c.TokenSecret, token); err != nil {
				return err
			}
		case !c.TokenSet:
			if _, err := tx.exec(ctx, `DELETE FROM secrets WHERE tenant_id = ? AND name = ?`, c.TenantID, c.TokenSecret); err != nil {
				return translate(err, "secret")
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
func (db *DB) DisableTrackerConnection(ctx context.Context, tenantID, connectionID, reason string, at time.Time, evs []audit.Event, jobs []jobargs.Args) (bool, error) {
	changed := false
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE tracker_connections SET enabled = ?, disabled_reason = ?, disabled_at = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ? AND enabled = ?`, false, reason, at.UTC(), at.UTC(), tenantID, connectionID, true)
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

// EnabledTrackerTenants lists the tenants with a connection that is on.
func (db *DB) EnabledTrackerTenants(ctx context.Context) ([]string, error) {
	return queryAll(ctx, db.reader(), "tracker connections", func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT DISTINCT tenant_id FROM tracker_connections WHERE enabled = ? ORDER BY tenant_id`, true)
}

// EnqueueJobs enqueues jobs in one transaction.
func (db *DB) EnqueueJobs(ctx context.Context, jobs []jobargs.Args) error {
	if len(jobs) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.EnqueueAll(ctx, jobs) })
}
