package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// rowsOf returns n rows of cols placeholders for a multi-row VALUES.
func rowsOf(n, cols int) string {
	row := "(" + placeholders(cols) + ")"
	return strings.Repeat(row+", ", n-1) + row
}

// decimalArg is an exact decimal as stored (canonical text), or NULL.
func decimalArg(d *decimal.Decimal) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// timeArg is a time as stored, NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// scanDecimal reads a stored decimal.
func scanDecimal(s sql.NullString) (*decimal.Decimal, error) {
	if !s.Valid {
		return nil, nil
	}
	d, err := decimal.NewFromString(s.String)
	if err != nil {
		return nil, fmt.Errorf("stored amount %q: %w", s.String, err)
	}
	return &d, nil
}

// StartERPSync marks a connector's sync running with zero counts.
func (db *DB) StartERPSync(ctx context.Context, tenantID, id string, full bool, at time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE erp_connectors SET sync_state = 'running', sync_full = ?, sync_started_at = ?,
			sync_finished_at = NULL, sync_error = '', sync_items_read = 0, sync_uoms_read = 0, sync_suppliers_read = 0,
			sync_prices_read = 0 WHERE tenant_id = ? AND id = ?`, full, at.UTC(), tenantID, id)
		return mustAffect(res, err, "ERP connector")
	})
}

// FinishERPSync records a sync's end with its audit row.
func (db *DB) FinishERPSync(ctx context.Context, tenantID, id string, at time.Time, errMsg string, watermark *time.Time, ev audit.Event) error {
	state := erp.SyncSucceeded
	if errMsg != "" {
		state = erp.SyncFailed
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE erp_connectors SET sync_state = ?, sync_finished_at = ?, sync_error = ?,
			watermark = COALESCE(?, watermark) WHERE tenant_id = ? AND id = ?`,
			string(state), at.UTC(), errMsg, timeOrNil(watermark), tenantID, id)
		if err := mustAffect(res, err, "ERP connector"); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// progress adds a batch to a sync's count column.
func (tx *Tx) erpProgress(ctx context.Context, tenantID, id, column string, n int) error {
	res, err := tx.exec(ctx, `UPDATE erp_connectors SET `+column+` = `+column+` + ? WHERE tenant_id = ? AND id = ?`, n, tenantID, id)
	return mustAffect(res, err, "ERP connector")
}

// UpsertERPItems stores a batch of items keyed by (connector, ERP key).
func (db *DB) UpsertERPItems(ctx context.Context, tenantID, connectorID string, batch []erp.Item, at time.Time) error {
	if len(batch) == 0 {
		return nil
	}
	batch = lastOf(batch, func(it erp.Item) string { return it.ExternalID })
	args := make([]any, 0, len(batch)*11)
	for _, it := range batch {
		args = append(args, ident.New(), tenantID, connectorID, it.ExternalID, it.ItemNumber, it.Description, it.BaseUOM,
			decimalArg(it.ListPrice), it.Active, timeArg(it.ModifiedAt), at.UTC())
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO erp_items (id, tenant_id, connector_id, external_id, item_number, description, base_uom,
			list_price, is_active, erp_modified_at, synced_at) VALUES `+rowsOf(len(batch), 11)+`
			ON CONFLICT (connector_id, external_id) DO UPDATE SET item_number = excluded.item_number,
			description = excluded.description, base_uom = excluded.base_uom, list_price = excluded.list_price,
			is_active = excluded.is_active, erp_modified_at = excluded.erp_modified_at, synced_at = excluded.synced_at`, args...)
		if err != nil {
			return translate(err, "ERP items")
		}
		return tx.erpProgress(ctx, tenantID, connectorID, "sync_items_read", len(batch))
	})
}

// lastOf keeps the last of each key, in order: one statement may not
// upsert a row twice.
func lastOf[T any](batch []T, key func(T) string) []T {
	seen := make(map[string]int, len(batch))
	out := make([]T, 0, len(batch))
	for _, v := range batch {
		if i, ok := seen[key(v)]; ok {
			out[i] = v
			continue
		}
		seen[key(v)] = len(out)
		out = append(out, v)
	}
	return out
}

// upsertChildren stores one batch of items' child rows, keyed by the
// item's ERP key, and counts the batch.
func upsertChildren[T any](ctx context.Context, db *DB, tenantID, connectorID, what, column string, batch []T,
	key func(T) string, cols int, row func(v T) []any, stmt string,
) error {
	if len(batch) == 0 {
		return nil
	}
	kept := lastOf(batch, key)
	args := make([]any, 0, len(kept)*cols)
	for _, v := range kept {
		args = append(args, row(v)...)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, fmt.Sprintf(stmt, rowsOf(len(kept), cols)), args...); err != nil {
			return translate(err, what)
		}
		return tx.erpProgress(ctx, tenantID, connectorID, column, len(batch))
	})
}

// UpsertERPUOMs stores a batch of item units.
func (db *DB) UpsertERPUOMs(ctx context.Context, tenantID, connectorID string, batch []erp.UOM) error {
	return upsertChildren(ctx, db, tenantID, connectorID, "ERP item units", "sync_uoms_read", batch,
		func(u erp.UOM) string { return u.ItemExternalID + "\x00" + u.UOM }, 6,
		func(u erp.UOM) []any {
			return []any{connectorID, u.ItemExternalID, tenantID, u.UOM, u.Factor.String(), timeArg(u.ModifiedAt)}
		},
		`INSERT INTO erp_item_uoms (connector_id, item_external_id, tenant_id, uom, factor, erp_modified_at) VALUES %s
		ON CONFLICT (connector_id, item_external_id, uom) DO UPDATE SET factor = excluded.factor, erp_modified_at = excluded.erp_modified_at`)
}

// UpsertERPSuppliers stores a batch of supplier parts.
func (db *DB) UpsertERPSuppliers(ctx context.Context, tenantID, connectorID string, batch []erp.SupplierPart) error {
	return upsertChildren(ctx, db, tenantID, connectorID, "ERP supplier parts", "sync_suppliers_read", batch,
		func(p erp.SupplierPart) string {
			return p.ItemExternalID + "\x00" + p.SupplierID + "\x00" + p.PartNumber
		}, 8,
		func(p erp.SupplierPart) []any {
			return []any{connectorID, p.ItemExternalID, tenantID, p.SupplierID, p.PartNumber, decimalArg(p.Cost), p.UOM, timeArg(p.ModifiedAt)}
		},
		`INSERT INTO erp_item_suppliers (connector_id, item_external_id, tenant_id, supplier_id, supplier_part_no, cost, uom,
		erp_modified_at) VALUES %s
		ON CONFLICT (connector_id, item_external_id, supplier_id, supplier_part_no) DO UPDATE SET cost = excluded.cost, uom = excluded.uom,
		erp_modified_at = excluded.erp_modified_at`)
}

// UpsertERPPrices stores a batch of prices.
func (db *DB) UpsertERPPrices(ctx context.Context, tenantID, connectorID string, batch []erp.Price) error {
	return upsertChildren(ctx, db, tenantID, connectorID, "ERP prices", "sync_prices_read", batch,
		func(p erp.Price) string { return p.Key }, 9,
		func(p erp.Price) []any {
			return []any{connectorID, p.Key, p.ItemExternalID, tenantID, p.UOM, p.Price.String(), timeOrNil(p.EffectiveFrom),
				timeOrNil(p.EffectiveTo), timeArg(p.ModifiedAt)}
		},
		`INSERT INTO erp_item_prices (connector_id, price_key, item_external_id, tenant_id, uom, price, effective_from, effective_to,
		erp_modified_at) VALUES %s
		ON CONFLICT (connector_id, price_key) DO UPDATE SET item_external_id = excluded.item_external_id, uom = excluded.uom, price = excluded.price,
		effective_from = excluded.effective_from, effective_to = excluded.effective_to, erp_modified_at = excluded.erp_modified_at`)
}

// ActiveERPConnectors lists the active connectors of providers.
func (db *DB) ActiveERPConnectors(ctx context.Context, providers []erp.Provider) ([]erp.ConnectorRef, error) {
	if len(providers) == 0 {
		return nil, nil
	}
	args := []any{true}
	for _, p := range providers {
		args = append(args, string(p))
	}
	return queryAll(ctx, db.reader(), "ERP connectors", func(r scanner) (erp.ConnectorRef, error) {
		var c erp.ConnectorRef
		return c, r.Scan(&c.TenantID, &c.ID)
	}, `SELECT tenant_id, id FROM erp_connectors WHERE is_active = ? AND provider IN (`+placeholders(len(providers))+`)
		ORDER BY tenant_id, id`, args...)
}

const erpItemColumns = `id, tenant_id, connector_id, external_id, item_number, description, base_uom, list_price, is_active,
	erp_modified_at, synced_at`

func scanERPItem(r scanner) (erp.StoredItem, error) {
	var it erp.StoredItem
	var price sql.NullString
	var modified sql.NullTime
	if err := r.Scan(&it.ID, &it.TenantID, &it.ConnectorID, &it.ExternalID, &it.ItemNumber, &it.Description, &it.BaseUOM,
		&price, &it.IsActive, &modified, &it.SyncedAt); err != nil {
		return it, err
	}
	it.ModifiedAt, it.SyncedAt = nullTime(modified), it.SyncedAt.UTC()
	var err error
	it.ListPrice, err = scanDecimal(price)
	return it, err
}

// ListERPItems lists a tenant's items by item number.
func (db *DB) ListERPItems(ctx context.Context, tenantID string, f erp.ItemFilter) ([]erp.StoredItem, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.eq("connector_id", f.ConnectorID)
	if f.ActiveOnly {
		c.add("is_active = ?", true)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		c.add(`(LOWER(item_number) LIKE ? OR LOWER(description) LIKE ? OR EXISTS (SELECT 1 FROM erp_item_suppliers s
			WHERE s.connector_id = erp_items.connector_id AND s.item_external_id = erp_items.external_id
			AND LOWER(s.supplier_part_no) LIKE ?))`, likePattern(q), likePattern(q), likePattern(q))
	}
	c.after(keys, "item_number")
	return listByName(ctx, db, "ERP items", erpItemColumns, "erp_items", "item_number", c, f.Limit, scanERPItem,
		func(it erp.StoredItem) (string, string) { return it.ItemNumber, it.ID })
}

// ERPItem returns one item with its units, supplier parts and prices.
func (db *DB) ERPItem(ctx context.Context, tenantID, id string) (erp.ItemDetail, error) {
	it, err := scanERPItem(db.reader().queryRow(ctx, `SELECT `+erpItemColumns+` FROM erp_items WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return erp.ItemDetail{}, translate(err, "ERP item")
	}
	d := erp.ItemDetail{StoredItem: it}
	if d.UOMs, err = queryAll(ctx, db.reader(), "ERP item units", func(r scanner) (erp.StoredUOM, error) {
		var u erp.StoredUOM
		var f string
		if err := r.Scan(&u.UOM, &f); err != nil {
			return u, err
		}
		u.Factor, err = decimal.NewFromString(f)
		return u, err
	}, `SELECT uom, factor FROM erp_item_uoms WHERE tenant_id = ? AND connector_id = ? AND item_external_id = ?
		ORDER BY uom`, tenantID, it.ConnectorID, it.ExternalID); err != nil {
		return d, err
	}
	if d.Suppliers, err = queryAll(ctx, db.reader(), "ERP supplier parts", func(r scanner) (erp.StoredSupplier, error) {
		var s erp.StoredSupplier
		var cost sql.NullString
		if err := r.Scan(&s.SupplierID, &s.PartNumber, &cost, &s.UOM); err != nil {
			return s, err
		}
		s.Cost, err = scanDecimal(cost)
		return s, err
	}, `SELECT supplier_id, supplier_part_no, cost, uom FROM erp_item_suppliers WHERE tenant_id = ? AND connector_id = ?
		AND item_external_id = ? ORDER BY supplier_id, supplier_part_no`, tenantID, it.ConnectorID, it.ExternalID); err != nil {
		return d, err
	}
	d.Prices, err = queryAll(ctx, db.reader(), "ERP prices", func(r scanner) (erp.StoredPrice, error) {
		var p erp.StoredPrice
		var price string
		var from, to sql.NullTime
		if err := r.Scan(&p.Key, &p.UOM, &price, &from, &to); err != nil {
			return p, err
		}
		p.EffectiveFrom, p.EffectiveTo = nullTime(from), nullTime(to)
		p.Price, err = decimal.NewFromString(price)
		return p, err
	}, `SELECT price_key, uom, price, effective_from, effective_to FROM erp_item_prices WHERE tenant_id = ? AND connector_id = ?
		AND item_external_id = ? ORDER BY effective_from, price_key`, tenantID, it.ConnectorID, it.ExternalID)
	if d.UOMs == nil {
		d.UOMs = []erp.StoredUOM{}
	}
	if d.Suppliers == nil {
		d.Suppliers = []erp.StoredSupplier{}
	}
	if d.Prices == nil {
		d.Prices = []erp.StoredPrice{}
	}
	return d, err
}
