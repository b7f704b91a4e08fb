package p21test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// read answers GET /odataservice/odata/table/{table} with its query
// options, as P21's data service does.
func (s *Server) read(w http.ResponseWriter, r *http.Request, table string) {
	if r.Method != http.MethodGet {
		odataError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested resource does not support http method '"+r.Method+"'.")
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	rows, ok := s.tables[table]
	maxPage, delay := s.maxPage, s.pageDelay
	s.mu.Unlock()
	if !ok {
		odataError(w, http.StatusNotFound, "NotFound", "The table '"+table+"' was not found.")
		return
	}
	cacheKey := table + "\x00" + q.Get("$filter") + "\x00" + q.Get("$orderby")
	s.mu.Lock()
	matched, cached := s.sorted[cacheKey]
	s.mu.Unlock()
	if !cached {
		var problem string
		if matched, problem = s.query(rows, q.Get("$filter"), q.Get("$orderby")); problem != "" {
			odataError(w, http.StatusBadRequest, "BadRequest", problem)
			return
		}
		s.mu.Lock()
		s.sorted[cacheKey] = matched
		s.mu.Unlock()
	}
	skip, err1 := intOption(q, "$skip", 0)
	top, err2 := intOption(q, "$top", -1)
	if err1 != nil || err2 != nil {
		odataError(w, http.StatusBadRequest, "BadRequest", "$top and $skip must be non-negative integers.")
		return
	}
	total := len(matched)
	start := min(skip, total)
	end := total
	if top >= 0 {
		end = min(start+top, total)
	}
	next := ""
	if end-start > maxPage {
		end = start + maxPage
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("$skip", strconv.Itoa(end))
		if top >= 0 {
			nq.Set("$top", strconv.Itoa(top-(end-start)))
		}
		nq.Del("$count")
		next = "http://" + r.Host + r.URL.Path + "?" + nq.Encode()
	}
	var sel []string
	if s := q.Get("$select"); s != "" {
		sel = strings.Split(s, ",")
		if len(rows) > 0 {
			for _, c := range sel {
				if _, ok := rows[0][c]; !ok {
					odataError(w, http.StatusBadRequest, "BadRequest", "Could not find a property named '"+c+"' on type 'P21.Entity."+table+"'.")
					return
				}
			}
		}
	}
	value := make([]map[string]any, 0, end-start)
	for _, row := range matched[start:end] {
		value = append(value, project(row, sel))
	}
	body := map[string]any{"@odata.context": "http://" + r.Host + "/odataservice/odata/table/$metadata#" + table, "value": value}
	if q.Get("$count") == "true" {
		body["@odata.count"] = total
	}
	if next != "" {
		body["@odata.nextLink"] = next
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// query filters and orders rows; problem says what is wrong with the
// options.
func (s *Server) query(rows []Row, filter, orderBy string) ([]Row, string) {
	matched := rows
	if filter != "" {
		expr, err := parseFilter(filter)
		if err != nil {
			return nil, "The query specified in the URI is not valid. " + err.Error()
		}
		matched = nil
		for _, row := range rows {
			if expr.eval(row) {
				matched = append(matched, row)
			}
		}
	}
	if orderBy != "" {
		keys, err := parseOrderBy(orderBy)
		if err != nil {
			return nil, err.Error()
		}
		matched = slices.Clone(matched)
		slices.SortStableFunc(matched, func(a, b Row) int {
			for _, k := range keys {
				if c := compare(a[k.col], b[k.col]); c != 0 {
					if k.desc {
						return -c
					}
					return c
				}
			}
			return 0
		})
	}
	return matched, ""
}

func intOption(q url.Values, name string, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, strconv.ErrSyntax
	}
	return n, nil
}

// project keeps the selected columns, writing times as DateTimeOffset.
func project(row Row, sel []string) map[string]any {
	out := make(map[string]any, len(row))
	put := func(k string, v any) {
		if t, ok := v.(time.Time); ok {
			v = t.UTC().Format("2006-01-02T15:04:05Z")
		}
		out[k] = v
	}
	if sel == nil {
		for k, v := range row {
			put(k, v)
		}
		return out
	}
	for _, k := range sel {
		put(k, row[k])
	}
	return out
}

type orderKey struct {
	col  string
	desc bool
}

func parseOrderBy(s string) ([]orderKey, error) {
	var keys []orderKey
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		switch {
		case len(f) == 1:
			keys = append(keys, orderKey{col: f[0]})
		case len(f) == 2 && (f[1] == "asc" || f[1] == "desc"):
			keys = append(keys, orderKey{col: f[0], desc: f[1] == "desc"})
		default:
			return nil, errSyntax("$orderby " + strconv.Quote(part))
		}
	}
	return keys, nil
}

// compare orders two column values of one type: numbers by value,
// strings, times and booleans naturally; nulls first.
func compare(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case json.Number:
		if y, ok := b.(json.Number); ok {
			return compareNumbers(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return strings.Compare(toString(a), toString(b))
}

func toString(v any) string {
	b, _ := json.Marshal(v) // values of a row always marshal
	return string(b)
}
