package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Tolerances returns the tenant's price tolerances, its default first.
func (db *DB) Tolerances(ctx context.Context, tenantID string) ([]contract.Tolerance, error) {
	out, err := queryAll(ctx, db.reader(), "price tolerances", func(r scanner) (contract.Tolerance, error) {
		var t contract.Tolerance
		var abs, pct sql.NullString
		if err := r.Scan(&t.VendorID, &abs, &pct, &t.UpdatedBy, &t.UpdatedAt); err != nil {
			return t, err
		}
		var err error
		if t.Absolute, err = scanDecimal(abs); err != nil {
			return t, err
		}
		t.Percent, err = scanDecimal(pct)
		t.UpdatedAt = t.UpdatedAt.UTC()
		return t, err
	}, `SELECT vendor_id, abs_tolerance, pct_tolerance, updated_by, updated_at FROM price_tolerances WHERE tenant_id = ? ORDER BY vendor_id`, tenantID)
	if out == nil {
		out = []contract.Tolerance{}
	}
	return out, err
}

// SetTolerance creates or replaces a price tolerance.
func (db *DB) SetTolerance(ctx context.Context, tenantID string, t contract.Tolerance, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO price_tolerances (tenant_id, vendor_id, abs_tolerance, pct_tolerance, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, vendor_id) DO UPDATE SET abs_tolerance = excluded.abs_tolerance,
			pct_tolerance = excluded.pct_tolerance, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			tenantID, t.VendorID, decimalArg(t.Absolute), decimalArg(t.Percent), t.UpdatedBy, t.UpdatedAt.UTC()); err != nil {
			return translate(err, "price tolerance")
		}
		return tx.Audit(ctx, ev)
	})
}

// CreateRuns stores queued runs, their jobs and audit rows.
func (db *DB) CreateRuns(ctx context.Context, runs []contract.Run, evs []audit.Event, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for i, r := range runs {
			if _, err := tx.exec(ctx, `INSERT INTO reconciliation_runs (id, tenant_id, vendor_contract_id, vendor_id, run_type, status,
				requested_by, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)`,
				r.ID, r.TenantID, r.ContractID, r.VendorID, string(r.Type), r.RequestedBy, r.CreatedAt.UTC()); err != nil {
				return translate(err, "reconciliation run")
			}
			if err := tx.Audit(ctx, evs[i]); err != nil {
				return err
			}
		}
		return tx.EnqueueAll(ctx, jobs)
	})
}

const runColumns = `id, tenant_id, vendor_contract_id, vendor_id, run_type, status, lines_total, lines_done, opened, reopened, cleared,
	rule_counts, error, requested_by, created_at, started_at, completed_at`

func scanRun(r scanner) (contract.Run, error) {
	var x contract.Run
	var typ, status, counts string
	var started, completed sql.NullTime
	err := r.Scan(&x.ID, &x.TenantID, &x.ContractID, &x.VendorID, &typ, &status, &x.LinesTotal, &x.LinesDone, &x.Opened, &x.Reopened,
		&x.Cleared, &counts, &x.Error, &x.RequestedBy, &x.CreatedAt, &started, &completed)
	x.Type, x.Status, x.CreatedAt = contract.RunType(typ), contract.RunStatus(status), x.CreatedAt.UTC()
	x.StartedAt, x.CompletedAt = timePtr(started), timePtr(completed)
	x.RuleCounts = map[contract.Rule]int{}
	_ = json.Unmarshal([]byte(counts), &x.RuleCounts) // written by FinishRun; damaged counts read as none
	return x, err
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// Run returns one run of the tenant.
func (db *DB) Run(ctx context.Context, tenantID, id string) (contract.Run, error) {
	r, err := scanRun(db.reader().queryRow(ctx, `SELECT `+runColumns+` FROM reconciliation_runs WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return r, translate(err, "reconciliation run")
}

// ListRuns lists runs, newest first.
func (db *DB) ListRuns(ctx context.Context, tenantID string, f contract.RunFilter) ([]contract.Run, string, error) {
	c := tenantScoped(tenantID)
	c.eq("vendor_contract_id", f.ContractID)
	c.eq("status", string(f.Status))
	return newestFirst(ctx, db, "reconciliation runs", runColumns, "reconciliation_runs", c, f.Cursor, f.Limit, scanRun,
		func(r contract.Run) string { return r.ID })
}

// StartRun moves a queued (or crashed running) run to running.
func (db *DB) StartRun(ctx context.Context, tenantID, id string, at time.Time) (contract.Run, error) {
	var r contract.Run
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if r, err = scanRun(tx.queryRow(ctx, `SELECT `+runColumns+` FROM reconciliation_runs WHERE tenant_id = ? AND id = ?`, tenantID, id)); err != nil {
			return translate(err, "reconciliation run")
		}
		if r.Status != contract.RunQueued && r.Status != contract.RunRunning {
			return apperr.E(apperr.Conflict, "the run is %s", r.Status)
		}
		r.Status, r.StartedAt = contract.RunRunning, &at
		_, err = tx.exec(ctx, `UPDATE reconciliation_runs SET status = 'running', started_at = ?, lines_done = 0 WHERE tenant_id = ? AND id = ?`,
			at.UTC(), tenantID, id)
		return translate(err, "reconciliation run")
	})
	return r, err
}

// RunProgress records a running run's progress.
func (db *DB) RunProgress(ctx context.Context, tenantID, id string, total, done int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE reconciliation_runs SET lines_total = ?, lines_done = ? WHERE tenant_id = ? AND id = ?`, total, done, tenantID, id)
		return translate(err, "reconciliation run")
	})
}

// FailRun marks a run failed.
func (db *DB) FailRun(ctx context.Context, tenantID, id, reason string, at time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE reconciliation_runs SET status = 'failed', error = ?, completed_at = ? WHERE tenant_id = ? AND id = ?`,
			reason, at.UTC(), tenantID, id)
		return translate(err, "reconciliation run")
	})
}

// ActiveContracts lists every tenant's active contracts.
func (db *DB) ActiveContracts(ctx context.Context) ([]contract.Contract, error) {
	return queryAll(ctx, db.reader(), "contracts", scanContract, `SELECT `+vendorContractColumns+` FROM vendor_contracts WHERE status = 'active' ORDER BY tenant_id, id`)
}
