package sqlstore

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/registry"
)

const vendorColumns = `id, tenant_id, name, tier, email_domains, aliases, website, notes, is_active, created_at, updated_at`

// vendorReads is the select list of reads of one tenant's vendors, for
// scanVendorOf: the tenant is the one asked for, so it is not read back,
// and SQLite's times are read as text (storedTime). Lists read every
// column of every row, so each one left out counts.
func vendorReads(d Dialect) string {
	return `id, name, tier, email_domains, aliases, website, notes, is_active, ` +
		timeText(d, "created_at") + `, ` + timeText(d, "updated_at")
}

// scanVendorOf scans a row of vendorReads as a vendor of tenantID.
func scanVendorOf(tenantID string) func(scanner) (registry.Vendor, error) {
	return func(r scanner) (registry.Vendor, error) {
		v := registry.Vendor{TenantID: tenantID}
		var domains, aliases string
		err := r.Scan(&v.ID, &v.Name, &v.Tier, &domains, &aliases, &v.Website, &v.Notes, &v.IsActive,
			storedTime{&v.CreatedAt}, storedTime{&v.UpdatedAt})
		v.EmailDomains, v.Aliases = parseList(domains), parseList(aliases)
		v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
		return v, err
	}
}

// CreateVendor adds a vendor with its audit row.
func (db *DB) CreateVendor(ctx context.Context, v registry.Vendor, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO vendors (`+vendorColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.ID, v.TenantID, v.Name, string(v.Tier), jsonList(v.EmailDomains), jsonList(v.Aliases), v.Website, v.Notes,
			v.IsActive, v.CreatedAt, v.UpdatedAt)
		if err != nil {
			return translate(err, "vendor "+v.Name)
		}
		return tx.Audit(ctx, ev)
	})
}

// UpdateVendor saves a vendor, including (de)activation, with its audit row.
func (db *DB) UpdateVendor(ctx context.Context, v registry.Vendor, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE vendors SET name = ?, tier = ?, email_domains = ?, aliases = ?, website = ?, notes = ?,
			is_active = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			v.Name, string(v.Tier), jsonList(v.EmailDomains), jsonList(v.Aliases), v.Website, v.Notes, v.IsActive, v.UpdatedAt,
			v.TenantID, v.ID)
		if err := mustAffect(res, err, "vendor "+v.Name); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// Vendor returns one vendor of a tenant.
func (db *DB) Vendor(ctx context.Context, tenantID, id string) (registry.Vendor, error) {
	v, err := scanVendorOf(tenantID)(db.reader().queryRow(ctx, `SELECT `+vendorReads(db.Dialect)+` FROM vendors WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return v, translate(err, "vendor")
}

// ListVendors pages through a tenant's vendors by name.
func (db *DB) ListVendors(ctx context.Context, tenantID string, f registry.VendorFilter) ([]registry.Vendor, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.activeOnly(f.IncludeInactive)
	if f.Tier != "" {
		c.add("tier = ?", string(f.Tier))
	}
	c.search(f.Query, "name", "aliases", "email_domains")
	c.after(keys, "name")
	return listByName(ctx, db, "vendors", vendorReads(db.Dialect), "vendors", "name", c, f.Limit, scanVendorOf(tenantID),
		func(v registry.Vendor) (string, string) { return v.Name, v.ID })
}

// ExistingVendors returns which of ids are vendors of the tenant, active or
// not, in one query.
func (db *DB) ExistingVendors(ctx context.Context, tenantID string, ids []string) (map[string]bool, error) {
	found := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return found, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, tenantID)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := db.reader().query(ctx, `SELECT id FROM vendors WHERE tenant_id = ? AND id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, translate(err, "vendors")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err, "vendors")
		}
		found[id] = true
	}
	return found, translate(rows.Err(), "vendors")
}
