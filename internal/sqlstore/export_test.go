package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// MigrateSchemaTo moves the schema up or down to version (the job queue's
// is left alone), so a test can write rows as an older release did and
// then migrate them.
func (db *DB) MigrateSchemaTo(ctx context.Context, version int64) error {
	p, err := db.schema()
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if current > version {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("migrate schema to %d: %w", version, err)
	}
	return nil
}

// WritesWaiting counts the transactions waiting for SQLite's write
// connection (0 on PostgreSQL, which takes no turns).
func (db *DB) WritesWaiting() int {
	if db.turn == nil {
		return 0
	}
	return db.turn.waiting()
}

// EmailLookupQueries are the look-ups of emails by Message-ID (two ids for
// the list), for checking which index the engine reads them with.
func EmailLookupQueries(d Dialect) []string {
	return []string{earlierContentQuery(d), firstArrivalsQuery(d, 2)}
}

// Checkpoint runs one background checkpoint round now.
func (db *DB) Checkpoint(ctx context.Context) (int, error) { return db.checkpoint(ctx) }

// TenantRowsQueries are the statements that write or read a batch of a
// tenant's rows by id, as the engine d runs them, with their arguments,
// for checking which index finds the rows.
func TenantRowsQueries(d Dialect, tenantID string, ids []string) map[string][]any {
	at := time.Now().UTC()
	q := map[string][]any{}
	add := func(s string, args []any) { q[rebind(d, s)] = args }
	add(markArchivedQuery(d, at, tenantID, ids))
	s, args := saveStatusQuery(d, "status = ?, archived_at = COALESCE(archived_at, ?)", tenantID, ids)
	add(s, append([]any{"NORMALIZED", at}, args...))
	add(markNormalizedQuery(d, at, 1, tenantID, ids))
	byID, args := tenantRows(d, "d.tenant_id", "d.id", tenantID, ids)
	add(`SELECT d.id FROM ingest_deliveries d WHERE `+byID, args)
	return q
}
