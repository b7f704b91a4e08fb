package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// lineInsertRows is how many lines one INSERT carries (13 parameters
// each, well under both engines' limits).
const lineInsertRows = 1000

// BeginImport starts or restarts a file's import: an earlier attempt's
// contract, lines and row errors go, the new contract is created.
func (db *DB) BeginImport(ctx context.Context, tenantID, fileID string, c contract.Contract) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var status string
		if err := tx.queryRow(ctx, `SELECT status FROM vendor_files WHERE tenant_id = ? AND id = ?`, tenantID, fileID).Scan(&status); err != nil {
			return translate(err, "vendor file")
		}
		if status != string(contract.FileQueued) && status != string(contract.FileImporting) {
			return apperr.E(apperr.Conflict, "the file is %s, not queued for import", status)
		}
		if err := tx.dropPartial(ctx, tenantID, fileID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM vendor_file_row_errors WHERE tenant_id = ? AND vendor_file_id = ?`, tenantID, fileID); err != nil {
			return translate(err, "row errors")
		}
		if _, err := tx.exec(ctx, `INSERT INTO vendor_contracts (id, tenant_id, vendor_file_id, vendor_id, contract_number, vendor_name,
			status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'importing', ?)`,
			c.ID, tenantID, fileID, c.VendorID, c.Number, c.VendorName, c.CreatedAt.UTC()); err != nil {
			return translate(err, "contract")
		}
		_, err := tx.exec(ctx, `UPDATE vendor_files SET status = 'importing', contract_id = ?, rows_read = 0, lines_imported = 0,
			rows_failed = 0, error = '', updated_at = ? WHERE tenant_id = ? AND id = ?`, c.ID, tx.now.UTC(), tenantID, fileID)
		return translate(err, "vendor file")
	})
}

// dropPartial removes the contract an unfinished import of the file left.
func (tx *Tx) dropPartial(ctx context.Context, tenantID, fileID string) error {
	const partial = `SELECT id FROM vendor_contracts WHERE tenant_id = ? AND vendor_file_id = ? AND status = 'importing'`
	if _, err := tx.exec(ctx, `UPDATE vendor_files SET contract_id = NULL WHERE tenant_id = ? AND id = ?`, tenantID, fileID); err != nil {
		return translate(err, "vendor file")
	}
	if _, err := tx.exec(ctx, `DELETE FROM vendor_contract_lines WHERE tenant_id = ? AND vendor_contract_id IN (`+partial+`)`,
		tenantID, tenantID, fileID); err != nil {
		return translate(err, "contract lines")
	}
	_, err := tx.exec(ctx, `DELETE FROM vendor_contracts WHERE tenant_id = ? AND vendor_file_id = ? AND status = 'importing'`, tenantID, fileID)
	return translate(err, "contract")
}

// AddImportBatch stores lines, row errors and the file's progress.
func (db *DB) AddImportBatch(ctx context.Context, tenantID, fileID string, lines []contract.Line, errs []contract.RowError, p contract.Progress) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for start := 0; start < len(lines); start += lineInsertRows {
			if err := tx.insertLines(ctx, tenantID, lines[start:min(start+lineInsertRows, len(lines))]); err != nil {
				return err
			}
		}
		for _, e := range errs {
			cells, _ := json.Marshal(e.Cells) // strings always marshal
			if _, err := tx.exec(ctx, `INSERT INTO vendor_file_row_errors (tenant_id, vendor_file_id, line, column_name, reason, cells)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, vendor_file_id, line) DO NOTHING`,
				tenantID, fileID, e.Line, e.Column, e.Reason, string(cells)); err != nil {
				return translate(err, "row error")
			}
		}
		return tx.setProgress(ctx, tenantID, fileID, p, "importing", "")
	})
}

func (tx *Tx) insertLines(ctx context.Context, tenantID string, lines []contract.Line) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO vendor_contract_lines (id, tenant_id, vendor_contract_id, line_number, vendor_item_number, vendor_uom,
		vendor_description, contract_price, currency, effective_start, effective_end, raw_payload, created_at) VALUES `)
	args := make([]any, 0, len(lines)*13)
	for i, l := range lines {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		raw, _ := json.Marshal(l.Raw) // strings always marshal
		args = append(args, l.ID, tenantID, l.ContractID, l.LineNumber, l.ItemNumber, l.UOM, l.Description,
			l.Price.StringFixed(4), l.Currency, dateArg(l.EffectiveStart), dateArg(l.EffectiveEnd), string(raw), tx.now.UTC())
	}
	_, err := tx.exec(ctx, q.String(), args...)
	return translate(err, "contract lines")
}

func (tx *Tx) setProgress(ctx context.Context, tenantID, fileID string, p contract.Progress, status, reason string) error {
	_, err := tx.exec(ctx, `UPDATE vendor_files SET status = ?, rows_read = ?, lines_imported = ?, rows_failed = ?, error = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`, status, p.RowsRead, p.LinesImported, p.RowsFailed, reason, tx.now.UTC(), tenantID, fileID)
	return translate(err, "vendor file")
}

// FinishImport makes the contract active and the file imported.
func (db *DB) FinishImport(ctx context.Context, tenantID, fileID string, c contract.Contract, p contract.Progress, ev audit.Event, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE vendor_contracts SET status = 'active', contract_number = ?, effective_start = ?, effective_end = ?,
			line_count = ? WHERE tenant_id = ? AND id = ? AND status = 'importing'`,
			c.Number, dateArg(c.EffectiveStart), dateArg(c.EffectiveEnd), c.LineCount, tenantID, c.ID)
		if err := mustAffect(res, err, "contract"); err != nil {
			return err
		}
		if err := tx.setProgress(ctx, tenantID, fileID, p, string(contract.FileImported), ""); err != nil {
			return err
		}
		if err := tx.EnqueueAll(ctx, jobs); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// FailImport marks the file failed and drops its partial contract.
func (db *DB) FailImport(ctx context.Context, tenantID, fileID, reason string, p contract.Progress, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.dropPartial(ctx, tenantID, fileID); err != nil {
			return err
		}
		if err := tx.setProgress(ctx, tenantID, fileID, p, string(contract.FileFailed), reason); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// RowErrors lists a file's row errors by line.
func (db *DB) RowErrors(ctx context.Context, tenantID, fileID, cursor string, limit int) ([]contract.RowError, string, error) {
	return byLine(ctx, db, "row errors", `SELECT line, column_name, reason, cells FROM vendor_file_row_errors
		WHERE tenant_id = ? AND vendor_file_id = ?`, "line", []any{tenantID, fileID}, cursor, limit,
		func(r scanner) (contract.RowError, error) {
			var e contract.RowError
			var cells string
			err := r.Scan(&e.Line, &e.Column, &e.Reason, &cells)
			e.Cells = parseList(cells)
			return e, err
		}, func(e contract.RowError) int { return e.Line })
}

// byLine pages a query in ascending order of an integer line column.
func byLine[T any](ctx context.Context, db *DB, what, q, col string, args []any, cursor string, limit int,
	scan func(scanner) (T, error), line func(T) int,
) ([]T, string, error) {
	keys, err := decodeCursor(cursor, 1)
	if err != nil {
		return nil, "", err
	}
	if keys != nil {
		after, err := strconv.Atoi(keys[0])
		if err != nil {
			return nil, "", apperr.Invalidf("cursor is not valid")
		}
		q += ` AND ` + col + ` > ?`
		args = append(args, after)
	}
	limit = clampLimit(limit)
	out, err := queryAll(ctx, db.reader(), what, scan, q+` ORDER BY `+col+` LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(strconv.Itoa(line(out[limit-1])))
	}
	if out == nil {
		out = []T{}
	}
	return out, next, nil
}

const vendorContractColumns = `id, tenant_id, vendor_file_id, vendor_id, contract_number, vendor_name, effective_start, effective_end,
	status, line_count, created_at`

func scanContract(r scanner) (contract.Contract, error) {
	var c contract.Contract
	var start, end sql.NullTime
	err := r.Scan(&c.ID, &c.TenantID, &c.FileID, &c.VendorID, &c.Number, &c.VendorName, &start, &end, &c.Status, &c.LineCount, &c.CreatedAt)
	c.EffectiveStart, c.EffectiveEnd, c.CreatedAt = utcDate(start), utcDate(end), c.CreatedAt.UTC()
	return c, err
}

// Contract returns one contract of the tenant (an import still running
// is not one yet).
func (db *DB) Contract(ctx context.Context, tenantID, id string) (contract.Contract, error) {
	c, err := scanContract(db.reader().queryRow(ctx, `SELECT `+vendorContractColumns+` FROM vendor_contracts
		WHERE tenant_id = ? AND id = ? AND status = 'active'`, tenantID, id))
	return c, translate(err, "contract")
}

// ListContracts lists the tenant's contracts, newest first.
func (db *DB) ListContracts(ctx context.Context, tenantID string, f contract.ContractFilter) ([]contract.Contract, string, error) {
	c := tenantScoped(tenantID)
	c.add("status = 'active'")
	c.eq("vendor_id", f.VendorID)
	return newestFirst(ctx, db, "contracts", vendorContractColumns, "vendor_contracts", c, f.Cursor, f.Limit, scanContract,
		func(c contract.Contract) string { return c.ID })
}

// ContractLines lists a contract's lines in file order.
func (db *DB) ContractLines(ctx context.Context, tenantID, contractID, cursor string, limit int) ([]contract.Line, string, error) {
	return byLine(ctx, db, "contract lines", `SELECT id, vendor_contract_id, line_number, vendor_item_number, vendor_uom, vendor_description,
		contract_price, currency, effective_start, effective_end, raw_payload FROM vendor_contract_lines
		WHERE tenant_id = ? AND vendor_contract_id = ?`, "line_number", []any{tenantID, contractID}, cursor, limit,
		func(r scanner) (contract.Line, error) {
			var l contract.Line
			var start, end sql.NullTime
			var raw string
			err := r.Scan(&l.ID, &l.ContractID, &l.LineNumber, &l.ItemNumber, &l.UOM, &l.Description, &l.Price, &l.Currency,
				&start, &end, &raw)
			l.EffectiveStart, l.EffectiveEnd, l.Raw = utcDate(start), utcDate(end), parseList(raw)
			return l, err
		}, func(l contract.Line) int { return l.LineNumber })
}
