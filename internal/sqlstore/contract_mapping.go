package sqlstore

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/contract"
)

// MatchCatalog returns the tenant's ERP items with units and supplier parts.
func (db *DB) MatchCatalog(ctx context.Context, tenantID string) ([]contract.CatalogItem, error) {
	return db.catalog(ctx, tenantID, "")
}

// CatalogItem returns one ERP item for matching.
func (db *DB) CatalogItem(ctx context.Context, tenantID, id string) (contract.CatalogItem, error) {
	out, err := db.catalog(ctx, tenantID, " AND i.id = ?", id)
	if err != nil {
		return contract.CatalogItem{}, err
	}
	if len(out) == 0 {
		return contract.CatalogItem{}, apperr.NotFoundf("ERP item not found")
	}
	return out[0], nil
}

// catalog reads items (narrowed by the extra condition on i) and their
// units and supplier parts, joined by the ERP's own item key.
func (db *DB) catalog(ctx context.Context, tenantID, cond string, condArgs ...any) ([]contract.CatalogItem, error) {
	args := append([]any{tenantID}, condArgs...)
	items, err := queryAll(ctx, db.reader(), "ERP items", func(r scanner) (contract.CatalogItem, error) {
		it := contract.CatalogItem{Units: map[string]decimal.Decimal{}}
		err := r.Scan(&it.ID, &it.Number, &it.Description, &it.BaseUOM, &it.Active)
		return it, err
	}, `SELECT i.id, i.item_number, i.description, i.base_uom, i.is_active FROM erp_items i WHERE i.tenant_id = ?`+cond+` ORDER BY i.id`, args...)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]int, len(items))
	for i, it := range items {
		byID[it.ID] = i
	}
	type sub struct{ id, a, b string }
	scanSub := func(r scanner) (sub, error) {
		var s sub
		return s, r.Scan(&s.id, &s.a, &s.b)
	}
	uoms, err := queryAll(ctx, db.reader(), "ERP units", scanSub, `SELECT i.id, u.uom, u.factor FROM erp_item_uoms u
		JOIN erp_items i ON i.connector_id = u.connector_id AND i.external_id = u.item_external_id
		WHERE i.tenant_id = ?`+cond, args...)
	if err != nil {
		return nil, err
	}
	for _, u := range uoms {
		f, err := decimal.NewFromString(u.b)
		if i, ok := byID[u.id]; ok && err == nil {
			items[i].Units[u.a] = f
		}
	}
	parts, err := queryAll(ctx, db.reader(), "ERP supplier parts", scanSub, `SELECT i.id, s.supplier_part_no, s.supplier_id
		FROM erp_item_suppliers s JOIN erp_items i ON i.connector_id = s.connector_id AND i.external_id = s.item_external_id
		WHERE i.tenant_id = ?`+cond, args...)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		if i, ok := byID[p.id]; ok && p.a != "" {
			items[i].Parts = append(items[i].Parts, p.a)
		}
	}
	return items, nil
}

const vendorItemSelect = `SELECT l.vendor_item_number, l.vendor_uom, MIN(c.vendor_id), MAX(l.vendor_description), COUNT(*)
	FROM vendor_contract_lines l JOIN vendor_contracts c ON c.tenant_id = l.tenant_id AND c.id = l.vendor_contract_id AND c.status = 'active'
	WHERE l.tenant_id = ?`

func scanVendorItem(r scanner) (contract.VendorItem, error) {
	var v contract.VendorItem
	return v, r.Scan(&v.ItemNumber, &v.UOM, &v.VendorID, &v.Description, &v.Lines)
}

// UnmappedItems lists vendor items with no approved mapping.
func (db *DB) UnmappedItems(ctx context.Context, tenantID string, f contract.UnmappedFilter) ([]contract.VendorItem, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	q := vendorItemSelect + ` AND NOT EXISTS (SELECT 1 FROM item_mappings m WHERE m.tenant_id = l.tenant_id
		AND m.vendor_item_number = l.vendor_item_number AND m.vendor_uom = l.vendor_uom)`
	args := []any{tenantID}
	if f.VendorID != "" {
		q += ` AND c.vendor_id = ?`
		args = append(args, f.VendorID)
	}
	if keys != nil {
		q += ` AND (l.vendor_item_number > ? OR (l.vendor_item_number = ? AND l.vendor_uom > ?))`
		args = append(args, keys[0], keys[0], keys[1])
	}
	limit := clampLimit(f.Limit)
	out, err := queryAll(ctx, db.reader(), "unmapped items", scanVendorItem,
		q+` GROUP BY l.vendor_item_number, l.vendor_uom ORDER BY l.vendor_item_number, l.vendor_uom LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, limit, func(v contract.VendorItem) []string { return []string{v.ItemNumber, v.UOM} })
	return out, next, nil
}

// VendorItem returns a vendor item priced by the tenant's contracts.
func (db *DB) VendorItem(ctx context.Context, tenantID string, k contract.ItemKey) (contract.VendorItem, error) {
	v, err := scanVendorItem(db.reader().queryRow(ctx, vendorItemSelect+` AND l.vendor_item_number = ? AND l.vendor_uom = ?
		GROUP BY l.vendor_item_number, l.vendor_uom`, tenantID, k.ItemNumber, k.UOM))
	return v, translate(err, "vendor item")
}

// MappingRejections returns the tenant's turned-down suggestions.
func (db *DB) MappingRejections(ctx context.Context, tenantID string) (map[contract.ItemKey]map[string]bool, error) {
	type rej struct {
		k  contract.ItemKey
		id string
	}
	rows, err := queryAll(ctx, db.reader(), "mapping rejections", func(r scanner) (rej, error) {
		var x rej
		return x, r.Scan(&x.k.ItemNumber, &x.k.UOM, &x.id)
	}, `SELECT vendor_item_number, vendor_uom, erp_item_id FROM item_mapping_rejections WHERE tenant_id = ?`, tenantID)
	out := map[contract.ItemKey]map[string]bool{}
	for _, x := range rows {
		if out[x.k] == nil {
			out[x.k] = map[string]bool{}
		}
		out[x.k][x.id] = true
	}
	return out, err
}

// SaveMappings stores approved mappings with their audit rows.
func (db *DB) SaveMappings(ctx context.Context, tenantID string, ms []contract.ItemMapping, replace bool, evs []audit.Event) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		conflict := `DO NOTHING`
		if replace {
			conflict = `DO UPDATE SET id = excluded.id, vendor_id = excluded.vendor_id, erp_item_id = excluded.erp_item_id,
				erp_uom = excluded.erp_uom, confidence = excluded.confidence, evidence = excluded.evidence, method = excluded.method,
				approved_by = excluded.approved_by, approved_at = excluded.approved_at`
		}
		for i, m := range ms {
			if err := tx.requireERPItem(ctx, tenantID, m.ERPItemID); err != nil {
				return err
			}
			ev, _ := json.Marshal(m.Evidence) // plain strings and numbers always marshal
			res, err := tx.exec(ctx, `INSERT INTO item_mappings (id, tenant_id, vendor_id, vendor_item_number, vendor_uom, erp_item_id,
				erp_uom, confidence, evidence, method, approved_by, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant_id, vendor_item_number, vendor_uom) `+conflict,
				m.ID, tenantID, m.VendorID, m.ItemNumber, m.UOM, m.ERPItemID, m.ERPUOM, m.Confidence, string(ev), string(m.Method),
				m.ApprovedBy, m.ApprovedAt.UTC())
			if err != nil {
				return translate(err, "item mapping")
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			n++
			if err := tx.Audit(ctx, evs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// RejectSuggestion remembers a turned-down suggestion.
func (db *DB) RejectSuggestion(ctx context.Context, tenantID string, k contract.ItemKey, erpItemID, by string, at time.Time, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.requireERPItem(ctx, tenantID, erpItemID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO item_mapping_rejections (tenant_id, vendor_item_number, vendor_uom, erp_item_id, rejected_by,
			rejected_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, vendor_item_number, vendor_uom, erp_item_id) DO NOTHING`,
			tenantID, k.ItemNumber, k.UOM, erpItemID, by, at.UTC()); err != nil {
			return translate(err, "mapping rejection")
		}
		return tx.Audit(ctx, ev)
	})
}

const mappingColumns = `m.id, m.tenant_id, m.vendor_item_number, m.vendor_uom, m.vendor_id, m.erp_item_id, i.item_number, m.erp_uom,
	m.confidence, m.evidence, m.method, m.approved_by, m.approved_at`

const mappingFrom = ` FROM item_mappings m JOIN erp_items i ON i.id = m.erp_item_id`

func scanMapping(r scanner) (contract.ItemMapping, error) {
	var m contract.ItemMapping
	var ev, method string
	err := r.Scan(&m.ID, &m.TenantID, &m.ItemNumber, &m.UOM, &m.VendorID, &m.ERPItemID, &m.ERPItemNumber, &m.ERPUOM,
		&m.Confidence, &ev, &method, &m.ApprovedBy, &m.ApprovedAt)
	m.Method, m.ApprovedAt = contract.MappingMethod(method), m.ApprovedAt.UTC()
	m.Evidence = []contract.MatchEvidence{}
	_ = json.Unmarshal([]byte(ev), &m.Evidence) // written by SaveMappings; a damaged value reads as no evidence
	return m, err
}

// ItemMapping returns one approved mapping.
func (db *DB) ItemMapping(ctx context.Context, tenantID, id string) (contract.ItemMapping, error) {
	m, err := scanMapping(db.reader().queryRow(ctx, `SELECT `+mappingColumns+mappingFrom+` WHERE m.tenant_id = ? AND m.id = ?`, tenantID, id))
	return m, translate(err, "item mapping")
}

// ListMappings lists approved mappings by vendor item.
func (db *DB) ListMappings(ctx context.Context, tenantID string, f contract.MappingFilter) ([]contract.ItemMapping, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := &conds{where: []string{"m.tenant_id = ?"}, args: []any{tenantID}}
	c.eq("m.vendor_id", f.VendorID)
	c.search(f.Query, "m.vendor_item_number", "i.item_number")
	if keys != nil {
		c.add("(m.vendor_item_number > ? OR (m.vendor_item_number = ? AND m.vendor_uom > ?))", keys[0], keys[0], keys[1])
	}
	limit := clampLimit(f.Limit)
	out, err := queryAll(ctx, db.reader(), "item mappings", scanMapping, `SELECT `+mappingColumns+mappingFrom+` WHERE `+c.sql()+
		` ORDER BY m.vendor_item_number, m.vendor_uom LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, limit, func(m contract.ItemMapping) []string { return []string{m.ItemNumber, m.UOM} })
	return out, next, nil
}

// DeleteMapping removes an approved mapping with its audit row.
func (db *DB) DeleteMapping(ctx context.Context, tenantID, id string, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM item_mappings WHERE tenant_id = ? AND id = ?`, tenantID, id)
		if err := mustAffect(res, err, "item mapping"); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// UpdateMapping rewrites an approved mapping's ERP side with its audit row.
func (db *DB) UpdateMapping(ctx context.Context, tenantID string, m contract.ItemMapping, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.requireERPItem(ctx, tenantID, m.ERPItemID); err != nil {
			return err
		}
		evidence, _ := json.Marshal(m.Evidence) // plain strings and numbers always marshal
		res, err := tx.exec(ctx, `UPDATE item_mappings SET erp_item_id = ?, erp_uom = ?, confidence = ?, evidence = ?, method = ?,
			approved_by = ?, approved_at = ? WHERE tenant_id = ? AND id = ?`, m.ERPItemID, m.ERPUOM, m.Confidence, string(evidence),
			string(m.Method), m.ApprovedBy, m.ApprovedAt.UTC(), tenantID, m.ID)
		if err := mustAffect(res, err, "item mapping"); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// requireERPItem refuses an ERP item id that is not the tenant's.
func (tx *Tx) requireERPItem(ctx context.Context, tenantID, id string) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM erp_items WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&n); err != nil {
		return translate(err, "ERP item")
	}
	if n == 0 {
		return invalidRef("erp_item_id", id)
	}
	return nil
}

// cutPage trims a page read with one row too many to limit rows and
// returns the cursor of the next page (the last row's sort key), "" when
// there is none; an empty page is an empty list, never null.
func cutPage[T any](out []T, limit int, key func(T) []string) ([]T, string) {
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(key(out[limit-1])...)
	}
	if out == nil {
		out = []T{}
	}
	return out, next
}
