package audit

import (
	"bytes"
	"encoding/json"
	"sort"
)

// Change is one field that differs between an entry's before and after
// state, with both values rendered as text ("" when absent).
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// Changes compares an entry's before and after JSON field by field, so a
// reader sees what changed without reading two documents. Objects are
// compared at the top level, nested values shown as compact JSON; a value
// that is not an object is compared whole, under the field name "".
// A creation lists every field of after, a deletion every field of before.
func Changes(before, after string) []Change {
	b, bObj := fields(before)
	a, aObj := fields(after)
	if !bObj || !aObj {
		if compact(before) == compact(after) {
			return nil
		}
		return []Change{{Before: text(json.RawMessage(before)), After: text(json.RawMessage(after))}}
	}
	names := make([]string, 0, len(a)+len(b))
	for k := range b {
		names = append(names, k)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var out []Change
	for _, k := range names {
		if compact(string(b[k])) == compact(string(a[k])) {
			continue
		}
		out = append(out, Change{Field: k, Before: text(b[k]), After: text(a[k])})
	}
	return out
}

// fields decodes an object; empty input is an empty object.
func fields(s string) (map[string]json.RawMessage, bool) {
	m := map[string]json.RawMessage{}
	if s == "" {
		return m, true
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, false
	}
	return m, true
}

func compact(s string) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return s
	}
	return buf.String()
}

// text renders a JSON value for people: strings without quotes, null and
// absent as "", anything else as compact JSON.
func text(v json.RawMessage) string {
	if len(v) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s
	}
	c := compact(string(v))
	if c == "null" {
		return ""
	}
	return c
}
