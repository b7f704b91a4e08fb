package sqlstore

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestParseListReadsWhatJSONReads checks the list columns' fast reader
// against the JSON decoder: every list jsonList writes, and malformed
// values, read the same both ways.
func TestParseListReadsWhatJSONReads(t *testing.T) {
	decode := func(s string) []string {
		out := []string{}
		_ = json.Unmarshal([]byte(s), &out)
		return out
	}
	lists := [][]string{nil, {}, {""}, {"a"}, {"acme.example", "acme.co.uk"}, {"a,b", "c"}, {`say "hi"`, "x"},
		{`back\slash`}, {"<tag> & co"}, {"Zürich AG", "東京"}, {"tab\there"}, {"", ""}, {"]", "["}, {`","`}}
	for _, l := range lists {
		s := jsonList(l)
		if got, want := parseList(s), decode(s); !slices.Equal(got, want) || got == nil {
			t.Errorf("parseList(%s) = %q, want %q", s, got, want)
		}
	}
	for _, s := range []string{"", "[", "]", `[""`, `["a",]`, `["a""b"]`, `["a" ,"b"]`, `[ ]`, `["a"]x`, `{"a":1}`, `[1,2]`, `["a",`} {
		if got, want := parseList(s), decode(s); !slices.Equal(got, want) {
			t.Errorf("parseList(%q) = %q, want %q", s, got, want)
		}
	}
}

func BenchmarkParseList(b *testing.B) {
	s := jsonList([]string{"acme.example", "acme.co.uk", "mail.acme.example"})
	for b.Loop() {
		parseList(s)
	}
}
