package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// The store implements the registry's store interface.
var _ registry.Store = (*DB)(nil)

// refTable names a table that registry rows refer to; only these constants
// are ever spliced into SQL.
type refTable string

const (
	refTeams   refTable = "teams"
	refVendors refTable = "vendors"
	// refTrackerConnections are the connections applications route to.
	refTrackerConnections refTable = "tracker_connections"
)

// requireRef fails with a field error unless id is empty or a row of table
// in the tenant. Foreign keys only prove the row exists somewhere; this
// proves it exists in the same tenant, inside the writing transaction.
func (tx *Tx) requireRef(ctx context.Context, table refTable, field, tenantID, id string) error {
	return tx.requireRefs(ctx, tenantID, tenantRef{table, field, id})
}

// tenantRef is one reference requireRefs checks: id of table, given as field.
type tenantRef struct {
	table     refTable
	field, id string
}

// requireRefs checks refs as requireRef does, in one query, and reports the
// first that is not the tenant's.
func (tx *Tx) requireRefs(ctx context.Context, tenantID string, refs ...tenantRef) error {
	var counts []string
	var args []any
	var asked []tenantRef
	for _, r := range refs {
		if r.id == "" {
			continue
		}
		counts = append(counts, `(SELECT COUNT(*) FROM `+string(r.table)+` WHERE tenant_id = ? AND id = ?)`)
		args = append(args, tenantID, r.id)
		asked = append(asked, r)
	}
	if len(asked) == 0 {
		return nil
	}
	n := make([]int, len(asked))
	dest := make([]any, len(asked))
	for i := range n {
		dest[i] = &n[i]
	}
	if err := tx.queryRow(ctx, `SELECT `+strings.Join(counts, ", "), args...).Scan(dest...); err != nil {
		return translate(err, string(asked[0].table))
	}
	for i, r := range asked {
		if n[i] == 0 {
			return invalidRef(r.field, r.id)
		}
	}
	return nil
}

// maxSnapshot bounds each part of a registry snapshot; a tenant with more
// active entries than this has outgrown what one triage prompt can carry.
const maxSnapshot = 5000

// ActiveRegistry returns every active vendor, application and rule of a
// tenant. Applications list only their active vendors, and rules about an
// inactive vendor are left out, so that everything in the snapshot refers
// only to things in it.
func (db *DB) ActiveRegistry(ctx context.Context, tenantID string) (registry.Snapshot, error) {
	var snap registry.Snapshot
	limit := ` LIMIT ` + strconv.Itoa(maxSnapshot)
	rows, err := db.reader().query(ctx, `SELECT `+vendorReads(db.Dialect)+` FROM vendors WHERE tenant_id = ? AND is_active = ? ORDER BY name, id`+limit,
		tenantID, true)
	if err != nil {
		return snap, translate(err, "vendors")
	}
	snap.Vendors, err = registryRows(rows, scanVendorOf(tenantID), "vendors")
	if err != nil {
		return snap, err
	}
	rows, err = db.reader().query(ctx, `SELECT `+applicationColumns+` FROM applications WHERE tenant_id = ? AND is_active = ? ORDER BY name, id`+limit,
		tenantID, true)
	if err != nil {
		return snap, translate(err, "applications")
	}
	if snap.Applications, err = registryRows(rows, scanApplication, "applications"); err != nil {
		return snap, err
	}
	if err := db.loadActiveLinks(ctx, tenantID, snap.Applications); err != nil {
		return snap, err
	}
	rows, err = db.reader().query(ctx, `SELECT `+ruleColumns+` FROM rules r WHERE tenant_id = ? AND is_active = ?
		AND (vendor_id IS NULL OR EXISTS (SELECT 1 FROM vendors v WHERE v.tenant_id = r.tenant_id AND v.id = r.vendor_id AND v.is_active = ?))
		ORDER BY name, id`+limit, tenantID, true, true)
	if err != nil {
		return snap, translate(err, "rules")
	}
	snap.Rules, err = registryRows(rows, scanRule, "rules")
	return snap, err
}

// loadActiveLinks fills the active vendor ids of the tenant's active
// applications in one query.
func (db *DB) loadActiveLinks(ctx context.Context, tenantID string, apps []registry.Application) error {
	idx := make(map[string]int, len(apps))
	for i, a := range apps {
		idx[a.ID] = i
	}
	rows, err := db.reader().query(ctx, `SELECT av.application_id, av.vendor_id FROM application_vendors av
		JOIN vendors v ON v.id = av.vendor_id AND v.tenant_id = av.tenant_id
		WHERE av.tenant_id = ? AND v.is_active = ? ORDER BY av.vendor_id`, tenantID, true)
	if err != nil {
		return translate(err, "application vendors")
	}
	defer rows.Close()
	for rows.Next() {
		var aid, vid string
		if err := rows.Scan(&aid, &vid); err != nil {
			return translate(err, "application vendors")
		}
		if i, ok := idx[aid]; ok {
			apps[i].VendorIDs = append(apps[i].VendorIDs, vid)
		}
	}
	return translate(rows.Err(), "application vendors")
}

// registryRows scans every row with scan and closes rows.
func registryRows[T any](rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, scan func(interface{ Scan(...any) error }) (T, error), what string) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, translate(err, what)
		}
		out = append(out, v)
	}
	return out, translate(rows.Err(), what)
}

// CountRegistry counts a tenant's active vendors, applications and rules.
func (db *DB) CountRegistry(ctx context.Context, tenantID string) (registry.Counts, error) {
	var c registry.Counts
	err := db.reader().queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM vendors WHERE tenant_id = ? AND is_active = ?),
		(SELECT COUNT(*) FROM applications WHERE tenant_id = ? AND is_active = ?),
		(SELECT COUNT(*) FROM rules WHERE tenant_id = ? AND is_active = ?)`,
		tenantID, true, tenantID, true, tenantID, true).Scan(&c.Vendors, &c.Applications, &c.Rules)
	return c, translate(err, "registry counts")
}
