package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// The store keeps ERP connectors and their items for package erp.
var _ erp.Store = (*DB)(nil)

// erpConnectorColumns reads an erp_connectors row c with whether its secret
// exists and how many items it holds.
const erpConnectorColumns = `c.id, c.tenant_id, c.name, c.provider, c.auth_mode, c.base_url, c.username, c.is_active,
	c.sync_state, c.sync_full, c.sync_queued_at, c.sync_started_at, c.sync_finished_at, c.sync_error,
	c.sync_items_read, c.sync_uoms_read, c.sync_suppliers_read, c.sync_prices_read, c.watermark, c.created_at, c.updated_at,
	EXISTS (SELECT 1 FROM secrets s WHERE s.tenant_id = c.tenant_id AND s.name = c.secret_name),
	(SELECT COUNT(*) FROM erp_items i WHERE i.tenant_id = c.tenant_id AND i.connector_id = c.id)`

func scanERPConnector(r scanner) (erp.Connector, error) {
	var c erp.Connector
	var queued, started, finished, watermark sql.NullTime
	var provider, mode, state string
	err := r.Scan(&c.ID, &c.TenantID, &c.Name, &provider, &mode, &c.BaseURL, &c.Username, &c.IsActive,
		&state, &c.Sync.Full, &queued, &started, &finished, &c.Sync.Error,
		&c.Sync.ItemsRead, &c.Sync.UOMsRead, &c.Sync.SuppliersRead, &c.Sync.PricesRead, &watermark, &c.CreatedAt, &c.UpdatedAt,
		&c.SecretSet, &c.Items)
	c.Provider, c.AuthMode, c.Sync.State = erp.Provider(provider), erp.AuthMode(mode), erp.SyncState(state)
	c.Sync.QueuedAt, c.Sync.StartedAt, c.Sync.FinishedAt, c.Sync.Watermark = nullTime(queued), nullTime(started), nullTime(finished), nullTime(watermark)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// CreateERPConnector writes a connector, its encrypted secret and its audit
// row in one transaction.
func (db *DB) CreateERPConnector(ctx context.Context, c erp.Connector, secret []byte, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO erp_connectors (id, tenant_id, name, provider, auth_mode, base_url, username, secret_name,
			is_active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.TenantID, c.Name, string(c.Provider), string(c.AuthMode), c.BaseURL, c.Username, erp.SecretName(c.ID),
			c.IsActive, c.CreatedAt, c.UpdatedAt)
		if err != nil {
			return translate(err, "ERP connector "+c.Name)
		}
		switch {
		case secret != nil:
			if err := tx.PutSecret(ctx, c.TenantID, erp.SecretName(c.ID), secret); err != nil {
				return err
			}
		case !c.SecretSet:
			if _, err := tx.exec(ctx, `DELETE FROM secrets WHERE tenant_id = ? AND name = ?`, c.TenantID, erp.SecretName(c.ID)); err != nil {
				return translate(err, "secret")
			}
		}
		return tx.Audit(ctx, ev)
	})
}

// UpdateERPConnector saves a connector's settings, and its secret when not
// nil, with the audit row.
func (db *DB) UpdateERPConnector(ctx context.Context, c erp.Connector, secret []byte, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE erp_connectors SET name = ?, provider = ?, auth_mode = ?, base_url = ?, username = ?,
			is_active = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			c.Name, string(c.Provider), string(c.AuthMode), c.BaseURL, c.Username, c.IsActive, c.UpdatedAt, c.TenantID, c.ID)
		if err := mustAffect(res, err, "ERP connector "+c.Name); err != nil {
			return err
		}
		switch {
		case secret != nil:
			if err := tx.PutSecret(ctx, c.TenantID, erp.SecretName(c.ID), secret); err != nil {
				return err
			}
		case !c.SecretSet:
			if _, err := tx.exec(ctx, `DELETE FROM secrets WHERE tenant_id = ? AND name = ?`, c.TenantID, erp.SecretName(c.ID)); err != nil {
				return translate(err, "secret")
			}
		}
		return tx.Audit(ctx, ev)
	})
}

// ERPConnector returns one connector of a tenant.
func (db *DB) ERPConnector(ctx context.Context, tenantID, id string) (erp.Connector, error) {
	c, err := scanERPConnector(db.reader().queryRow(ctx, `SELECT `+erpConnectorColumns+` FROM erp_connectors c
		WHERE c.tenant_id = ? AND c.id = ?`, tenantID, id))
	return c, translate(err, "ERP connector")
}

// ListERPConnectors returns a tenant's connectors by name.
func (db *DB) ListERPConnectors(ctx context.Context, tenantID string) ([]erp.Connector, error) {
	list, err := queryAll(ctx, db.reader(), "ERP connectors", scanERPConnector, `SELECT `+erpConnectorColumns+`
		FROM erp_connectors c WHERE c.tenant_id = ? ORDER BY c.name, c.id`, tenantID)
	if list == nil {
		list = []erp.Connector{}
	}
	return list, err
}

// ERPConnectorSecret decrypts a connector's secret.
func (db *DB) ERPConnectorSecret(ctx context.Context, tenantID, id string) ([]byte, error) {
	return db.Secret(ctx, tenantID, erp.SecretName(id))
}

// QueueERPSync marks a connector's sync queued and enqueues job with the
// audit row. A sync that is running stays "running": the queued job runs
// after it.
func (db *DB) QueueERPSync(ctx context.Context, tenantID, id string, full bool, at time.Time, ev audit.Event, job jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE erp_connectors SET sync_queued_at = ?,
			sync_state = CASE WHEN sync_state = 'running' THEN sync_state ELSE 'queued' END
			WHERE tenant_id = ? AND id = ?`, at.UTC(), tenantID, id)
		if err := mustAffect(res, err, "ERP connector"); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, job); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}
