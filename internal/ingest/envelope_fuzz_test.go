package ingest

import (
	"encoding/json"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// FuzzParseEnvelope: whatever a vendor sends, the parser answers an
// envelope or an invalid-input error, never panics, and an accepted
// envelope holds its invariants.
func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"vendorId":"vendorA","externalEventId":"inv-12345","eventType":"inventory_update","occurredAt":"2026-01-30T20:15:12Z","payload":{"sku":"ABC-001","qty":12}}`,
		`{"vendorId":"v","externalEventId":"e","eventType":"t","occurredAt":"2026-01-30T20:15:12.123+02:00","payload":{},"schemaVersion":"1.0"}`,
		`{"vendorId":null,"payload":[]}`, `{}`, `[]`, `null`, ``, `{"payload":{"a":`, `{"vendorId":"a\u0000b"}`,
		`{"vendorId":"v","vendorId":"w","externalEventId":"e","eventType":"t","occurredAt":"2026-01-30T20:15:12Z","payload":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEnvelope(b)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		if e.VendorID == "" || e.ExternalEventID == "" || e.EventType == "" || e.OccurredAt.IsZero() {
			t.Fatalf("accepted an envelope missing a field: %+v", e)
		}
		if !json.Valid(e.Payload) || e.Payload[0] != '{' {
			t.Fatalf("payload %q is not a JSON object", e.Payload)
		}
		if payloadSHA256(e.Payload) == "" {
			t.Fatal("no payload digest")
		}
	})
}
