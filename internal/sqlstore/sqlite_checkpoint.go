package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointEvery is how often the write-ahead log of a SQLite database is
// copied back into the database file.
const checkpointEvery = 500 * time.Millisecond

// checkpointer copies SQLite's write-ahead log back into the database in
// the background, from a read connection. SQLite would otherwise do it on
// the write connection every 1,000 pages, right after a commit: the copy
// and its fsyncs then hold the one writer, and under a burst of small
// transactions that is several times a second, each time on a disk the
// rest of the machine also waits on. A passive checkpoint runs beside the
// writer and never waits for it.
type checkpointer struct {
	stop, done chan struct{}
	once       sync.Once
}

// startCheckpoints checkpoints db's log every checkpointEvery until stopped.
func startCheckpoints(db *DB) *checkpointer {
	c := &checkpointer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
			// A failed round is tried again at the next tick; SQLite also
			// checkpoints when the last connection closes.
			_, _ = db.checkpoint(context.Background())
		}
	}()
	return c
}

// close stops the checkpoints, once however often it is called; a nil
// checkpointer (PostgreSQL) is fine.
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

// checkpoint copies what it can of the log into the database without
// waiting for the writer or readers, and returns how many pages of the log
// are now in the database.
func (db *DB) checkpoint(ctx context.Context) (int, error) {
	var busy, logPages, copied int
	err := db.read.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &copied)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, translate(err, "checkpoint")
	}
	return copied, nil
}
