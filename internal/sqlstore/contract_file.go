package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/contract/sheet"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

var _ contract.Store = (*DB)(nil)

const vendorFileColumns = `id, tenant_id, vendor_id, filename, file_type, blob_key, sha256, size, status, header_line, mapping,
	contract_number, effective_start, effective_end, rows_read, lines_imported, rows_failed, error, contract_id,
	uploaded_by, uploaded_at, updated_at`

func scanVendorFile(r scanner) (contract.File, error) {
	var f contract.File
	var mapping string
	var start, end sql.NullTime
	var contractID sql.NullString
	err := r.Scan(&f.ID, &f.TenantID, &f.VendorID, &f.Filename, &f.Type, &f.BlobKey, &f.SHA256, &f.Size, &f.Status,
		&f.HeaderLine, &mapping, &f.ContractNumber, &start, &end, &f.RowsRead, &f.LinesImported, &f.RowsFailed, &f.Error,
		&contractID, &f.UploadedBy, &f.UploadedAt, &f.UpdatedAt)
	f.Mapping = sheet.Mapping{}
	_ = json.Unmarshal([]byte(mapping), &f.Mapping) // written only by ConfirmFile
	f.EffectiveStart, f.EffectiveEnd = utcDate(start), utcDate(end)
	f.ContractID = contractID.String
	f.UploadedAt, f.UpdatedAt = f.UploadedAt.UTC(), f.UpdatedAt.UTC()
	return f, err
}

// utcDate reads a DATE column as a UTC midnight.
func utcDate(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	d := time.Date(t.Time.Year(), t.Time.Month(), t.Time.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// dateArg writes a date as a UTC midnight, or NULL.
func dateArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// FileBySHA returns the tenant's vendor file with these bytes.
func (db *DB) FileBySHA(ctx context.Context, tenantID, sha256 string) (contract.File, error) {
	f, err := scanVendorFile(db.reader().queryRow(ctx, `SELECT `+vendorFileColumns+` FROM vendor_files WHERE tenant_id = ? AND sha256 = ?`,
		tenantID, sha256))
	return f, translate(err, "vendor file")
}

// CreateFile stores a new vendor file with its audit row.
func (db *DB) CreateFile(ctx context.Context, f contract.File, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.requireRef(ctx, refVendors, "vendor_id", f.TenantID, f.VendorID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO vendor_files (id, tenant_id, vendor_id, filename, file_type, blob_key, sha256, size, status,
			uploaded_by, uploaded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ID, f.TenantID, f.VendorID, f.Filename, string(f.Type), f.BlobKey, f.SHA256, f.Size, string(f.Status),
			f.UploadedBy, f.UploadedAt.UTC(), f.UpdatedAt.UTC())
		if err != nil {
			return translate(err, "vendor file")
		}
		return tx.Audit(ctx, ev)
	})
}

// File returns one vendor file of the tenant.
func (db *DB) File(ctx context.Context, tenantID, id string) (contract.File, error) {
	f, err := scanVendorFile(db.reader().queryRow(ctx, `SELECT `+vendorFileColumns+` FROM vendor_files WHERE tenant_id = ? AND id = ?`,
		tenantID, id))
	return f, translate(err, "vendor file")
}

// ListFiles lists the tenant's vendor files, newest first.
func (db *DB) ListFiles(ctx context.Context, tenantID string, f contract.FileFilter) ([]contract.File, string, error) {
	c := tenantScoped(tenantID)
	c.eq("vendor_id", f.VendorID)
	c.eq("status", string(f.Status))
	return newestFirst(ctx, db, "vendor files", vendorFileColumns, "vendor_files", c, f.Cursor, f.Limit, scanVendorFile,
		func(f contract.File) string { return f.ID })
}

// newestFirst lists a tenant's rows by descending (time-ordered) id.
func newestFirst[T any](ctx context.Context, db *DB, what, columns, table string, c *conds, cursor string, limit int,
	scan func(scanner) (T, error), id func(T) string,
) ([]T, string, error) {
	keys, err := decodeCursor(cursor, 1)
	if err != nil {
		return nil, "", err
	}
	if keys != nil {
		c.add("id < ?", keys[0])
	}
	limit = clampLimit(limit)
	out, err := queryAll(ctx, db.reader(), what, scan, `SELECT `+columns+` FROM `+table+` WHERE `+c.sql()+
		` ORDER BY id DESC LIMIT `+strconv.Itoa(limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(id(out[limit-1]))
	}
	if out == nil {
		out = []T{}
	}
	return out, next, nil
}

// ColumnMapping returns the vendor's remembered header → field mapping.
func (db *DB) ColumnMapping(ctx context.Context, tenantID, vendorID string) (map[string]sheet.Field, error) {
	var headers string
	err := db.reader().queryRow(ctx, `SELECT headers FROM vendor_column_mappings WHERE tenant_id = ? AND vendor_id = ?`,
		tenantID, vendorID).Scan(&headers)
	if err != nil {
		return nil, translate(err, "column mapping")
	}
	out := map[string]sheet.Field{}
	_ = json.Unmarshal([]byte(headers), &out) // written only by ConfirmFile
	return out, nil
}

// ConfirmFile saves a file's confirmed mapping, remembers it for the
// vendor and queues the import, in one transaction.
func (db *DB) ConfirmFile(ctx context.Context, f contract.File, headers map[string]sheet.Field, ev audit.Event, jobs []jobargs.Args) error {
	mapping, _ := json.Marshal(f.Mapping) // strings always marshal
	remembered, _ := json.Marshal(headers)
	_, _, _, by := ev.Actor.AuditActor()
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE vendor_files SET status = ?, header_line = ?, mapping = ?, contract_number = ?,
			effective_start = ?, effective_end = ?, error = '', updated_at = ?
			WHERE tenant_id = ? AND id = ? AND status IN ('uploaded', 'failed')`,
			string(f.Status), f.HeaderLine, string(mapping), f.ContractNumber, dateArg(f.EffectiveStart), dateArg(f.EffectiveEnd),
			f.UpdatedAt.UTC(), f.TenantID, f.ID)
		if err := mustAffect(res, err, "vendor file"); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.E(apperr.Conflict, "the file's import has already started")
			}
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO vendor_column_mappings (tenant_id, vendor_id, headers, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, vendor_id) DO UPDATE SET headers = excluded.headers,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			f.TenantID, f.VendorID, string(remembered), by, f.UpdatedAt.UTC()); err != nil {
			return translate(err, "column mapping")
		}
		if err := tx.EnqueueAll(ctx, jobs); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// UnitAliases returns the tenant's unit aliases.
func (db *DB) UnitAliases(ctx context.Context, tenantID string) (map[string]string, error) {
	rows, err := db.reader().query(ctx, `SELECT alias, code FROM uom_aliases WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return nil, translate(err, "unit aliases")
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, c string
		if err := rows.Scan(&a, &c); err != nil {
			return nil, translate(err, "unit aliases")
		}
		out[a] = c
	}
	return out, translate(rows.Err(), "unit aliases")
}

// SetUnitAlias creates or changes one of the tenant's unit aliases.
func (db *DB) SetUnitAlias(ctx context.Context, tenantID, alias, code string, at time.Time, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO uom_aliases (tenant_id, alias, code, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (tenant_id, alias) DO UPDATE SET code = excluded.code`, tenantID, alias, code, at.UTC()); err != nil {
			return translate(err, "unit alias")
		}
		return tx.Audit(ctx, ev)
	})
}

// DeleteUnitAlias removes one of the tenant's unit aliases.
func (db *DB) DeleteUnitAlias(ctx context.Context, tenantID, alias string, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM uom_aliases WHERE tenant_id = ? AND alias = ?`, tenantID, alias)
		if err := mustAffect(res, err, "unit alias"); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}
