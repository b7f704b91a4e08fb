package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/vendorsync/vendorsync/internal/filelock"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

//go:embed migrations
var migrations embed.FS

// SchemaDigest identifies the embedded schema migrations of dialect d: two
// databases migrated by binaries with the same digest have the same schema,
// so a copy of one migrated database can stand in for migrating another.
func SchemaDigest(d Dialect) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations, "migrations/"+string(d), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("schema digest: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// migrateLockKey is the PostgreSQL advisory lock that serialises migrations
// when several replicas start at once.
const migrateLockKey = 7_351_209_114

// MigrationResult says what Migrate applied.
type MigrationResult struct {
	Applied []string // file names of schema migrations applied now
	Version int64    // schema version after migrating
	River   int      // River queue migrations applied now
}

// Migrate brings the schema (ours and the job queue's) up to date. It is safe
// to call from several processes at once: on PostgreSQL they queue on an
// advisory lock, on SQLite on the single writer.
func (db *DB) Migrate(ctx context.Context) (MigrationResult, error) {
	var res MigrationResult
	if db.Dialect == Postgres {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return res, fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
			return res, fmt.Errorf("migrate: take lock: %w", err)
		}
		defer func() {
			// Unlock on a fresh context: the caller's may be cancelled, and a
			// held advisory lock would block every other replica.
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey)
		}()
	}
	if db.Dialect == SQLite {
		unlock, err := filelock.Lock(db.path + ".migrate-lock")
		if err != nil {
			return res, fmt.Errorf("migrate: %w", err)
		}
		defer unlock()
	}
	provider, err := db.schema()
	if err != nil {
		return res, fmt.Errorf("migrate: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return res, fmt.Errorf("migrate schema: %w", err)
	}
	for _, r := range results {
		res.Applied = append(res.Applied, r.Source.Path)
	}
	if res.Version, err = provider.GetDBVersion(ctx); err != nil {
		return res, fmt.Errorf("migrate: read version: %w", err)
	}
	migrator, err := rivermigrate.New(db.RiverDriver(), nil)
	if err != nil {
		return res, fmt.Errorf("migrate job queue: %w", err)
	}
	rr, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return res, fmt.Errorf("migrate job queue: %w", err)
	}
	res.River = len(rr.Versions)
	return res, nil
}

// schema is the migrator of the engine's embedded schema migrations.
func (db *DB) schema() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	return goose.NewProvider(dialect, db.write, sub)
}

// RiverDriver returns the job queue driver for this engine. Both use
// database/sql, so jobs are inserted with the store's own *sql.Tx.
func (db *DB) RiverDriver() riverdriver.Driver[*sql.Tx] {
	if db.Dialect == Postgres {
		return riverdatabasesql.New(db.write)
	}
	return riversqlite.New(db.write)
}

// ListenerDriver returns, on PostgreSQL, a job queue driver on its own
// pgx pool that can LISTEN, for the process that works jobs: jobs inserted
// by any replica wake it at once through NOTIFY (sent in the inserting
// transaction). close releases the pool. On SQLite it returns nil.
func (db *DB) ListenerDriver(ctx context.Context) (driver riverdriver.Driver[pgx.Tx], close func(), err error) {
	if db.Dialect != Postgres {
		return nil, func() {}, nil
	}
	cfg, err := pgxpool.ParseConfig(db.url)
	if err != nil {
		return nil, nil, fmt.Errorf("job queue pool: %w", err)
	}
	cfg.MaxConns = 10
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("job queue pool: %w", err)
	}
	return riverpgxv5.New(pool), pool.Close, nil
}

// NotifyJobsCommitted sends the job queue's listeners on PostgreSQL (every
// replica that works jobs) one insert notification per payload, each naming
// a queue jobs were committed to; a no-op on SQLite. The notification River
// sends inside an inserting transaction is merged with others a few
// milliseconds apart and can reach the workers before the later
// transaction commits; these are sent after.
func (db *DB) NotifyJobsCommitted(ctx context.Context, payloads ...string) error {
	if db.Dialect != Postgres || len(payloads) == 0 {
		return nil
	}
	// River's listener prefixes its channels with the schema it runs in.
	_, err := db.write.ExecContext(ctx,
		`SELECT pg_notify(concat_ws('.', current_schema(), 'river_insert'), p) FROM unnest($1::text[]) AS p`, payloads)
	return translate(err, "notify job queue")
}

// Enqueuer inserts a job inside an open transaction; the job queue
// (jobs.Queue) implements it. Committed is told after a transaction that
// enqueued jobs commits, so workers in this process pick them up at once.
type Enqueuer interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, job jobargs.Args) error
	// EnqueueManyTx inserts several jobs in one call.
	EnqueueManyTx(ctx context.Context, tx *sql.Tx, jobs []jobargs.Args) error
	Committed()
}

// SetEnqueuer installs the job queue once it exists (it needs the store first).
func (db *DB) SetEnqueuer(e Enqueuer) { db.enq = e }

// Enqueue inserts a job in this transaction, so it exists if and only if the
// change that caused it commits.
func (tx *Tx) Enqueue(ctx context.Context, job jobargs.Args) error {
	if tx.db.enq == nil {
		return fmt.Errorf("enqueue %s: job queue not started", job.Kind())
	}
	if err := tx.db.enq.EnqueueTx(ctx, tx.tx, job); err != nil {
		return err
	}
	tx.enqueued++
	return nil
}

// EnqueueAll inserts every job in this transaction, in one call to the
// job queue (one statement on PostgreSQL, one round trip instead of one
// per job).
func (tx *Tx) EnqueueAll(ctx context.Context, jobs []jobargs.Args) error {
	switch {
	case len(jobs) == 0:
		return nil
	case len(jobs) == 1:
		return tx.Enqueue(ctx, jobs[0])
	case tx.db.enq == nil:
		return fmt.Errorf("enqueue %s: job queue not started", jobs[0].Kind())
	}
	if err := tx.db.enq.EnqueueManyTx(ctx, tx.tx, jobs); err != nil {
		return err
	}
	tx.enqueued += len(jobs)
	return nil
}
