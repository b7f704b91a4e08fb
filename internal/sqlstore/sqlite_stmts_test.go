package sqlstore_test

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestSQLiteConnectionKeepsQueriesPrepared: a SQLite connection keeps the
// queries it runs prepared, and still runs a query again while rows of it
// are being read, scripts of several statements, and a query whose table
// changed since it was prepared.
func TestSQLiteConnectionKeepsQueriesPrepared(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, sqlstore.SQLite)
	pool := db.WritePool()
	if _, err := pool.ExecContext(ctx, `CREATE TABLE stmt_probe (n INTEGER); INSERT INTO stmt_probe VALUES (1), (2), (3)`); err != nil {
		t.Fatalf("script of two statements: %v", err)
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT n FROM stmt_probe WHERE n >= ? ORDER BY n`
	sum := 0
	for range 3 {
		rows, err := tx.QueryContext(ctx, q, 1)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n int
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			// The same query again while its rows are open.
			var inner int
			if err := tx.QueryRowContext(ctx, q, n).Scan(&inner); err != nil {
				t.Fatal(err)
			}
			sum += n + inner
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if sum != 36 {
		t.Errorf("sum = %d, want 36", sum)
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE stmt_probe ADD COLUMN m INTEGER DEFAULT 7`); err != nil {
		t.Fatal(err)
	}
	var m int
	if err := tx.QueryRowContext(ctx, `SELECT m FROM stmt_probe WHERE n >= ? ORDER BY n`, 1).Scan(&m); err != nil || m != 7 {
		t.Errorf("after the table changed: %d, %v", m, err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM stmt_probe WHERE n >= ?`, 2).Scan(&m); err != nil || m != 2 {
		t.Errorf("count: %d, %v", m, err)
	}
}
