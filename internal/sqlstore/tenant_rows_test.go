package sqlstore

import (
	"context"
	"strings"
	"testing"
)

// TestIngestWritesFindRowsByID: the statements that write a batch of a
// tenant's events by id find them through the ids' unique index on SQLite,
// whose planner (without statistics) would otherwise walk every row of the
// tenant. PostgreSQL plans from its statistics.
func TestIngestWritesFindRowsByID(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]string{
		"mark archived":            markArchivedQuery(SQLite, 100),
		"save outcomes":            saveStatusQuery(SQLite, "status = ?, archived_at = COALESCE(archived_at, ?)", 100),
		"mark normalized archived": markNormalizedQuery(SQLite, 100),
		"claim deliveries":         `SELECT d.id FROM ingest_deliveries d WHERE ` + tenantRows(SQLite, "d.tenant_id", "d.id", 100),
	} {
		rows, err := db.write.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, make([]any, strings.Count(q, "?"))...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, "; ")
		if strings.Contains(got, "tenant_id=?") || !strings.Contains(got, "id=?") {
			t.Errorf("%s: plan %q; want the rows found by id", name, got)
		}
	}
}
