package ingest

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// parseEnvelopeByMap is the envelope parser written the plain way (decode
// into a map of fields, then each field): the reference ParseEnvelope
// must agree with on every input.
func parseEnvelopeByMap(b []byte) (Envelope, error) {
	var raw map[string]json.RawMessage
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return Envelope{}, apperr.Invalidf("the body must be a JSON object (an event envelope)")
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Envelope{}, apperr.Invalidf("the body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	known := []string{"vendorId", "externalEventId", "eventType", "occurredAt", "payload", "schemaVersion"}
	var v apperr.Validation
	var e Envelope
	for k := range raw {
		if !slices.Contains(known, k) {
			v.Add(k, "is not a field of an event envelope (vendorId, externalEventId, eventType, occurredAt, payload, schemaVersion)")
		}
	}
	field := func(name string, required bool, max int) string {
		r, ok := raw[name]
		if !ok || string(r) == "null" {
			if required {
				v.Add(name, "is required")
			}
			return ""
		}
		var s string
		if err := json.Unmarshal(r, &s); err != nil {
			v.Add(name, "must be a string")
			return ""
		}
		return checkString(&v, s, name, required, max)
	}
	e.VendorID = field("vendorId", true, maxVendorKey)
	if e.VendorID != "" && !tokenPattern.MatchString(e.VendorID) {
		v.Add("vendorId", "use letters, digits, '.', '_', ':' and '-' only")
	}
	e.ExternalEventID = field("externalEventId", true, maxExternalID)
	e.EventType = field("eventType", true, maxEventType)
	if e.EventType != "" && !tokenPattern.MatchString(e.EventType) {
		v.Add("eventType", "use letters, digits, '.', '_', ':' and '-' only")
	}
	e.SchemaVersion = field("schemaVersion", false, maxSchemaVersion)
	if at := field("occurredAt", true, 64); at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			v.Add("occurredAt", "must be an RFC 3339 time such as 2026-01-30T20:15:12Z")
		}
		e.OccurredAt = t.UTC()
	}
	p, ok := raw["payload"]
	switch {
	case !ok:
		v.Add("payload", "is required")
	case len(bytes.TrimSpace(p)) == 0 || bytes.TrimSpace(p)[0] != '{':
		v.Add("payload", "must be a JSON object")
	default:
		e.Payload = p
	}
	if err := v.Err(); err != nil {
		return Envelope{}, err
	}
	return e, nil
}

// sameParse says how ParseEnvelope's answer differs from the reference's
// for one input; "" when they agree (field errors compared as a set:
// the reference lists unknown fields in map order).
func sameParse(b []byte) string {
	got, gotErr := ParseEnvelope(b)
	want, wantErr := parseEnvelopeByMap(b)
	switch {
	case (gotErr == nil) != (wantErr == nil):
		return "error " + errText(gotErr) + ", reference " + errText(wantErr)
	case gotErr != nil:
		if apperr.MessageOf(gotErr) != apperr.MessageOf(wantErr) {
			return "message " + apperr.MessageOf(gotErr) + ", reference " + apperr.MessageOf(wantErr)
		}
		g, w := fieldSet(gotErr), fieldSet(wantErr)
		if !slices.Equal(g, w) {
			return "fields " + strings.Join(g, "; ") + ", reference " + strings.Join(w, "; ")
		}
		return ""
	}
	if !bytes.Equal(got.Payload, want.Payload) {
		return "payload " + string(got.Payload) + ", reference " + string(want.Payload)
	}
	if got.VendorID != want.VendorID || got.ExternalEventID != want.ExternalEventID || got.EventType != want.EventType ||
		got.SchemaVersion != want.SchemaVersion || !got.OccurredAt.Equal(want.OccurredAt) {
		return "envelope differs from the reference"
	}
	return ""
}

func errText(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

func fieldSet(err error) []string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		if !slices.Contains(out, f.Field+": "+f.Message) {
			out = append(out, f.Field+": "+f.Message)
		}
	}
	slices.Sort(out)
	return out
}
