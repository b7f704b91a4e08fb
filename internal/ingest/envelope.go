package ingest

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Envelope is what a vendor sends for one event (the seed's contract).
// Payload keeps the exact bytes received.
type Envelope struct {
	VendorID        string          `json:"vendorId" doc:"The vendor's ingest key (vendor_key), as set up in VendorSync."`
	ExternalEventID string          `json:"externalEventId" doc:"The vendor's own id of the event: accepted once per vendor, for ever."`
	EventType       string          `json:"eventType" doc:"The vendor's event type, e.g. inventory_update."`
	OccurredAt      time.Time       `json:"occurredAt" doc:"When the event happened (RFC 3339)."`
	Payload         json.RawMessage `json:"payload" doc:"The event's data: a JSON object, kept byte for byte."`
	SchemaVersion   string          `json:"schemaVersion,omitempty" doc:"The version of the vendor's payload schema."`
}

var (
	tokenRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)
	// envelopeFields are the fields an envelope may carry.
	envelopeFields = map[string]bool{"vendorId": true, "externalEventId": true, "eventType": true, "occurredAt": true,
		"payload": true, "schemaVersion": true}
)

// Limits of the envelope's fields.
const (
	maxVendorKey     = 64
	maxExternalID    = 200
	maxEventType     = 100
	maxSchemaVersion = 32
)

// ParseEnvelope reads one envelope from b, reporting every problem at once
// with the field it concerns (apperr.Invalid with field errors). Unknown
// fields are refused, so a misspelt field is never silently dropped.
func ParseEnvelope(b []byte) (Envelope, error) {
	var raw map[string]json.RawMessage
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return Envelope{}, apperr.Invalidf("the body must be a JSON object (an event envelope)")
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Envelope{}, apperr.Invalidf("the body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	var v apperr.Validation
	var e Envelope
	for k := range raw {
		if !envelopeFields[k] {
			v.Add(k, "is not a field of an event envelope (vendorId, externalEventId, eventType, occurredAt, payload, schemaVersion)")
		}
	}
	e.VendorID = stringField(&v, raw, "vendorId", true, maxVendorKey)
	if e.VendorID != "" && !tokenRE.MatchString(e.VendorID) {
		v.Add("vendorId", "use letters, digits, '.', '_', ':' and '-' only")
	}
	e.ExternalEventID = stringField(&v, raw, "externalEventId", true, maxExternalID)
	e.EventType = stringField(&v, raw, "eventType", true, maxEventType)
	if e.EventType != "" && !tokenRE.MatchString(e.EventType) {
		v.Add("eventType", "use letters, digits, '.', '_', ':' and '-' only")
	}
	e.SchemaVersion = stringField(&v, raw, "schemaVersion", false, maxSchemaVersion)
	if at := stringField(&v, raw, "occurredAt", true, 64); at != "" {
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

// stringField reads field name of raw as a trimmed, printable string of at
// most max characters.
func stringField(v *apperr.Validation, raw map[string]json.RawMessage, name string, required bool, max int) string {
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
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		v.Add(name, "is required")
	case utf8.RuneCountInString(s) > max:
		v.Add(name, "must be at most %d characters", max)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		v.Add(name, "must not contain control characters")
	}
	return s
}

// payloadSHA256 is the digest that tells a resent event from a changed
// one: the SHA-256 of the payload with insignificant whitespace removed,
// so a vendor re-serialising the same JSON is not taken for a change.
func payloadSHA256(p json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, p); err != nil {
		return sha256Hex(p) // cannot happen: ParseEnvelope checked it is JSON
	}
	return sha256Hex(b.Bytes())
}
