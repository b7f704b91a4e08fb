// Package sqlstore holds all of VendorSync's SQL: one file per domain, written
// once for both engines (SQLite and PostgreSQL) with a thin dialect layer.
// Driver errors are translated to apperr codes here, at the boundary.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/filelock"
	"github.com/vendorsync/vendorsync/internal/secret"
)

// Dialect names a storage engine.
type Dialect string

// Supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the store: a write pool and a read pool over one database. On SQLite
// the write pool has a single connection (SQLite has one writer) and the read
// pool is query-only; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// readStmts and writeStmts keep the queries prepared on SQLite's pools.
	readStmts, writeStmts *stmtCache
	enq                   Enqueuer
	path                  string // SQLite file, for the migration lock
	url                   string // PostgreSQL URL, for the job queue's listening pool
	// turn orders the store's transactions on SQLite's one write
	// connection, urgent ones first; nil on PostgreSQL.
	turn *writeTurn
	// checkpoints copies SQLite's log into the database in the background.
	checkpoints *checkpointer
	// Keys is the keyring: secrets at rest and the audit chain's MAC keys.
	Keys *secret.Keyring
	// Now is the store's clock; tests replace it. Times are UTC, truncated to
	// microseconds so that both engines round-trip them exactly.
	Now func() time.Time
	// BulkReconLines overrides the contract size from which a
	// reconciliation reads whole tables (0: bulkReconLines); tests set it
	// to compare both ways of reading.
	BulkReconLines int
}

// Open connects to the database named by databaseURL: empty or sqlite:PATH
// for SQLite (default file vendorsync.db in dataDir), postgres://… for
// PostgreSQL. It does not migrate; call Migrate.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		pool, err := sql.Open("pgx", databaseURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// As many idle as open: under a burst of more requests than
		// connections, a smaller idle pool closes connections only to open
		// them again, and a PostgreSQL connection costs a server process.
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(20)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db.Dialect, db.write, db.read, db.url = Postgres, pool, pool, databaseURL
	case databaseURL == "", strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//")
		if path == "" {
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return nil, fmt.Errorf("create data dir: %w", err)
			}
			path = filepath.Join(dataDir, "vendorsync.db")
		}
		w, r, err := openSQLite(path)
		if err != nil {
			return nil, err
		}
		db.Dialect, db.write, db.read, db.path = SQLite, w, r, path
		db.readStmts, db.writeStmts = newStmtCache(r), newStmtCache(w)
		db.turn = &writeTurn{}
		db.checkpoints = startCheckpoints(db)
	default:
		return nil, apperr.Invalidf("unsupported database URL %q: use postgres://… or sqlite:PATH", redactURL(databaseURL))
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openSQLite(path string) (write, read *sql.DB, err error) {
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"
	dsn := "file:" + path + "?" + pragmas
	// The writer never checkpoints the log itself: startCheckpoints does,
	// beside it.
	write, err = openSQLitePool(dsn + "&_txlock=immediate&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	// The write connection creates the file and switches it to WAL before any
	// reader opens it. Switching the journal mode needs the file to itself and
	// does not wait on the busy timeout, so processes opening the same file at
	// once take turns on the migration lock.
	unlock, err := filelock.Lock(path + ".migrate-lock")
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	err = write.Ping()
	unlock()
	if err != nil {
		write.Close()
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err = openSQLitePool(dsn + "&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Idle readers stay open: opening a SQLite connection (and its
	// pragmas) costs more than most queries.
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	return write, read, nil
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "database unreachable")
	}
	return nil
}

// URL names the database as Open takes it, so another process (or a
// test) can open it too. It may carry credentials: never log it.
func (db *DB) URL() string {
	if db.Dialect == SQLite {
		return "sqlite:" + db.path
	}
	return db.url
}

// Close releases both pools.
func (db *DB) Close() error {
	db.checkpoints.close()
	db.readStmts.close()
	db.writeStmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// WritePool is the pool the job queue shares; on SQLite it is the single
// writer connection, so River and the store never fight over the file lock.
func (db *DB) WritePool() *sql.DB { return db.write }

// rebind turns the portable "?" placeholders into "$1…" for PostgreSQL.
// Queries in this package never put "?" inside string literals.
func rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs portable SQL on a pool or a transaction, through prepared
// statements where the pool keeps them (SQLite).
type conn struct {
	q     querier
	d     Dialect
	stmts *stmtCache
	tx    *sql.Tx // set when q is a transaction of stmts' pool
}

// prepared returns query prepared for c, or nil to run it as is.
func (c conn) prepared(ctx context.Context, query string) *sql.Stmt {
	switch {
	case c.stmts == nil:
		return nil
	case c.tx != nil:
		return c.stmts.inTx(ctx, c.tx, query)
	default:
		return c.stmts.get(ctx, query)
	}
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = rebind(c.d, query)
	if st := c.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, query, args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = rebind(c.d, query)
	if st := c.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, query, args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = rebind(c.d, query)
	if st := c.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, query, args...)
}

// reader returns a connection for reads outside a transaction.
func (db *DB) reader() conn { return conn{q: db.read, d: db.Dialect, stmts: db.readStmts} }

// Tx is one write transaction: the domain change, its audit rows and the jobs
// it causes commit together.
type Tx struct {
	conn
	tx  *sql.Tx
	db  *DB
	now time.Time
	// enqueued counts the jobs inserted in this transaction.
	enqueued int
	// audit holds the rows recorded for the audit chain, appended just
	// before the commit.
	audit []audit.Entry
}

// SQL exposes the underlying transaction, for the job queue's InsertTx.
func (tx *Tx) SQL() *sql.Tx { return tx.tx }

// inTx runs fn in a write transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.inTxTurn(ctx, false, fn)
}

// inUrgentTx runs fn in a write transaction that a sender waits on: on
// SQLite it gets the write connection before background transactions
// waiting for it (see writeTurn).
func (db *DB) inUrgentTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.inTxTurn(ctx, true, fn)
}

func (db *DB) inTxTurn(ctx context.Context, urgent bool, fn func(tx *Tx) error) error {
	if db.turn != nil {
		if err := db.turn.acquire(ctx, urgent); err != nil {
			return translate(err, "transaction")
		}
		defer db.turn.release()
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return translate(err, "transaction")
	}
	c := conn{q: sqlTx, d: db.Dialect}
	if db.writeStmts != nil {
		c.stmts, c.tx = db.writeStmts, sqlTx
	}
	tx := &Tx{conn: c, tx: sqlTx, db: db, now: db.Now()}
	err = fn(tx)
	if err == nil {
		err = tx.appendAudit(ctx)
	}
	if err != nil {
		_ = sqlTx.Rollback() // the error from fn is the one worth reporting
	} else if err = sqlTx.Commit(); err != nil {
		err = translate(err, "commit")
	}
	// The connection is free again: prepare what this transaction ran
	// for the first time.
	db.writeStmts.preparePending(ctx)
	if err != nil {
		return err
	}
	if tx.enqueued > 0 {
		db.enq.Committed() // the jobs are visible now: wake the workers
	}
	return nil
}

// InTx lets other adapters (jobs, app) run their own statements and enqueue
// jobs in one transaction.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error { return db.inTx(ctx, fn) }
