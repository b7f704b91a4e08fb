package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// Migrating a database costs seconds (tens of DDL statements, each a durable
// commit on PostgreSQL); copying a migrated one costs milliseconds. So Open
// migrates one template per engine and schema digest, shared by every test
// process on the machine, and hands each test a copy of it: a file copy on
// SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL. The template's name
// carries the digest of the embedded migrations, so a changed migration gets
// a new template; a template behind the binary's migrations (a newer job
// queue) is brought up to date when its copy is opened.

// templateLockKey serialises building the PostgreSQL template across processes.
const templateLockKey = 7_351_209_115

var templates sync.Map // sqlstore.Dialect → *template

type template struct {
	once sync.Once
	ref  string // SQLite: the template file; PostgreSQL: the template database
	err  error
}

// migratedURL returns the URL of a fresh database on dialect d that holds a
// copy of the migrated template, removed when the test ends.
func migratedURL(t testing.TB, d sqlstore.Dialect) string {
	t.Helper()
	base := ""
	if d == sqlstore.Postgres {
		base = os.Getenv(PostgresEnv)
		if base == "" {
			t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", PostgresEnv)
		}
	}
	v, _ := templates.LoadOrStore(d, &template{})
	tp := v.(*template)
	tp.once.Do(func() {
		if d == sqlstore.SQLite {
			tp.ref, tp.err = sqliteTemplate()
		} else {
			tp.ref, tp.err = postgresTemplate(base)
		}
	})
	if tp.err != nil {
		t.Fatalf("migrated template (%s): %v", d, tp.err)
	}
	if d == sqlstore.SQLite {
		path := filepath.Join(t.TempDir(), "test.db")
		if err := copyFile(tp.ref, path); err != nil {
			t.Fatalf("copy template: %v", err)
		}
		return "sqlite:" + path
	}
	return postgresCopy(t, base, tp.ref)
}

// sqliteTemplate returns the path of the migrated SQLite template, building
// it when no test process has yet.
func sqliteTemplate() (string, error) {
	digest, err := sqlstore.SchemaDigest(sqlstore.SQLite)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), "vendorsync-storetest")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "sqlite-"+digest[:16]+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	work, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(work, "t.db"), work)
	if err != nil {
		return "", err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return "", err
	}
	db.Close()
	// VACUUM INTO writes one self-contained file (no WAL beside it), which
	// a rename then publishes whole to the other processes.
	raw, err := sql.Open("sqlite", filepath.Join(work, "t.db"))
	if err != nil {
		return "", err
	}
	defer raw.Close()
	out := filepath.Join(work, "out.db")
	if _, err := raw.Exec("VACUUM INTO ?", out); err != nil {
		return "", fmt.Errorf("vacuum into: %w", err)
	}
	if err := os.Rename(out, path); err != nil {
		return "", err
	}
	return path, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// postgresTemplate returns the name of the migrated PostgreSQL template
// database, building it under an advisory lock when it does not exist yet.
func postgresTemplate(base string) (string, error) {
	digest, err := sqlstore.SchemaDigest(sqlstore.Postgres)
	if err != nil {
		return "", err
	}
	name := "vs_template_" + digest[:16]
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("postgres unreachable at %s: %w", PostgresEnv, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", templateLockKey); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLockKey) //nolint:errcheck // the session ends with the connection anyway
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		return "", err
	}
	if n == 1 {
		return name, nil
	}
	// Built under another name and renamed when complete, so a process
	// killed half way never leaves a template that looks finished.
	building := name + "_" + randomHex(4)
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	u, err := databaseURL(base, building)
	if err != nil {
		return "", err
	}
	db, err := sqlstore.Open(ctx, u, os.TempDir())
	if err != nil {
		return "", err
	}
	_, err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		_, _ = conn.ExecContext(ctx, "DROP DATABASE "+building+" WITH (FORCE)") // best effort: the build failed already
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", err
	}
	return name, nil
}

// postgresCopy creates a database from the template, dropped when the test
// ends, and returns its URL.
func postgresCopy(t testing.TB, base, template string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	name := "vs_test_" + randomHex(6)
	for attempt := 0; ; attempt++ {
		_, err = admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + template)
		// PostgreSQL refuses to copy a database another session is in; the
		// only one that can be is autovacuum, which is told to leave.
		if err == nil || attempt == 5 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create database from template: %v", err)
	}
	t.Cleanup(func() {
		drop, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer drop.Close()
		_, _ = drop.Exec("DROP DATABASE " + name + " WITH (FORCE)") // best effort: the name is unique anyway
	})
	u, err := databaseURL(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// databaseURL returns base with its database replaced by name.
func databaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", PostgresEnv, err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", errors.New(PostgresEnv + " is not a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
