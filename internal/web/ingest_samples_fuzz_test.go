package web

import (
	"encoding/json"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// FuzzReadSamples: whatever is typed into the mapping form's samples
// field, it reads as JSON values or a field error naming samples, never
// a panic.
func FuzzReadSamples(f *testing.F) {
	for _, s := range []string{``, `  `, `{"sku":"A"}`, `[{"a":1},{"b":2}]`, `[`, `[1,`, `{"a":`, `"x"`, `[]`, `null`, `[null]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out, err := readSamples(text)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) || len(apperr.FieldsOf(err)) != 1 || apperr.FieldsOf(err)[0].Field != "samples" {
				t.Fatalf("error %v does not name samples", err)
			}
			return
		}
		for _, s := range out {
			if !json.Valid(s) {
				t.Fatalf("sample %q of %q is not JSON", s, text)
			}
		}
	})
}
