package blob

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	_ "modernc.org/sqlite" // the pack's database

	"github.com/vendorsync/vendorsync/internal/filelock"
	"github.com/vendorsync/vendorsync/internal/groupcommit"
)

// packFile is the database, at the root of the directory store, that holds
// its small objects. Keys starting with "." are reserved (ValidKey), so no
// object can be named like it.
const packFile = ".objects.db"

// packMax is the largest object kept in the pack; larger ones are files.
// Creating a file costs the kernel far more than writing a kilobyte: on
// the small machines this runs on, making a file (inode, directory entry,
// journal) takes 0.2–0.5 ms of CPU, so one file per ingested event was most
// of what ingestion cost. In a table those objects cost a row each, their
// durability one flush for many, as for files. Objects up to 1 MiB read and
// write faster from SQLite than from files of their own
// (https://www.sqlite.org/fasterthanfs.html); bigger ones (email attachments,
// reports) stay files, where they stream.
const packMax = 1 << 20

// pack is the table of small objects: key, size, SHA-256 and bytes, written
// once (a taken key is refused by its primary key, in this process or
// another) and made durable by sync. Commits are not flushed one by one
// (synchronous=NORMAL under WAL): sync flushes the log once for every
// object written before it, as syncfs does for files.
type pack struct {
	write *sql.DB // one connection: SQLite has a single writer
	read  *sql.DB
	dirty atomic.Bool // something was written since the last sync
	// creates gathers concurrent writers' objects into shared
	// transactions: one commit for many objects.
	creates groupcommit.Group[packRow, bool]
}

// packRow is an object to insert.
type packRow struct {
	key, sha256 string
	data        []byte
}

// packCommitBytes bounds the bytes one transaction of creates carries.
const packCommitBytes = 8 << 20

func openPack(root string) (*pack, error) {
	path := filepath.Join(root, packFile)
	// A small page cache: the pack is written far more than it is read, and
	// what is read is read once (a download, a verify), so memory held for
	// its pages would only raise the server's resident size.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-256)"
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("blob store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	// Switching a new file to WAL needs it to itself and does not wait on
	// the busy timeout: processes opening the store at once (a server and
	// a command beside it) take turns setting it up.
	unlock, err := filelock.Lock(path + ".lock")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("blob store: %w", err)
	}
	defer unlock()
	if _, err := write.Exec(`CREATE TABLE IF NOT EXISTS objects (
		key    TEXT    NOT NULL PRIMARY KEY,
		size   INTEGER NOT NULL,
		sha256 TEXT    NOT NULL,
		data   BLOB    NOT NULL
	);
	CREATE TABLE IF NOT EXISTS flushes (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)`); err != nil {
		write.Close()
		return nil, fmt.Errorf("blob store: open %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		write.Close()
		return nil, fmt.Errorf("blob store: %w", err)
	}
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("blob store: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(1)
	return &pack{write: write, read: read}, nil
}

// attrs returns the size and SHA-256 of the object at key; ok is false when
// the pack does not hold it.
func (p *pack) attrs(ctx context.Context, key string) (size int64, sum string, ok bool, err error) {
	err = p.read.QueryRowContext(ctx, `SELECT size, sha256 FROM objects WHERE key = ?`, key).Scan(&size, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", false, nil
	}
	return size, sum, err == nil, err
}

// open returns the object at key; ok is false when the pack does not hold it.
func (p *pack) open(ctx context.Context, key string) (r io.ReadCloser, ok bool, err error) {
	var data []byte
	err = p.read.QueryRowContext(ctx, `SELECT data FROM objects WHERE key = ?`, key).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return io.NopCloser(bytes.NewReader(data)), true, nil
}

// create stores size bytes of src under key unless the pack holds key
// already (errExists).
func (p *pack) create(ctx context.Context, key string, src io.Reader, size int64, sha256Hex string) error {
	data := make([]byte, size)
	if _, err := io.ReadFull(src, data); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if n, _ := src.Read(make([]byte, 1)); n != 0 {
		return fmt.Errorf("input changed while storing: more than the %d bytes expected", size)
	}
	inserted, err := p.creates.Do(ctx, packRow{key: key, sha256: sha256Hex, data: data}, len(data), packCommitBytes, p.insert)
	switch {
	case err != nil:
		return err
	case !inserted:
		return errExists
	}
	return nil
}

// insert stores rows in one transaction and reports which were new; of
// two rows of one key, the first wins.
func (p *pack) insert(ctx context.Context, rows []packRow) (_ []bool, err error) {
	tx, err := p.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the error is what matters; nothing was stored
		}
	}()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO objects (key, size, sha256, data) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	inserted := make([]bool, len(rows))
	for i, r := range rows {
		res, err := stmt.ExecContext(ctx, r.key, len(r.data), r.sha256, r.data)
		if err != nil {
			return nil, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, err
		}
		inserted[i] = n == 1
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	p.dirty.Store(true)
	return inserted, nil
}

// list returns the keys in the pack starting with prefix.
func (p *pack) list(ctx context.Context, prefix string) ([]string, error) {
	// Keys are ASCII (ValidKey), so every key starting with prefix sorts
	// at or after it and before prefix followed by byte 0x7f.
	rows, err := p.read.QueryContext(ctx, `SELECT key FROM objects WHERE key >= ? AND key < ? ORDER BY key`, prefix, prefix+"\x7f")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// sync makes every object written so far durable: one commit with a full
// flush of the log, which carries every commit before it.
func (p *pack) sync(ctx context.Context) error {
	if !p.dirty.Swap(false) {
		return nil
	}
	err := p.flush(ctx)
	if err != nil {
		p.dirty.Store(true)
	}
	return err
}

func (p *pack) flush(ctx context.Context) error {
	conn, err := p.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil {
		return err
	}
	// A commit under FULL syncs the log, which carries every commit before
	// it; a commit that changed nothing would write nothing, so it counts.
	_, err = conn.ExecContext(ctx, `INSERT INTO flushes (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = n + 1`)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = NORMAL`); err == nil {
		err = rerr
	}
	return err
}

func (p *pack) close() error {
	return errors.Join(p.write.Close(), p.read.Close())
}
