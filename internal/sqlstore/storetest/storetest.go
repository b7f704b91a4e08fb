// Package storetest opens real, migrated databases for tests: SQLite always,
// PostgreSQL too when VENDORSYNC_TEST_POSTGRES_URL is set. Each call gets its
// own database file or schema, so tests never share state.
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"

	"github.com/vendorsync/vendorsync/internal/secret"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// PostgresEnv names the variable that enables the PostgreSQL half of the suite.
const PostgresEnv = "VENDORSYNC_TEST_POSTGRES_URL"

// Dialects lists the engines this test run covers.
func Dialects(t testing.TB) []sqlstore.Dialect {
	t.Helper()
	if os.Getenv(PostgresEnv) == "" {
		return []sqlstore.Dialect{sqlstore.SQLite}
	}
	return []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres}
}

// Run runs fn as a subtest once per engine, each with a fresh migrated store.
// The test owns its databases, so it runs in parallel with the package's
// other parallel tests, and its two engines run in parallel with each
// other; fn must not touch process-wide state (environment, globals).
// Without VENDORSYNC_TEST_POSTGRES_URL the PostgreSQL subtest is skipped with
// a message, so a local run says what it did not cover.
func Run(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	t.Parallel()
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated store on dialect d: a copy of a database
// migrated once per schema (see template.go), migrated again on open (which
// finds nothing to do), so each test still gets a database of its own.
func Open(t testing.TB, d sqlstore.Dialect) *sqlstore.DB {
	t.Helper()
	return OpenURL(t, migratedURL(t, d))
}

// OpenURL opens and migrates the store at url, closed when the test ends:
// a second replica on the database of another store.
func OpenURL(t testing.TB, url string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), url, t.TempDir())
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	db.Keys = secret.NewForTest()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", url, err)
	}
	return db
}

// URL returns a database URL of a fresh, empty database on dialect d: a new
// SQLite file, or a new PostgreSQL schema dropped when the test ends.
func URL(t testing.TB, d sqlstore.Dialect) string {
	t.Helper()
	if d == sqlstore.SQLite {
		return "sqlite:" + t.TempDir() + "/test.db"
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if err := admin.Ping(); err != nil {
		t.Fatalf("postgres unreachable at %s: %v", PostgresEnv, err)
	}
	schema := "vs_test_" + randomHex(6)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		drop, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer drop.Close()
		_, _ = drop.Exec("DROP SCHEMA " + schema + " CASCADE") // best effort: the schema name is unique anyway
	})
	return WithSearchPath(t, base, schema)
}

// WithSearchPath sets the PostgreSQL search_path runtime parameter on a URL.
func WithSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
