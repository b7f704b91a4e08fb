package sqlstore

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// CreateTenant creates a tenant and its first admin in one transaction.
func (db *DB) CreateTenant(ctx context.Context, t auth.Tenant, admin auth.User, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO tenants (id, slug, name, is_active, created_at) VALUES (?, ?, ?, ?, ?)`,
			t.ID, t.Slug, t.Name, true, tx.now); err != nil {
			return translate(err, "tenant "+t.Slug)
		}
		if err := tx.insertUser(ctx, admin); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// TenantBySlug finds an active tenant by its slug.
func (db *DB) TenantBySlug(ctx context.Context, slug string) (auth.Tenant, error) {
	var t auth.Tenant
	err := db.reader().queryRow(ctx, `SELECT id, slug, name, is_active, created_at FROM tenants WHERE slug = ?`, slug).
		Scan(&t.ID, &t.Slug, &t.Name, &t.IsActive, &t.CreatedAt)
	return t, translate(err, "tenant "+slug)
}

// ListTenants lists every tenant, oldest first.
func (db *DB) ListTenants(ctx context.Context) ([]auth.Tenant, error) {
	rows, err := db.reader().query(ctx, `SELECT id, slug, name, is_active, created_at FROM tenants ORDER BY created_at, id`)
	if err != nil {
		return nil, translate(err, "tenants")
	}
	defer rows.Close()
	var out []auth.Tenant
	for rows.Next() {
		var t auth.Tenant
		if err := rows.Scan(&t.ID, &t.Slug, &t.Name, &t.IsActive, &t.CreatedAt); err != nil {
			return nil, translate(err, "tenants")
		}
		out = append(out, t)
	}
	return out, translate(rows.Err(), "tenants")
}
