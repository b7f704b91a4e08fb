package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// valueRows returns the VALUES list of a multi-row INSERT: n rows of
// cols placeholders each.
func valueRows(n, cols int) string {
	row := "(" + placeholders(cols) + ")"
	return strings.Repeat(row+", ", n-1) + row
}

// likePattern builds a case-insensitive substring pattern; callers compare
// against LOWER(column). Wildcards typed by the user match literally enough
// for search boxes.
func likePattern(q string) string {
	q = strings.ToLower(q)
	q = strings.NewReplacer("%", "", "_", "").Replace(q)
	return "%" + q + "%"
}

// mustAffect turns "no row matched" into not found.
func mustAffect(res sql.Result, err error, what string) error {
	if err != nil {
		return translate(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err, what)
	}
	if n == 0 {
		return apperr.NotFoundf("%s not found", what)
	}
	return nil
}

// invalidRef reports a reference to something absent from the tenant.
func invalidRef(field, id string) error {
	return &apperr.Error{Code: apperr.Invalid, Message: "validation failed",
		Fields: []apperr.FieldError{{Field: field, Message: "no such item: " + id}}}
}

// jsonList stores a []string as a JSON array in a TEXT column.
func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v) // a []string always marshals
	return string(b)
}

// parseList reads a JSON array column; a malformed value reads as empty.
// Lists are read with every row of lists such as vendors, so the common
// form jsonList writes — strings with nothing escaped — is split without
// the JSON decoder; anything else is decoded.
func parseList(s string) []string {
	if out, ok := splitPlainList(s); ok {
		return out
	}
	out := []string{}
	_ = json.Unmarshal([]byte(s), &out) // written only by jsonList
	return out
}

// splitPlainList reads `["a","b"]` as json.Marshal writes it when no
// string holds an escape; ok is false for any other form.
func splitPlainList(s string) (out []string, ok bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' || strings.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	rest := s[1 : len(s)-1]
	out = make([]string, 0, strings.Count(rest, `","`)+1)
	for rest != "" {
		if rest[0] != '"' {
			return nil, false
		}
		end := strings.IndexByte(rest[1:], '"') + 1
		if end == 0 {
			return nil, false
		}
		out = append(out, rest[1:end])
		rest = rest[end+1:]
		if rest == "" {
			break
		}
		if rest[0] != ',' || len(rest) == 1 {
			return nil, false
		}
		rest = rest[1:]
	}
	return out, true
}

// The store implements the domain store interfaces.
var (
	_ auth.Store  = (*DB)(nil)
	_ audit.Store = (*DB)(nil)
)
