package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/vendorsync/vendorsync/internal/contract"
)

// ExceptionCounts counts the tenant's exceptions by status and severity.
func (db *DB) ExceptionCounts(ctx context.Context, tenantID string) ([]contract.ExceptionCount, error) {
	rows, err := db.reader().query(ctx, `SELECT status, severity, COUNT(*) FROM reconciliation_exceptions
		WHERE tenant_id = ? GROUP BY status, severity ORDER BY status, severity`, tenantID)
	if err != nil {
		return nil, translate(err, "exceptions")
	}
	defer rows.Close()
	var out []contract.ExceptionCount
	for rows.Next() {
		var c contract.ExceptionCount
		if err := rows.Scan(&c.Status, &c.Severity, &c.N); err != nil {
			return nil, translate(err, "exceptions")
		}
		out = append(out, c)
	}
	return out, translate(rows.Err(), "exceptions")
}

// OpenExceptionsOfRule counts the tenant's open exceptions of one rule.
func (db *DB) OpenExceptionsOfRule(ctx context.Context, tenantID string, r contract.Rule) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM reconciliation_exceptions
		WHERE tenant_id = ? AND status = 'open' AND rule_code = ?`, tenantID, string(r)).Scan(&n)
	return n, translate(err, "exceptions")
}

// ContractEnds returns the end date of each active contract of the tenant.
func (db *DB) ContractEnds(ctx context.Context, tenantID string) ([]*time.Time, error) {
	rows, err := db.reader().query(ctx, `SELECT effective_end FROM vendor_contracts
		WHERE tenant_id = ? AND status = 'active'`, tenantID)
	if err != nil {
		return nil, translate(err, "contracts")
	}
	defer rows.Close()
	var out []*time.Time
	for rows.Next() {
		var end sql.NullTime
		if err := rows.Scan(&end); err != nil {
			return nil, translate(err, "contracts")
		}
		out = append(out, utcDate(end))
	}
	return out, translate(rows.Err(), "contracts")
}
