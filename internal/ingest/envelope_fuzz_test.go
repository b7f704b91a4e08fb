package ingest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// envelopeCorners are inputs where reading the top level by hand could
// part from decoding it: escapes in names and values, repeated fields,
// bytes that are not UTF-8, braces inside strings, odd spacing.
var envelopeCorners = []string{
	` {"vendorId" : "v" ,"externalEventId":"e","eventType":"t","occurredAt":"2026-01-30T20:15:12Z","payload": {"a":"}{]["} } ` + "\n",
	`{"vendor\u0049d":"v","externalEventId":"e\"x","eventType":"t","occurredAt":"2026-01-30T20:15:12Z","payload":{"b":[1,{"c":"\\"}]}}`,
	`{"vendorId":"v","externalEventId":"e","eventType":"t","occurredAt":"2026-01-30T20:15:12Z","payload":{},"payload":[1]}`,
	`{"vendorId":"v","externalEventId":"` + "\xff\xfe" + `","eventType":"t","occurredAt":"2026-01-30T20:15:12Z","payload":{}}`,
	`{"x":1,"x":2,"y":null,"vendorId":5,"externalEventId":["e"],"eventType":{"t":1},"occurredAt":true,"payload":"{}"}`,
	`{"vendorId":"v","externalEventId":"e","eventType":"t","occurredAt":"2026-01-30T20:15:12Z","payload":{}} x`,
	`{"vendorId":"v\t","externalEventId":" e ","eventType":"t","occurredAt":"2026-01-30T20:15:12Z","payload":{},"schemaVersion":null}`,
	`{"VendorId":"v","externalEventId":"e","eventType":"t","occurredAt":"2026-01-30T20:15:12Z","payload":{}}`,
	`{"":"","externalEventId":"","eventType":"","occurredAt":"","payload":{ }}`,
	"\u00a0{}", `{"payload":{"a":"\u007d"},"vendorId":"v\u0000"}`,
}

// TestParseEnvelopeReadsWhatTheDecoderReads: the one-pass reader agrees
// with decoding the envelope into a map of fields on every corner case.
func TestParseEnvelopeReadsWhatTheDecoderReads(t *testing.T) {
	for _, s := range envelopeCorners {
		if d := sameParse([]byte(s)); d != "" {
			t.Errorf("%q: %s", s, d)
		}
	}
}

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
	for _, s := range envelopeCorners {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if d := sameParse(b); d != "" {
			t.Fatalf("%q: %s", b, d)
		}
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
		var compact bytes.Buffer
		if err := json.Compact(&compact, e.Payload); err != nil {
			t.Fatal(err)
		}
		if got, want := payloadSHA256(e.Payload), sha256Hex(compact.Bytes()); got != want {
			t.Fatalf("payload digest %s, want %s: the digest of the compacted payload", got, want)
		}
	})
}
