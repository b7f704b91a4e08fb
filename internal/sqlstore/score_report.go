package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/score"
)

const scoreReportColumns = `id, tenant_id, kind, render_context, blob_key, sha256, size, schedule, created_by, created_at`

func scanReport(r scanner) (score.Report, error) {
	var x score.Report
	var c string
	err := r.Scan(&x.ID, &x.TenantID, &x.Kind, &c, &x.BlobKey, &x.SHA256, &x.Size, &x.Schedule, &x.CreatedBy, &x.CreatedAt)
	if err == nil {
		err = json.Unmarshal([]byte(c), &x.Context)
	}
	x.CreatedAt = x.CreatedAt.UTC()
	return x, err
}

// CreateReport stores a rendered report's context with its audit row.
func (db *DB) CreateReport(ctx context.Context, r score.Report, ev audit.Event) error {
	c, err := json.Marshal(r.Context)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO score_reports (`+scoreReportColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.TenantID, string(r.Kind), string(c), r.BlobKey, r.SHA256, r.Size, r.Schedule, r.CreatedBy, r.CreatedAt.UTC()); err != nil {
			return translate(err, "report")
		}
		return tx.Audit(ctx, ev)
	})
}

// Report returns one report of the tenant.
func (db *DB) Report(ctx context.Context, tenantID, id string) (score.Report, error) {
	r, err := scanReport(db.reader().queryRow(ctx, `SELECT `+scoreReportColumns+` FROM score_reports WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return r, translate(err, "report")
}

// ListReports lists the tenant's latest reports, newest first.
func (db *DB) ListReports(ctx context.Context, tenantID string) ([]score.Report, error) {
	out, err := queryAll(ctx, db.reader(), "reports", scanReport, `SELECT `+scoreReportColumns+` FROM score_reports WHERE tenant_id = ?
		ORDER BY created_at DESC, id DESC LIMIT 200`, tenantID)
	if out == nil {
		out = []score.Report{}
	}
	return out, err
}

// FindReports lists the reports of every tenant the filter allows, oldest
// first.
func (db *DB) FindReports(ctx context.Context, f score.ReportFilter) ([]score.Report, error) {
	q := `SELECT ` + scoreReportColumns + ` FROM score_reports WHERE 1 = 1`
	var args []any
	if f.TenantID != "" {
		q += ` AND tenant_id = ?`
		args = append(args, f.TenantID)
	}
	if f.ID != "" {
		q += ` AND id = ?`
		args = append(args, f.ID)
	}
	if !f.Since.IsZero() {
		q += ` AND created_at >= ?`
		args = append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q += ` AND created_at < ?`
		args = append(args, f.Until.UTC())
	}
	return queryAll(ctx, db.reader(), "reports", scanReport, q+` ORDER BY created_at, id`, args...)
}

// ScheduledReportExists reports whether the tenant has the report of a
// schedule key.
func (db *DB) ScheduledReportExists(ctx context.Context, tenantID, schedule string) (bool, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM score_reports WHERE tenant_id = ? AND schedule = ?`, tenantID, schedule).Scan(&n)
	return n > 0, translate(err, "report")
}

// CountSignals counts the tenant's accepted signals observed in [from, to).
func (db *DB) CountSignals(ctx context.Context, tenantID string, from, to time.Time) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM score_signals WHERE tenant_id = ? AND observed_at >= ? AND observed_at < ?
		AND status <> 'rejected'`, tenantID, from.UTC(), to.UTC()).Scan(&n)
	return n, translate(err, "signals")
}

// TenantBandEvents returns the tenant's band changes since a time, oldest
// first.
func (db *DB) TenantBandEvents(ctx context.Context, tenantID string, since time.Time) ([]score.BandEvent, error) {
	return queryAll(ctx, db.reader(), "band events", func(r scanner) (score.BandEvent, error) {
		var e score.BandEvent
		var sc sql.NullFloat64
		var p string
		err := r.Scan(&e.ID, &e.TenantID, &e.VendorID, &e.From, &e.To, &sc, &p, &e.CreatedAt)
		if sc.Valid {
			e.Score = &sc.Float64
		}
		if err == nil {
			err = json.Unmarshal([]byte(p), &e.Payload)
		}
		e.CreatedAt = e.CreatedAt.UTC()
		return e, err
	}, `SELECT id, tenant_id, vendor_id, from_band, to_band, score, delivery_payload, created_at FROM score_band_events
		WHERE tenant_id = ? AND created_at >= ? ORDER BY created_at, id`, tenantID, since.UTC())
}
