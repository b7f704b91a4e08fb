package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/contract"
)

// bulkReconLines is the contract size from which a run reads the
// tenant's mappings and items, and the units and prices of their
// connectors, in one pass each, instead of reaching them line by line
// through the indexes: sequential reads of whole tables beat a hundred
// thousand index lookups, while a small contract in a large catalog
// keeps the lookups.
const bulkReconLines = 2000

// reconBulk fills in's lines, mappings and mapped items (with units and
// prices) for a large contract.
func (db *DB) reconBulk(ctx context.Context, tenantID string, in *contract.ReconInput) error {
	cn := db.reader()
	lines, err := queryAll(ctx, cn, "contract lines", func(r scanner) (contract.Line, error) {
		var l contract.Line
		var start, end sql.NullTime
		err := r.Scan(&l.ID, &l.LineNumber, &l.ItemNumber, &l.UOM, &l.Description, &l.Price, &l.Currency, &start, &end)
		l.ContractID, l.EffectiveStart, l.EffectiveEnd = in.Contract.ID, utcDate(start), utcDate(end)
		return l, err
	}, `SELECT id, line_number, vendor_item_number, vendor_uom, vendor_description, contract_price, currency, effective_start, effective_end
		FROM vendor_contract_lines WHERE tenant_id = ? AND vendor_contract_id = ? ORDER BY line_number`, tenantID, in.Contract.ID)
	if err != nil {
		return err
	}
	in.Lines = lines
	wanted := make(map[contract.ItemKey]bool, len(lines))
	for _, l := range lines {
		wanted[contract.ItemKey{ItemNumber: l.ItemNumber, UOM: l.UOM}] = true
	}
	rows, err := cn.query(ctx, `SELECT id, vendor_item_number, vendor_uom, erp_item_id, erp_uom, confidence, evidence
		FROM item_mappings WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return translate(err, "item mappings")
	}
	used := map[string]bool{}
	for rows.Next() {
		m := contract.ItemMapping{TenantID: tenantID}
		var evidence string
		if err := rows.Scan(&m.ID, &m.ItemNumber, &m.UOM, &m.ERPItemID, &m.ERPUOM, &m.Confidence, &evidence); err != nil {
			rows.Close()
			return translate(err, "item mappings")
		}
		if !wanted[m.ItemKey] {
			continue
		}
		m.Evidence = []contract.MatchEvidence{}
		_ = json.Unmarshal([]byte(evidence), &m.Evidence) // written by SaveMappings; damaged evidence reads as none
		in.Mappings[m.ItemKey] = m
		used[m.ERPItemID] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return translate(err, "item mappings")
	}
	return db.reconBulkItems(ctx, tenantID, in, used)
}

// itemRef is an ERP item by its connector's own key.
type itemRef struct{ connector, external string }

// reconBulkItems reads the used ERP items of the tenant, then the units
// and prices of their connectors.
func (db *DB) reconBulkItems(ctx context.Context, tenantID string, in *contract.ReconInput, used map[string]bool) error {
	cn := db.reader()
	rows, err := cn.query(ctx, `SELECT id, connector_id, external_id, item_number, description, base_uom, is_active, list_price
		FROM erp_items WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return translate(err, "ERP items")
	}
	byRef := map[itemRef]string{}
	connectors := map[string]bool{}
	for rows.Next() {
		var it contract.ReconItem
		var ref itemRef
		var list sql.NullString
		if err := rows.Scan(&it.ID, &ref.connector, &ref.external, &it.Number, &it.Description, &it.BaseUOM, &it.Active, &list); err != nil {
			rows.Close()
			return translate(err, "ERP items")
		}
		if !used[it.ID] {
			continue
		}
		if it.ListPrice, err = scanDecimal(list); err != nil {
			rows.Close()
			return err
		}
		it.Units = map[string]decimal.Decimal{}
		in.Items[it.ID] = it
		byRef[ref] = it.ID
		connectors[ref.connector] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return translate(err, "ERP items")
	}
	for k, m := range in.Mappings {
		m.ERPItemNumber = in.Items[m.ERPItemID].Number
		in.Mappings[k] = m
	}
	for conn := range connectors {
		if err := db.reconBulkUnits(ctx, conn, in.Items, byRef); err != nil {
			return err
		}
		if !in.Features.AdvancedRules {
			continue
		}
		if err := db.reconBulkCosts(ctx, conn, in.Items, byRef); err != nil {
			return err
		}
	}
	return nil
}

// reconBulkCosts adds the supplier costs of one connector's items, in
// the order reconCosts reads them.
func (db *DB) reconBulkCosts(ctx context.Context, conn string, items map[string]contract.ReconItem, byRef map[itemRef]string) error {
	rows, err := db.reader().query(ctx, `SELECT item_external_id, supplier_id, supplier_part_no, uom, cost FROM erp_item_suppliers
		WHERE connector_id = ? AND cost IS NOT NULL ORDER BY supplier_id, supplier_part_no`, conn)
	if err != nil {
		return translate(err, "ERP supplier costs")
	}
	defer rows.Close()
	for rows.Next() {
		var ext, amount string
		var c contract.SupplierCost
		if err := rows.Scan(&ext, &c.SupplierID, &c.PartNumber, &c.UOM, &amount); err != nil {
			return translate(err, "ERP supplier costs")
		}
		id, ok := byRef[itemRef{conn, ext}]
		if !ok {
			continue
		}
		if c.Cost, err = decimal.NewFromString(amount); err != nil {
			return translate(err, "ERP supplier costs")
		}
		it := items[id]
		it.Costs = append(it.Costs, c)
		items[id] = it
	}
	return translate(rows.Err(), "ERP supplier costs")
}

// reconBulkUnits adds the units and prices of one connector's items.
func (db *DB) reconBulkUnits(ctx context.Context, conn string, items map[string]contract.ReconItem, byRef map[itemRef]string) error {
	cn := db.reader()
	rows, err := cn.query(ctx, `SELECT item_external_id, uom, factor FROM erp_item_uoms WHERE connector_id = ?`, conn)
	if err != nil {
		return translate(err, "ERP units")
	}
	for rows.Next() {
		var ext, uom, factor string
		if err := rows.Scan(&ext, &uom, &factor); err != nil {
			rows.Close()
			return translate(err, "ERP units")
		}
		if id, ok := byRef[itemRef{conn, ext}]; ok {
			if f, err := decimal.NewFromString(factor); err == nil {
				items[id].Units[uom] = f
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return translate(err, "ERP units")
	}
	rows, err = cn.query(ctx, `SELECT item_external_id, uom, price, effective_from, effective_to FROM erp_item_prices
		WHERE connector_id = ? ORDER BY price_key`, conn)
	if err != nil {
		return translate(err, "ERP prices")
	}
	defer rows.Close()
	for rows.Next() {
		var ext, price string
		var p contract.ItemPrice
		var from, to sql.NullTime
		if err := rows.Scan(&ext, &p.UOM, &price, &from, &to); err != nil {
			return translate(err, "ERP prices")
		}
		id, ok := byRef[itemRef{conn, ext}]
		if !ok {
			continue
		}
		if p.Price, err = decimal.NewFromString(price); err != nil {
			return translate(err, "ERP prices")
		}
		p.From, p.To = timePtr(from), timePtr(to)
		it := items[id]
		it.Prices = append(it.Prices, p)
		items[id] = it
	}
	return translate(rows.Err(), "ERP prices")
}
