package sqlstore

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/setting"
)

// The store keeps settings and secrets for package setting.
var (
	_ setting.Store       = (*DB)(nil)
	_ setting.SecretStore = (*DB)(nil)
)

// Settings returns a tenant's stored settings (key → JSON text).
func (db *DB) Settings(ctx context.Context, tenantID string) (map[string]string, error) {
	rows, err := db.reader().query(ctx, `SELECT key, value FROM settings WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return nil, translate(err, "settings")
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, translate(err, "settings")
		}
		out[k] = v
	}
	return out, translate(rows.Err(), "settings")
}

// SaveSettings upserts settings with their audit row in one transaction.
func (db *DB) SaveSettings(ctx context.Context, tenantID string, values map[string]string, updatedBy string, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for k, v := range values {
			_, err := tx.exec(ctx, `INSERT INTO settings (tenant_id, key, value, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
				updated_by = excluded.updated_by`, tenantID, k, v, tx.now, updatedBy)
			if err != nil {
				return translate(err, "setting "+k)
			}
		}
		return tx.Audit(ctx, ev)
	})
}
