package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestEmailLookupsReadOneMessageID checks that SQLite finds the emails of
// one Message-ID through the first-arrival index. Without statistics it
// would rather walk the tenant's received-at index, which gives the order
// the query asks for but reads every email of the tenant, on the single
// writer, for every email received. PostgreSQL chooses from its statistics.
func TestEmailLookupsReadOneMessageID(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, sqlstore.SQLite)
	for _, q := range sqlstore.EmailLookupQueries(sqlstore.SQLite) {
		args := make([]any, strings.Count(q, "?"))
		rows, err := db.WritePool().QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("explain %q: %v", q, err)
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
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(plan, "; ")
		if !strings.Contains(got, "USING INDEX source_emails_first_arrival_idx (tenant_id=? AND message_id=?)") {
			t.Errorf("plan of %q:\n%s\nwant a search of source_emails_first_arrival_idx by tenant and Message-ID", q, got)
		}
	}
}
