package sqlstore

// tenantRows is the condition picking n rows of a tenant by id:
// "tenantCol = ? AND idCol IN (?, …)". Without statistics SQLite's planner
// takes the tenant for the more selective term and walks every row of the
// tenant in an index led by tenant_id, checking each against the list, so
// that marking 100 events read all the tenant's events. On SQLite a unary
// + keeps the tenant a filter and the ids' own unique index finds the
// rows; PostgreSQL's planner chooses from its statistics.
func tenantRows(d Dialect, tenantCol, idCol string, n int) string {
	if d == SQLite {
		tenantCol = "+" + tenantCol
	}
	return tenantCol + " = ? AND " + idCol + " IN (" + placeholders(n) + ")"
}
