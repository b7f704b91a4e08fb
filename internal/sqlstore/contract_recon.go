package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// exceptionRows is how many exceptions one INSERT or UPDATE carries
// (15 columns each stay far below either engine's parameter limit).
const exceptionRows = 500

// mappedItems reaches the ERP items of a contract's lines from the
// lines, through their mappings: both engines walk it by index from the
// contract (DISTINCT folds items several lines share).
const mappedItems = ` FROM vendor_contract_lines l
	JOIN item_mappings m ON m.tenant_id = l.tenant_id AND m.vendor_item_number = l.vendor_item_number AND m.vendor_uom = l.vendor_uom
	JOIN erp_items i ON i.id = m.erp_item_id`

// ReconInput reads a contract, its lines with their mappings and mapped
// ERP items (one pass), the items' units and prices, the vendor's
// tolerance and the contract's exceptions.
func (db *DB) ReconInput(ctx context.Context, tenantID, contractID string) (contract.ReconInput, error) {
	var in contract.ReconInput
	var err error
	if in.Contract, err = db.Contract(ctx, tenantID, contractID); err != nil {
		return in, err
	}
	in.Mappings = map[contract.ItemKey]contract.ItemMapping{}
	in.Items = map[string]contract.ReconItem{}
	bulk := bulkReconLines
	if db.BulkReconLines > 0 {
		bulk = db.BulkReconLines
	}
	if in.Features, err = readFeatures(ctx, db.reader(), tenantID); err != nil {
		return in, err
	}
	if in.Contract.LineCount >= bulk {
		err = db.reconBulk(ctx, tenantID, &in)
	} else {
		err = db.reconJoined(ctx, tenantID, &in)
	}
	if err != nil {
		return in, err
	}
	tols, err := db.Tolerances(ctx, tenantID)
	if err != nil {
		return in, err
	}
	for _, t := range tols {
		if t.VendorID == "" || t.VendorID == in.Contract.VendorID {
			in.Tolerance = t // the default sorts first, so a vendor's own wins
		}
	}
	in.Existing, err = queryAll(ctx, db.reader(), "exceptions", func(r scanner) (contract.ExistingException, error) {
		var e contract.ExistingException
		var rule, status string
		err := r.Scan(&e.ID, &e.LineID, &rule, &status)
		e.Rule, e.Status = contract.Rule(rule), contract.ExceptionStatus(status)
		return e, err
	}, `SELECT id, vendor_contract_line_id, rule_code, status FROM reconciliation_exceptions WHERE tenant_id = ? AND vendor_contract_id = ?`,
		tenantID, contractID)
	return in, err
}

// reconJoined fills in's lines with their mappings and mapped items in
// one pass, then the items' units and prices, for a contract smaller
// than bulkReconLines.
func (db *DB) reconJoined(ctx context.Context, tenantID string, in *contract.ReconInput) error {
	contractID := in.Contract.ID
	var err error
	if in.Lines, err = queryAll(ctx, db.reader(), "contract lines", func(r scanner) (contract.Line, error) {
		var l contract.Line
		var start, end sql.NullTime
		var mID, mItem, mUOM, mEvidence, iNumber, iDesc, iBase, iList sql.NullString
		var mConf sql.NullFloat64
		var iActive sql.NullBool
		if err := r.Scan(&l.ID, &l.LineNumber, &l.ItemNumber, &l.UOM, &l.Description, &l.Price, &l.Currency, &start, &end,
			&mID, &mItem, &mUOM, &mConf, &mEvidence, &iNumber, &iDesc, &iBase, &iActive, &iList); err != nil {
			return l, err
		}
		l.ContractID, l.EffectiveStart, l.EffectiveEnd = contractID, utcDate(start), utcDate(end)
		k := contract.ItemKey{ItemNumber: l.ItemNumber, UOM: l.UOM}
		if !mID.Valid {
			return l, nil
		}
		if _, seen := in.Mappings[k]; !seen {
			m := contract.ItemMapping{ID: mID.String, TenantID: tenantID, ItemKey: k, ERPItemID: mItem.String, ERPItemNumber: iNumber.String,
				ERPUOM: mUOM.String, Confidence: mConf.Float64, Evidence: []contract.MatchEvidence{}}
			_ = json.Unmarshal([]byte(mEvidence.String), &m.Evidence) // written by SaveMappings; damaged evidence reads as none
			in.Mappings[k] = m
		}
		if _, seen := in.Items[mItem.String]; !seen {
			it := contract.ReconItem{CatalogItem: contract.CatalogItem{ID: mItem.String, Number: iNumber.String, Description: iDesc.String,
				BaseUOM: iBase.String, Active: iActive.Bool, Units: map[string]decimal.Decimal{}}}
			var err error
			if it.ListPrice, err = scanDecimal(iList); err != nil {
				return l, err
			}
			in.Items[mItem.String] = it
		}
		return l, nil
	}, `SELECT l.id, l.line_number, l.vendor_item_number, l.vendor_uom, l.vendor_description, l.contract_price, l.currency,
		l.effective_start, l.effective_end, m.id, m.erp_item_id, m.erp_uom, m.confidence, m.evidence,
		i.item_number, i.description, i.base_uom, i.is_active, i.list_price
		FROM vendor_contract_lines l
		LEFT JOIN item_mappings m ON m.tenant_id = l.tenant_id AND m.vendor_item_number = l.vendor_item_number AND m.vendor_uom = l.vendor_uom
		LEFT JOIN erp_items i ON i.id = m.erp_item_id
		WHERE l.tenant_id = ? AND l.vendor_contract_id = ? ORDER BY l.line_number`, tenantID, contractID); err != nil {
		return err
	}
	if err := db.reconUnits(ctx, tenantID, contractID, in.Items); err != nil {
		return err
	}
	if !in.Features.AdvancedRules {
		return nil
	}
	return db.reconCosts(ctx, tenantID, contractID, in.Items)
}

// reconUnits adds the units and prices of the mapped ERP items.
func (db *DB) reconUnits(ctx context.Context, tenantID, contractID string, items map[string]contract.ReconItem) error {
	if len(items) == 0 {
		return nil
	}
	type unit struct {
		id, uom, factor string
	}
	uoms, err := queryAll(ctx, db.reader(), "ERP units", func(r scanner) (unit, error) {
		var u unit
		return u, r.Scan(&u.id, &u.uom, &u.factor)
	}, `SELECT DISTINCT i.id, u.uom, u.factor`+mappedItems+`
		JOIN erp_item_uoms u ON u.connector_id = i.connector_id AND u.item_external_id = i.external_id
		WHERE l.tenant_id = ? AND l.vendor_contract_id = ?`, tenantID, contractID)
	if err != nil {
		return err
	}
	for _, u := range uoms {
		if f, err := decimal.NewFromString(u.factor); err == nil {
			if it, ok := items[u.id]; ok {
				it.Units[u.uom] = f
			}
		}
	}
	type price struct {
		id string
		contract.ItemPrice
	}
	prices, err := queryAll(ctx, db.reader(), "ERP prices", func(r scanner) (price, error) {
		var x price
		var p string
		var from, to sql.NullTime
		var key string
		if err := r.Scan(&x.id, &key, &x.UOM, &p, &from, &to); err != nil {
			return x, err
		}
		x.From, x.To = timePtr(from), timePtr(to)
		var err error
		x.Price, err = decimal.NewFromString(p)
		return x, err
	}, `SELECT DISTINCT i.id, p.price_key, p.uom, p.price, p.effective_from, p.effective_to`+mappedItems+`
		JOIN erp_item_prices p ON p.connector_id = i.connector_id AND p.item_external_id = i.external_id
		WHERE l.tenant_id = ? AND l.vendor_contract_id = ? ORDER BY i.id, p.price_key`, tenantID, contractID)
	if err != nil {
		return err
	}
	for _, p := range prices {
		if it, ok := items[p.id]; ok {
			it.Prices = append(it.Prices, p.ItemPrice)
			items[p.id] = it
		}
	}
	return nil
}

// reconCosts adds the supplier costs of the mapped ERP items, for a
// contract smaller than bulkReconLines.
func (db *DB) reconCosts(ctx context.Context, tenantID, contractID string, items map[string]contract.ReconItem) error {
	type cost struct {
		id string
		contract.SupplierCost
	}
	costs, err := queryAll(ctx, db.reader(), "ERP supplier costs", func(r scanner) (cost, error) {
		var c cost
		var amount string
		if err := r.Scan(&c.id, &c.SupplierID, &c.PartNumber, &c.UOM, &amount); err != nil {
			return c, err
		}
		var err error
		c.Cost, err = decimal.NewFromString(amount)
		return c, err
	}, `SELECT DISTINCT i.id, s.supplier_id, s.supplier_part_no, s.uom, s.cost`+mappedItems+`
		JOIN erp_item_suppliers s ON s.connector_id = i.connector_id AND s.item_external_id = i.external_id
		WHERE l.tenant_id = ? AND l.vendor_contract_id = ? AND s.cost IS NOT NULL ORDER BY i.id, s.supplier_id, s.supplier_part_no`,
		tenantID, contractID)
	if err != nil {
		return err
	}
	for _, c := range costs {
		if it, ok := items[c.id]; ok {
			it.Costs = append(it.Costs, c.SupplierCost)
			items[c.id] = it
		}
	}
	return nil
}

// FinishRun applies a run's plan and completes it in one transaction.
func (db *DB) FinishRun(ctx context.Context, run contract.Run, p contract.RunPlan, actions []contract.Action, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := tx.now.UTC()
		for start := 0; start < len(p.New); start += exceptionRows {
			if err := tx.insertExceptions(ctx, p.New[start:min(start+exceptionRows, len(p.New))]); err != nil {
				return err
			}
		}
		for _, set := range []struct {
			list   []contract.Exception
			reopen bool
		}{{p.Touched, false}, {p.Reopen, true}} {
			for start := 0; start < len(set.list); start += exceptionRows {
				if err := tx.refreshExceptions(ctx, run, set.list[start:min(start+exceptionRows, len(set.list))], set.reopen, now); err != nil {
					return err
				}
			}
		}
		for start := 0; start < len(p.Cleared); start += exceptionRows {
			ids := p.Cleared[start:min(start+exceptionRows, len(p.Cleared))]
			args := []any{now, run.TenantID}
			for _, id := range ids {
				args = append(args, id)
			}
			if _, err := tx.exec(ctx, `UPDATE reconciliation_exceptions SET status = 'resolved', updated_at = ?
				WHERE tenant_id = ? AND status = 'open' AND id IN (`+placeholders(len(ids))+`)`, args...); err != nil {
				return translate(err, "exceptions")
			}
		}
		for start := 0; start < len(actions); start += exceptionRows {
			if err := tx.insertActions(ctx, run.TenantID, actions[start:min(start+exceptionRows, len(actions))]); err != nil {
				return err
			}
		}
		counts, _ := json.Marshal(run.RuleCounts) // a map of counts always marshals
		res, err := tx.exec(ctx, `UPDATE reconciliation_runs SET status = 'completed', lines_total = ?, lines_done = ?, opened = ?,
			reopened = ?, cleared = ?, rule_counts = ?, completed_at = ? WHERE tenant_id = ? AND id = ? AND status = 'running'`,
			run.LinesTotal, run.LinesDone, run.Opened, run.Reopened, run.Cleared, string(counts), now, run.TenantID, run.ID)
		if err := mustAffect(res, err, "running reconciliation run"); err != nil {
			return err
		}
		return tx.EnqueueAll(ctx, jobs)
	})
}

func (tx *Tx) insertExceptions(ctx context.Context, es []contract.Exception) error {
	const cols = 15
	args := make([]any, 0, len(es)*cols)
	for _, e := range es {
		c, _ := json.Marshal(e.Context) // strings, numbers and times always marshal
		args = append(args, e.ID, e.TenantID, e.RunID, e.ContractID, e.LineID, e.VendorID, nullIfEmpty(e.ERPItemID), string(e.Rule),
			string(e.Severity), string(e.Status), e.Message, e.SuggestedAction, string(c), e.CreatedAt.UTC(), e.UpdatedAt.UTC())
	}
	_, err := tx.exec(ctx, `INSERT INTO reconciliation_exceptions (id, tenant_id, run_id, vendor_contract_id, vendor_contract_line_id,
		vendor_id, erp_item_id, rule_code, severity, status, message, suggested_action, context, created_at, updated_at) VALUES `+
		rowsOf(len(es), cols), args...)
	return translate(err, "exceptions")
}

// refreshExceptions gives exceptions found again the run's message and
// evidence; reopen makes resolved ones open again. One UPDATE … FROM
// VALUES per batch joins each row to its new values by id (both engines
// name the VALUES columns column1…).
func (tx *Tx) refreshExceptions(ctx context.Context, run contract.Run, es []contract.Exception, reopen bool, now time.Time) error {
	args := make([]any, 0, len(es)*4+4)
	// On SQLite, tenant and status are compared as expressions so that it
	// finds each row by its key rather than walking the tenant's
	// exceptions for every value; PostgreSQL plans the join well as is.
	noIndex := ""
	if tx.db.Dialect == SQLite {
		noIndex = " || ''"
	}
	set, where := ``, `status`+noIndex+` = 'open'`
	if reopen {
		set, where = `status = 'open', updated_at = ?, `, `status`+noIndex+` = 'resolved'`
		args = append(args, now)
	}
	args = append(args, run.ID)
	for _, e := range es {
		c, _ := json.Marshal(e.Context) // strings, numbers and times always marshal
		args = append(args, e.ID, e.Message, string(c), e.ERPItemID)
	}
	args = append(args, run.TenantID)
	_, err := tx.exec(ctx, `UPDATE reconciliation_exceptions SET `+set+`run_id = ?, message = v.column2, context = v.column3,
		erp_item_id = NULLIF(v.column4, '') FROM (VALUES `+rowsOf(len(es), 4)+`) AS v
		WHERE reconciliation_exceptions.id = v.column1 AND reconciliation_exceptions.tenant_id`+noIndex+` = ? AND reconciliation_exceptions.`+where, args...)
	return translate(err, "exceptions")
}

func (tx *Tx) insertActions(ctx context.Context, tenantID string, as []contract.Action) error {
	const cols = 8
	args := make([]any, 0, len(as)*cols)
	for _, a := range as {
		payload, _ := json.Marshal(map[string]string{"assigned_to": a.AssignedTo}) // strings always marshal
		args = append(args, a.ID, tenantID, a.ExceptionID, string(a.Type), a.Note, string(payload), a.CreatedBy, a.CreatedAt.UTC())
	}
	_, err := tx.exec(ctx, `INSERT INTO exception_actions (id, tenant_id, exception_id, action_type, note, payload, created_by, created_at)
		VALUES `+rowsOf(len(as), cols), args...)
	return translate(err, "exception actions")
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
