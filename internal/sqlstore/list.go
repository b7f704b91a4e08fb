package sqlstore

import (
	"context"
	"strconv"
	"strings"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner = interface{ Scan(...any) error }

// conds accumulates the WHERE conditions of a list query and their
// arguments; every list starts scoped to its tenant.
type conds struct {
	where []string
	args  []any
}

func tenantScoped(tenantID string) *conds {
	return &conds{where: []string{"tenant_id = ?"}, args: []any{tenantID}}
}

// add appends a condition with its arguments.
func (c *conds) add(cond string, args ...any) {
	c.where = append(c.where, cond)
	c.args = append(c.args, args...)
}

// eq adds "col = ?" when v is set; an empty filter value means any.
func (c *conds) eq(col, v string) {
	if v != "" {
		c.add(col+" = ?", v)
	}
}

// activeOnly hides soft-deleted rows unless the caller asked for them.
func (c *conds) activeOnly(includeInactive bool) {
	if !includeInactive {
		c.add("is_active = ?", true)
	}
}

// search matches q case-insensitively as a substring of any of cols.
func (c *conds) search(q string, cols ...string) {
	if q = strings.TrimSpace(q); q == "" {
		return
	}
	parts := make([]string, len(cols))
	for i, col := range cols {
		parts[i] = "LOWER(" + col + ") LIKE ?"
		c.args = append(c.args, likePattern(q))
	}
	c.where = append(c.where, "("+strings.Join(parts, " OR ")+")")
}

// after continues a keyset over (col, id) from a decoded cursor.
func (c *conds) after(keys []string, col string) {
	if keys != nil {
		c.add("("+col+" > ? OR ("+col+" = ? AND id > ?))", keys[0], keys[0], keys[1])
	}
}

func (c *conds) sql() string { return strings.Join(c.where, " AND ") }

// listByName runs a tenant's list query ordered by (sortCol, id), returning
// at most limit rows and the cursor of the next page.
func listByName[T any](ctx context.Context, db *DB, what, columns, table, sortCol string, c *conds, limit int,
	scan func(scanner) (T, error), key func(T) (sort, id string),
) ([]T, string, error) {
	limit = clampLimit(limit)
	q := `SELECT ` + columns + ` FROM ` + table + ` WHERE ` + c.sql() +
		` ORDER BY ` + sortCol + `, id LIMIT ` + strconv.Itoa(limit+1)
	out, err := queryAll(ctx, db.reader(), what, scan, q, c.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		s, id := key(out[limit-1])
		next = encodeCursor(s, id)
	}
	return out, next, nil
}

// queryAll runs a query and scans every row, translating errors for what.
func queryAll[T any](ctx context.Context, cn conn, what string, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := cn.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, what)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, translate(err, what)
		}
		out = append(out, v)
	}
	return out, translate(rows.Err(), what)
}
