package audit_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/audit"
)

func TestChanges(t *testing.T) {
	tests := []struct {
		name          string
		before, after string
		want          []audit.Change
	}{
		{"creation lists every field", ``, `{"name":"Acme","tier":1}`,
			[]audit.Change{{Field: "name", After: "Acme"}, {Field: "tier", After: "1"}}},
		{"deletion lists every field", `{"name":"Acme"}`, ``,
			[]audit.Change{{Field: "name", Before: "Acme"}}},
		{"update lists changed fields only", `{"name":"Acme","tier":1,"tags":["a"]}`, `{"name":"Acme Corp","tier":1,"tags":["a","b"]}`,
			[]audit.Change{{Field: "name", Before: "Acme", After: "Acme Corp"}, {Field: "tags", Before: `["a"]`, After: `["a","b"]`}}},
		{"formatting is not a change", `{"a": [1, 2]}`, `{"a":[1,2]}`, nil},
		{"null reads as empty", `{"x":null}`, `{"x":"set"}`, []audit.Change{{Field: "x", After: "set"}}},
		{"non-objects compare whole", `"old"`, `"new"`, []audit.Change{{Before: "old", After: "new"}}},
		{"nothing to compare", ``, ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, audit.Changes(tt.before, tt.after)); diff != "" {
				t.Errorf("Changes (-want +got):\n%s", diff)
			}
		})
	}
}
