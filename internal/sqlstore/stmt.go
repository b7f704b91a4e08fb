package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statements a pool keeps prepared. The store's
// fixed queries fit well within it; queries built for one batch size (IN
// lists, multi-row VALUES) beyond it simply run unprepared.
const maxCachedStmts = 256

// stmtCache keeps each query prepared on a SQLite pool, so the hot
// queries are parsed once per connection instead of on every call (the
// SQLite driver otherwise prepares and finalizes each statement it runs).
// PostgreSQL needs none: its driver caches prepared statements per
// connection by itself.
//
// On the single-connection write pool a statement cannot be prepared while
// a transaction holds the connection: a query first seen in a transaction
// runs unprepared and is prepared once the transaction has committed.
type stmtCache struct {
	pool *sql.DB

	mu      sync.RWMutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// inTx returns query prepared for tx when it is cached already; otherwise
// it notes the query for preparePending and returns nil.
func (c *stmtCache) inTx(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.stmts[query]
	full := len(c.stmts)+len(c.pending) >= maxCachedStmts
	c.mu.RUnlock()
	if ok {
		return tx.StmtContext(ctx, st)
	}
	if !full {
		c.mu.Lock()
		c.pending[query] = true
		c.mu.Unlock()
	}
	return nil
}

// preparePending prepares the queries transactions noted, once no
// transaction of this goroutine holds the connection.
func (c *stmtCache) preparePending(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.RLock()
	n := len(c.pending)
	c.mu.RUnlock()
	if n == 0 {
		return
	}
	c.mu.Lock()
	queries := make([]string, 0, len(c.pending))
	for q := range c.pending {
		queries = append(queries, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range queries {
		c.get(ctx, q)
	}
}

// get returns query prepared on the pool, or nil when it is not worth
// keeping (the cache is full) or does not prepare (running it unprepared
// then reports the error).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, ok := c.stmts[query]
	full := len(c.stmts) >= maxCachedStmts
	c.mu.RUnlock()
	if ok || full {
		return st
	}
	// Prepared without the lock: on the write pool preparing waits for the
	// connection, which a transaction may hold while it looks up a query.
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept, ok := c.stmts[query]; ok {
		_ = st.Close() // prepared twice at once: the first one is kept
		return kept
	}
	c.stmts[query] = st
	return st
}

// close releases the prepared statements.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		_ = st.Close() // the pool is closing anyway
		delete(c.stmts, q)
	}
}
