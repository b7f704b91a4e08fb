package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/contract"
)

const exceptionColumns = `e.id, e.tenant_id, e.run_id, e.vendor_contract_id, e.vendor_contract_line_id, e.vendor_id, e.erp_item_id,
	e.rule_code, e.severity, e.status, e.message, e.suggested_action, e.context, e.assigned_to, e.created_at, e.updated_at,
	c.contract_number, l.line_number`

const exceptionFrom = ` FROM reconciliation_exceptions e
	JOIN vendor_contracts c ON c.id = e.vendor_contract_id
	JOIN vendor_contract_lines l ON l.id = e.vendor_contract_line_id`

func scanException(r scanner) (contract.Exception, error) {
	var e contract.Exception
	var item sql.NullString
	var rule, sev, status, ctx string
	err := r.Scan(&e.ID, &e.TenantID, &e.RunID, &e.ContractID, &e.LineID, &e.VendorID, &item, &rule, &sev, &status, &e.Message,
		&e.SuggestedAction, &ctx, &e.AssignedTo, &e.CreatedAt, &e.UpdatedAt, &e.ContractNumber, &e.LineNumber)
	e.ERPItemID, e.Rule, e.Severity, e.Status = item.String, contract.Rule(rule), contract.Severity(sev), contract.ExceptionStatus(status)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	_ = json.Unmarshal([]byte(ctx), &e.Context) // written by FinishRun; damaged evidence reads as none
	return e, err
}

// ListExceptions lists the exception queue, newest first.
func (db *DB) ListExceptions(ctx context.Context, tenantID string, f contract.ExceptionFilter) ([]contract.Exception, string, error) {
	keys, err := decodeCursor(f.Cursor, 1)
	if err != nil {
		return nil, "", err
	}
	c := &conds{where: []string{"e.tenant_id = ?"}, args: []any{tenantID}}
	c.eq("e.rule_code", string(f.Rule))
	c.eq("e.severity", string(f.Severity))
	c.eq("e.status", string(f.Status))
	c.eq("e.vendor_id", f.VendorID)
	c.eq("e.assigned_to", f.AssignedTo)
	c.eq("e.vendor_contract_id", f.ContractID)
	if keys != nil {
		c.add("e.id < ?", keys[0])
	}
	limit := clampLimit(f.Limit)
	out, err := queryAll(ctx, db.reader(), "exceptions", scanException, `SELECT `+exceptionColumns+exceptionFrom+` WHERE `+c.sql()+
		` ORDER BY e.id DESC LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, limit, func(e contract.Exception) []string { return []string{e.ID} })
	return out, next, nil
}

// Exception returns one exception of the tenant.
func (db *DB) Exception(ctx context.Context, tenantID, id string) (contract.Exception, error) {
	e, err := scanException(db.reader().queryRow(ctx, `SELECT `+exceptionColumns+exceptionFrom+` WHERE e.tenant_id = ? AND e.id = ?`, tenantID, id))
	return e, translate(err, "exception")
}

// ExceptionActions returns an exception's whole action log, oldest first.
func (db *DB) ExceptionActions(ctx context.Context, tenantID, id string) ([]contract.Action, error) {
	out, err := queryAll(ctx, db.reader(), "exception actions", scanAction, `SELECT `+actionColumns+` FROM exception_actions
		WHERE tenant_id = ? AND exception_id = ? ORDER BY id`, tenantID, id)
	if out == nil {
		out = []contract.Action{}
	}
	return out, err
}

// ListExceptionActions pages through an exception's action log, oldest
// first (ids are time-ordered).
func (db *DB) ListExceptionActions(ctx context.Context, tenantID, id, cursor string, limit int) ([]contract.Action, string, error) {
	keys, err := decodeCursor(cursor, 1)
	if err != nil {
		return nil, "", err
	}
	c := &conds{where: []string{"tenant_id = ?", "exception_id = ?"}, args: []any{tenantID, id}}
	if keys != nil {
		c.add("id > ?", keys[0])
	}
	limit = clampLimit(limit)
	out, err := queryAll(ctx, db.reader(), "exception actions", scanAction, `SELECT `+actionColumns+` FROM exception_actions WHERE `+
		c.sql()+` ORDER BY id LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	out, next := cutPage(out, limit, func(a contract.Action) []string { return []string{a.ID} })
	return out, next, nil
}

const actionColumns = `id, exception_id, action_type, note, payload, created_by, created_at`

func scanAction(r scanner) (contract.Action, error) {
	var a contract.Action
	var typ, payload string
	err := r.Scan(&a.ID, &a.ExceptionID, &typ, &a.Note, &payload, &a.CreatedBy, &a.CreatedAt)
	var p map[string]string
	_ = json.Unmarshal([]byte(payload), &p) // written by insertActions; a damaged payload reads as empty
	a.Type, a.AssignedTo, a.CreatedAt = contract.ActionType(typ), p["assigned_to"], a.CreatedAt.UTC()
	return a, err
}

// ContractLine returns one contract line of the tenant.
func (db *DB) ContractLine(ctx context.Context, tenantID, id string) (contract.Line, error) {
	var l contract.Line
	var start, end sql.NullTime
	var raw string
	err := db.reader().queryRow(ctx, `SELECT id, vendor_contract_id, line_number, vendor_item_number, vendor_uom, vendor_description,
		contract_price, currency, effective_start, effective_end, raw_payload FROM vendor_contract_lines WHERE tenant_id = ? AND id = ?`,
		tenantID, id).Scan(&l.ID, &l.ContractID, &l.LineNumber, &l.ItemNumber, &l.UOM, &l.Description, &l.Price, &l.Currency, &start, &end, &raw)
	l.EffectiveStart, l.EffectiveEnd, l.Raw = utcDate(start), utcDate(end), parseList(raw)
	return l, translate(err, "contract line")
}

// ApplyActions saves an exception's new status and assignee and logs the
// actions, with their audit rows.
func (db *DB) ApplyActions(ctx context.Context, e contract.Exception, from contract.ExceptionStatus, as []contract.Action, evs []audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if e.AssignedTo != "" {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE tenant_id = ? AND id = ?`, e.TenantID, e.AssignedTo).Scan(&n); err != nil {
				return translate(err, "user")
			}
			if n == 0 {
				return invalidRef("assigned_to", e.AssignedTo)
			}
		}
		res, err := tx.exec(ctx, `UPDATE reconciliation_exceptions SET status = ?, assigned_to = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ? AND status = ?`, string(e.Status), e.AssignedTo, e.UpdatedAt.UTC(), e.TenantID, e.ID, string(from))
		if err != nil {
			return translate(err, "exception")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.E(apperr.Conflict, "the exception changed meanwhile; reload it")
		}
		if err := tx.insertActions(ctx, e.TenantID, as); err != nil {
			return err
		}
		for _, ev := range evs {
			if err := tx.Audit(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}
