package sqlstore_test

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestSQLiteWriterLeavesCheckpointsToTheBackground: SQLite's write
// connection never copies the log back into the database after a commit
// (with its fsyncs, while every other writer waits); the background
// checkpoint, from a read connection, copies all of it. PostgreSQL has no
// such log to copy.
func TestSQLiteWriterLeavesCheckpointsToTheBackground(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, sqlstore.SQLite)
	var every int
	if err := db.WritePool().QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&every); err != nil {
		t.Fatal(err)
	}
	if every != 0 {
		t.Errorf("the write connection checkpoints every %d pages itself, want never (0)", every)
	}
	if _, err := db.WritePool().ExecContext(ctx, `CREATE TABLE ckpt_probe (n INTEGER, pad TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := db.WritePool().ExecContext(ctx, `INSERT INTO ckpt_probe VALUES (?, ?)`, i, string(make([]byte, 3000))); err != nil {
			t.Fatal(err)
		}
	}
	copied, err := db.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var busy, logPages, done int
	if err := db.WritePool().QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &done); err != nil {
		t.Fatal(err)
	}
	if copied < 50 || done != logPages {
		t.Errorf("background checkpoint copied %d pages, the log holds %d of which %d are copied; want it all copied", copied, logPages, done)
	}
}
