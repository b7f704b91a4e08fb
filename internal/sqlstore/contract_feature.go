package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/contract"
)

// keyContractFeatures is the settings row holding a tenant's contract
// features as JSON.
const keyContractFeatures = "contracts.features"

// Features returns the tenant's contract features, all off when never
// saved.
func (db *DB) Features(ctx context.Context, tenantID string) (contract.Features, error) {
	return readFeatures(ctx, db.reader(), tenantID)
}

func readFeatures(ctx context.Context, cn conn, tenantID string) (contract.Features, error) {
	var f contract.Features
	var raw string
	err := cn.queryRow(ctx, `SELECT value FROM settings WHERE tenant_id = ? AND key = ?`, tenantID, keyContractFeatures).Scan(&raw)
	if err == sql.ErrNoRows {
		return f, nil
	}
	if err != nil {
		return f, translate(err, "contract features")
	}
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		return f, apperr.Wrap(apperr.Internal, err, "stored contract features are not valid JSON")
	}
	f.UpdatedAt = f.UpdatedAt.UTC()
	return f, nil
}

// SaveFeatures stores the tenant's contract features with the audit row.
func (db *DB) SaveFeatures(ctx context.Context, tenantID string, f contract.Features, ev audit.Event) error {
	b, err := json.Marshal(f)
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "contract features")
	}
	return db.SaveSettings(ctx, tenantID, map[string]string{keyContractFeatures: string(b)}, f.UpdatedBy, ev)
}

// DeleteTolerance removes a vendor's own price tolerance.
func (db *DB) DeleteTolerance(ctx context.Context, tenantID, vendorID string, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM price_tolerances WHERE tenant_id = ? AND vendor_id = ?`, tenantID, vendorID)
		if err := mustAffect(res, err, "price tolerance"); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// PriceChanges lists overridden price and cost exceptions as price
// changes, oldest first, each with the export holding it.
func (db *DB) PriceChanges(ctx context.Context, tenantID, cursor string, limit int) ([]contract.PriceChange, string, error) {
	keys, err := decodeCursor(cursor, 1)
	if err != nil {
		return nil, "", err
	}
	args := []any{tenantID}
	after := ""
	if keys != nil {
		after, args = " AND e.id > ?", append(args, keys[0])
	}
	limit = clampLimit(limit)
	out, err := queryPriceChanges(ctx, db.reader(), after+" ORDER BY e.id LIMIT "+strconv.Itoa(limit+1), args...)
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, limit, func(c contract.PriceChange) []string { return []string{c.ExceptionID} })
	return out, next, nil
}

// UnexportedPriceChanges returns the price changes no export holds,
// oldest first.
func (db *DB) UnexportedPriceChanges(ctx context.Context, tenantID string) ([]contract.PriceChange, error) {
	return queryPriceChanges(ctx, db.reader(), " AND x.export_id IS NULL ORDER BY e.id", tenantID)
}

// queryPriceChanges reads the tenant's overridden price and cost
// exceptions as price changes; more continues the WHERE clause (after
// the tenant) and orders. The supplier is the ERP supplier whose part
// number is the vendor item, else the item's only supplier.
func queryPriceChanges(ctx context.Context, cn conn, more string, args ...any) ([]contract.PriceChange, error) {
	return queryAll(ctx, cn, "price changes", func(r scanner) (contract.PriceChange, error) {
		var c contract.PriceChange
		var rule, fc string
		var item, supplier, only, export sql.NullString
		var start, end, cStart, cEnd sql.NullTime
		if err := r.Scan(&c.ExceptionID, &rule, &fc, &c.ApprovedAt, &c.ContractNumber, &cStart, &cEnd, &c.LineNumber, &c.VendorItem,
			&c.Description, &c.Price, &c.UOM, &start, &end, &item, &supplier, &only, &export); err != nil {
			return c, err
		}
		c.Rule, c.ERPItemNumber, c.ApprovedAt, c.ExportID = contract.Rule(rule), item.String, c.ApprovedAt.UTC(), export.String
		c.SupplierID = supplier.String
		if c.SupplierID == "" {
			c.SupplierID = only.String
		}
		c.EffectiveStart, c.EffectiveEnd = utcDate(start), utcDate(end)
		if c.EffectiveStart == nil {
			c.EffectiveStart = utcDate(cStart)
		}
		if c.EffectiveEnd == nil {
			c.EffectiveEnd = utcDate(cEnd)
		}
		var x contract.FindingContext
		_ = json.Unmarshal([]byte(fc), &x) // written by FinishRun; damaged evidence falls back to the line's own price
		if p, err := decimal.NewFromString(x.ConvertedPrice); err == nil && x.ERPPriceUOM != "" {
			c.Price, c.UOM = p, x.ERPPriceUOM
		}
		if x.SupplierID != "" {
			c.SupplierID = x.SupplierID
		}
		return c, nil
	}, `SELECT e.id, e.rule_code, e.context, e.updated_at, c.contract_number, c.effective_start, c.effective_end, l.line_number,
		l.vendor_item_number, l.vendor_description, l.contract_price, l.vendor_uom, l.effective_start, l.effective_end, i.item_number,
		(SELECT MIN(s.supplier_id) FROM erp_item_suppliers s WHERE s.connector_id = i.connector_id AND s.item_external_id = i.external_id
			AND s.supplier_part_no = l.vendor_item_number),
		(SELECT CASE WHEN COUNT(DISTINCT s.supplier_id) = 1 THEN MIN(s.supplier_id) END FROM erp_item_suppliers s
			WHERE s.connector_id = i.connector_id AND s.item_external_id = i.external_id),
		x.export_id
		FROM reconciliation_exceptions e
		JOIN vendor_contracts c ON c.id = e.vendor_contract_id
		JOIN vendor_contract_lines l ON l.id = e.vendor_contract_line_id
		LEFT JOIN erp_items i ON i.id = e.erp_item_id
		LEFT JOIN price_export_changes x ON x.tenant_id = e.tenant_id AND x.exception_id = e.id
		WHERE e.tenant_id = ? AND e.status = 'overridden' AND e.rule_code IN ('PRICE_MISMATCH', 'COST_MISMATCH')`+more, args...)
}
