package sqlstore

// tenantRows is the condition picking a tenant's rows by id, and its
// arguments (the tenant, then the ids). Without statistics (SQLite keeps
// none; a PostgreSQL table has none until autovacuum first analyzes it, a
// minute or more into a new installation's first load) both engines'
// planners take the tenant for the more selective term and walk every row
// of the tenant in an index led by tenant_id, checking each against the
// ids, so that marking 100 events read all the tenant's events. So the
// tenant stays a filter, which no index can serve, and the ids' own
// unique index finds the rows: on SQLite "+tenantCol = ? AND idCol IN
// (?, …)"; on PostgreSQL the tenant column joined to the empty string is
// compared, and "idCol = ANY(?)" takes the ids as one array, so that the
// statement reads the same for any number of ids.
func tenantRows(d Dialect, tenantCol, idCol, tenantID string, ids []string) (string, []any) {
	if d == Postgres {
		return tenantCol + " || '' = ? AND " + idCol + " = ANY(?::text[])", []any{tenantID, ids}
	}
	args := make([]any, 0, 1+len(ids))
	args = append(args, tenantID)
	for _, id := range ids {
		args = append(args, id)
	}
	return "+" + tenantCol + " = ? AND " + idCol + " IN (" + placeholders(len(ids)) + ")", args
}
