package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/contract"
)

// exceptionRows is how many exceptions one INSERT or UPDATE carries.
const exceptionRows = 200

// contractMappings narrows item mappings to those of a contract's lines.
const contractMappings = `SELECT m.erp_item_id FROM item_mappings m JOIN vendor_contract_lines l ON l.tenant_id = m.tenant_id
	AND l.vendor_item_number = m.vendor_item_number AND l.vendor_uom = m.vendor_uom WHERE m.tenant_id = ? AND l.vendor_contract_id = ?`

// ReconInput reads a contract, its lines, their mappings and ERP items,
// the vendor's tolerance and the contract's exceptions.
func (db *DB) ReconInput(ctx context.Context, tenantID, contractID string) (contract.ReconInput, error) {
	var in contract.ReconInput
	var err error
	if in.Contract, err = db.Contract(ctx, tenantID, contractID); err != nil {
		return in, err
	}
	if in.Lines, err = queryAll(ctx, db.reader(), "contract lines", func(r scanner) (contract.Line, error) {
		var l contract.Line
		var start, end sql.NullTime
		err := r.Scan(&l.ID, &l.LineNumber, &l.ItemNumber, &l.UOM, &l.Description, &l.Price, &l.Currency, &start, &end)
		l.ContractID, l.EffectiveStart, l.EffectiveEnd = contractID, utcDate(start), utcDate(end)
		return l, err
	}, `SELECT id, line_number, vendor_item_number, vendor_uom, vendor_description, contract_price, currency, effective_start, effective_end
		FROM vendor_contract_lines WHERE tenant_id = ? AND vendor_contract_id = ? ORDER BY line_number`, tenantID, contractID); err != nil {
		return in, err
	}
	ms, err := queryAll(ctx, db.reader(), "item mappings", scanMapping, `SELECT `+mappingColumns+mappingFrom+` WHERE m.tenant_id = ?
		AND EXISTS (SELECT 1 FROM vendor_contract_lines l WHERE l.tenant_id = m.tenant_id AND l.vendor_contract_id = ?
		AND l.vendor_item_number = m.vendor_item_number AND l.vendor_uom = m.vendor_uom)`, tenantID, contractID)
	if err != nil {
		return in, err
	}
	in.Mappings = make(map[contract.ItemKey]contract.ItemMapping, len(ms))
	for _, m := range ms {
		in.Mappings[m.ItemKey] = m
	}
	if in.Items, err = db.reconItems(ctx, tenantID, contractID); err != nil {
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

// reconItems reads the ERP items a contract's lines are mapped to, with
// their list and unit prices.
func (db *DB) reconItems(ctx context.Context, tenantID, contractID string) (map[string]contract.ReconItem, error) {
	cond := ` AND i.id IN (` + contractMappings + `)`
	cat, err := db.catalog(ctx, tenantID, cond, tenantID, contractID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]contract.ReconItem, len(cat))
	for _, it := range cat {
		out[it.ID] = contract.ReconItem{CatalogItem: it}
	}
	type listPrice struct {
		id    string
		price sql.NullString
	}
	lps, err := queryAll(ctx, db.reader(), "ERP list prices", func(r scanner) (listPrice, error) {
		var x listPrice
		return x, r.Scan(&x.id, &x.price)
	}, `SELECT i.id, i.list_price FROM erp_items i WHERE i.tenant_id = ?`+cond, tenantID, tenantID, contractID)
	if err != nil {
		return nil, err
	}
	for _, lp := range lps {
		it := out[lp.id]
		if it.ListPrice, err = scanDecimal(lp.price); err != nil {
			return nil, err
		}
		out[lp.id] = it
	}
	type price struct {
		id string
		contract.ItemPrice
	}
	prices, err := queryAll(ctx, db.reader(), "ERP prices", func(r scanner) (price, error) {
		var x price
		var p string
		var from, to sql.NullTime
		if err := r.Scan(&x.id, &x.UOM, &p, &from, &to); err != nil {
			return x, err
		}
		x.From, x.To = timePtr(from), timePtr(to)
		var err error
		x.Price, err = decimal.NewFromString(p)
		return x, err
	}, `SELECT i.id, p.uom, p.price, p.effective_from, p.effective_to FROM erp_item_prices p
		JOIN erp_items i ON i.connector_id = p.connector_id AND i.external_id = p.item_external_id
		WHERE i.tenant_id = ?`+cond+` ORDER BY i.id, p.price_key`, tenantID, tenantID, contractID)
	if err != nil {
		return nil, err
	}
	for _, p := range prices {
		it := out[p.id]
		it.Prices = append(it.Prices, p.ItemPrice)
		out[p.id] = it
	}
	return out, nil
}

// FinishRun applies a run's plan and completes it in one transaction.
func (db *DB) FinishRun(ctx context.Context, run contract.Run, p contract.RunPlan, actions []contract.Action) error {
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
		return mustAffect(res, err, "running reconciliation run")
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
// evidence; reopen makes resolved ones open again.
func (tx *Tx) refreshExceptions(ctx context.Context, run contract.Run, es []contract.Exception, reopen bool, now time.Time) error {
	args := make([]any, 0, len(es)*4+3)
	for _, e := range es {
		c, _ := json.Marshal(e.Context) // strings, numbers and times always marshal
		args = append(args, e.ID, e.Message, string(c), e.ERPItemID)
	}
	set, where := ``, `status = 'open'`
	if reopen {
		set, where = `status = 'open', updated_at = ?, `, `status = 'resolved'`
		args = append(args, now)
	}
	args = append(args, run.ID, run.TenantID)
	row := "(?, ?, ?, ?)"
	_, err := tx.exec(ctx, `WITH v (id, message, context, erp_item_id) AS (VALUES `+strings.Repeat(row+", ", len(es)-1)+row+`)
		UPDATE reconciliation_exceptions SET `+set+`run_id = ?,
		message = (SELECT v.message FROM v WHERE v.id = reconciliation_exceptions.id),
		context = (SELECT v.context FROM v WHERE v.id = reconciliation_exceptions.id),
		erp_item_id = (SELECT NULLIF(v.erp_item_id, '') FROM v WHERE v.id = reconciliation_exceptions.id)
		WHERE tenant_id = ? AND `+where+` AND id IN (SELECT v.id FROM v)`, args...)
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
