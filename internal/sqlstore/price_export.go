package sqlstore

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/contract"
)

const priceExportColumns = `id, tenant_id, filename, blob_key, sha256, size, change_count, created_by, created_at`

func scanPriceExport(r scanner) (contract.PriceExport, error) {
	var x contract.PriceExport
	err := r.Scan(&x.ID, &x.TenantID, &x.Filename, &x.BlobKey, &x.SHA256, &x.Size, &x.Count, &x.CreatedBy, &x.CreatedAt)
	x.CreatedAt = x.CreatedAt.UTC()
	return x, err
}

// claimBatch is how many changes one INSERT claims.
const claimBatch = 500

// CreatePriceExport stores an export and claims its changes, with the
// audit row, in one transaction. A change is claimed once per tenant (the
// table's key): when another export holds one, the unique violation is a
// conflict and nothing is stored. write (the export's file) runs last,
// inside the transaction, so only an export whose claims hold writes one.
func (db *DB) CreatePriceExport(ctx context.Context, x contract.PriceExport, ev audit.Event, write func(context.Context) error) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO price_exports (`+priceExportColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			x.ID, x.TenantID, x.Filename, x.BlobKey, x.SHA256, x.Size, x.Count, x.CreatedBy, x.CreatedAt.UTC())
		if err != nil {
			return translate(err, "price export")
		}
		for from := 0; from < len(x.ExceptionIDs); from += claimBatch {
			ids := x.ExceptionIDs[from:min(from+claimBatch, len(x.ExceptionIDs))]
			args := make([]any, 0, 4*len(ids))
			for i, id := range ids {
				args = append(args, x.TenantID, id, x.ID, from+i)
			}
			_, err := tx.exec(ctx, `INSERT INTO price_export_changes (tenant_id, exception_id, export_id, position) VALUES `+
				rowsOf(len(ids), 4), args...)
			if err != nil {
				return translate(err, "an export of these price changes")
			}
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		return write(ctx)
	})
}

// PriceExport returns one export of the tenant with its exceptions in
// row order.
func (db *DB) PriceExport(ctx context.Context, tenantID, id string) (contract.PriceExport, error) {
	x, err := scanPriceExport(db.reader().queryRow(ctx, `SELECT `+priceExportColumns+` FROM price_exports WHERE tenant_id = ? AND id = ?`,
		tenantID, id))
	if err != nil {
		return x, translate(err, "price export")
	}
	x.ExceptionIDs, err = queryAll(ctx, db.reader(), "price export changes", func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, `SELECT exception_id FROM price_export_changes WHERE tenant_id = ? AND export_id = ? ORDER BY position`, tenantID, id)
	return x, err
}

// ListPriceExports lists the tenant's exports, newest first.
func (db *DB) ListPriceExports(ctx context.Context, tenantID, cursor string, limit int) ([]contract.PriceExport, string, error) {
	return newestFirst(ctx, db, "price exports", priceExportColumns, "price_exports", tenantScoped(tenantID), cursor, limit,
		scanPriceExport, func(x contract.PriceExport) string { return x.ID })
}
