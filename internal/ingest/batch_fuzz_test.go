package ingest_test

import (
	"encoding/json"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

// FuzzParseBatch: whatever the body, ParseBatch never panics, refuses it
// as invalid or returns 1 to MaxBatch items of a body that is one JSON
// object, each item one JSON value.
func FuzzParseBatch(f *testing.F) {
	for _, s := range []string{
		`{"events":[{"vendorId":"v","externalEventId":"e","eventType":"t","occurredAt":"2026-01-30T20:15:12Z","payload":{}}]}`,
		`{"events":[1,"x",null,{}]}`, `{"events":[]}`, `{"events":null}`, `{}`, `[]`, ``, `   `, `{"events":[{}],"other":1}`,
		`{"events":[{}]} {"events":[{}]}`, `{"events":[{}]}garbage`, `{"events":[{}]`, `{"Events":[{}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := ingest.ParseBatch(body)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("ParseBatch(%q): %v, want invalid", body, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Errorf("ParseBatch(%q) took a body that is not one JSON value", body)
		}
		if len(items) == 0 || len(items) > ingest.MaxBatch {
			t.Errorf("ParseBatch(%q) = %d items", body, len(items))
		}
		for i, it := range items {
			if !json.Valid(it) {
				t.Errorf("item %d %q is not JSON", i, it)
			}
		}
	})
}
