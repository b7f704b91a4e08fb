package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// stmtConnector opens SQLite connections that keep every query they run
// prepared, keyed by its text: queries the store does not prepare itself
// (the job queue's, whose driver runs plain SQL in our transactions) would
// otherwise be parsed and planned again on every call, which is a large
// share of a job insert. The store's own statements go through stmtCache
// and are prepared once per connection by database/sql as before.
type stmtConnector struct{ driver.Connector }

// connStmts bounds the statements one connection keeps prepared.
const connStmts = 256

// openSQLitePool opens a pool over dsn whose connections keep their
// queries prepared.
func openSQLitePool(dsn string) (*sql.DB, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(stmtConnector{base}), nil
}

func (c stmtConnector) Connect(ctx context.Context) (driver.Conn, error) {
	inner, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := inner.(sqliteConn)
	if !ok {
		return inner, nil // a driver without the context methods: no cache
	}
	return &stmtConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

// sqliteConn is what the SQLite driver's connection offers.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type stmtConn struct {
	sqliteConn
	mu    sync.Mutex
	stmts map[string]*cachedStmt
}

// cachedStmt is a prepared statement; busy while rows read from it are open.
type cachedStmt struct {
	st   preparedStmt
	busy bool
}

type preparedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// take returns the query's prepared statement marked busy, or nil to run
// the query unprepared: a query of several statements, one already being
// read, or one that does not prepare (its error comes from running it).
func (c *stmtConn) take(ctx context.Context, query string) *cachedStmt {
	if i := strings.IndexByte(query, ';'); i >= 0 && strings.TrimSpace(query[i+1:]) != "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil
		}
		cs.busy = true
		return cs
	}
	st, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	ps, ok := st.(preparedStmt)
	if !ok {
		st.Close()
		return nil
	}
	if len(c.stmts) >= connStmts {
		for q, old := range c.stmts {
			if !old.busy {
				old.st.Close()
				delete(c.stmts, q)
				break
			}
		}
	}
	cs := &cachedStmt{st: ps, busy: true}
	c.stmts[query] = cs
	return cs
}

func (c *stmtConn) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.busy = false
	c.mu.Unlock()
}

func (c *stmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs := c.take(ctx, query)
	if cs == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	defer c.release(cs)
	return cs.st.ExecContext(ctx, args)
}

func (c *stmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs := c.take(ctx, query)
	if cs == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.st.QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &stmtRows{Rows: rows, release: func() { c.release(cs) }}, nil
}

// Close finalizes the kept statements, then closes the connection.
func (c *stmtConn) Close() error {
	c.mu.Lock()
	for q, cs := range c.stmts {
		cs.st.Close()
		delete(c.stmts, q)
	}
	c.mu.Unlock()
	return c.sqliteConn.Close()
}

// stmtRows hands its statement back when closed.
type stmtRows struct {
	driver.Rows
	release func()
	once    sync.Once
}

func (r *stmtRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}

// ColumnTypeDatabaseTypeName passes the column's declared type through.
func (r *stmtRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}
