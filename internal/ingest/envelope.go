package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
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

// isToken reports whether s is a letter or digit followed by letters,
// digits, '.', '_', ':' and '-': the form of vendor keys, event types and
// schema versions. A loop, not a regular expression: every accept and
// every normalization checks two.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == ':' || c == '-'):
		default:
			return false
		}
	}
	return true
}

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
//
// Every event is read this way three times (accept, normalize, profile),
// so it reads in one pass: b is checked to be JSON once, then its top
// level is split into fields without decoding; only values that need it
// (escapes, bytes that are not UTF-8) go through the decoder. It reads
// what decoding into a map of fields reads: the last of repeated fields
// wins, and the payload is b's own bytes.
func ParseEnvelope(b []byte) (Envelope, error) {
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return Envelope{}, apperr.Invalidf("the body must be a JSON object (an event envelope)")
	}
	if !json.Valid(b) {
		var raw map[string]json.RawMessage
		err := json.Unmarshal(b, &raw) // for the decoder's words on where b goes wrong
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return Envelope{}, apperr.Invalidf("the body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	var f envelopeFieldSet
	var v apperr.Validation
	var unknown []string
	for name, val := range topLevelFields(b) {
		if !f.set(name, val) && !slices.Contains(unknown, name) {
			unknown = append(unknown, name)
		}
	}
	for _, k := range unknown {
		v.Add(k, "is not a field of an event envelope (vendorId, externalEventId, eventType, occurredAt, payload, schemaVersion)")
	}
	var e Envelope
	e.VendorID = stringField(&v, f.vendorID, "vendorId", true, maxVendorKey)
	if e.VendorID != "" && !isToken(e.VendorID) {
		v.Add("vendorId", "use letters, digits, '.', '_', ':' and '-' only")
	}
	e.ExternalEventID = stringField(&v, f.externalEventID, "externalEventId", true, maxExternalID)
	e.EventType = stringField(&v, f.eventType, "eventType", true, maxEventType)
	if e.EventType != "" && !isToken(e.EventType) {
		v.Add("eventType", "use letters, digits, '.', '_', ':' and '-' only")
	}
	e.SchemaVersion = stringField(&v, f.schemaVersion, "schemaVersion", false, maxSchemaVersion)
	if at := stringField(&v, f.occurredAt, "occurredAt", true, 64); at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			v.Add("occurredAt", "must be an RFC 3339 time such as 2026-01-30T20:15:12Z")
		}
		e.OccurredAt = t.UTC()
	}
	switch p := f.payload; {
	case p == nil:
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

// envelopeFieldSet holds the raw values of an envelope's known fields;
// nil is a field not sent.
type envelopeFieldSet struct {
	vendorID, externalEventID, eventType, occurredAt, payload, schemaVersion []byte
}

// set records a field's value; false for a name that is not a field.
func (f *envelopeFieldSet) set(name string, val []byte) bool {
	switch name {
	case "vendorId":
		f.vendorID = val
	case "externalEventId":
		f.externalEventID = val
	case "eventType":
		f.eventType = val
	case "occurredAt":
		f.occurredAt = val
	case "payload":
		f.payload = val
	case "schemaVersion":
		f.schemaVersion = val
	default:
		return false
	}
	return true
}

// stringField reads a field's raw value r (nil when not sent) as a
// trimmed, printable string of at most max characters.
func stringField(v *apperr.Validation, r []byte, name string, required bool, max int) string {
	if r == nil || string(r) == "null" {
		if required {
			v.Add(name, "is required")
		}
		return ""
	}
	s, ok := jsonString(r)
	if !ok {
		v.Add(name, "must be a string")
		return ""
	}
	return checkString(v, s, name, required, max)
}

// checkString trims a field's string and checks it is there when
// required, at most max characters and printable.
func checkString(v *apperr.Validation, s, name string, required bool, max int) string {
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

// jsonString reads a valid JSON value as a string; ok is false when it is
// not one. A string without escapes and in UTF-8 is its own bytes; any
// other goes through the decoder (which also turns bytes that are not
// UTF-8 into U+FFFD).
func jsonString(r []byte) (string, bool) {
	if len(r) >= 2 && r[0] == '"' && r[len(r)-1] == '"' {
		in := r[1 : len(r)-1]
		if bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
			return string(in), true
		}
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return "", false
	}
	return s, true
}

// topLevelFields yields the names and raw values of the top-level object
// of b, which must be valid JSON holding an object, in order.
func topLevelFields(b []byte) func(yield func(string, []byte) bool) {
	return func(yield func(string, []byte) bool) {
		i := skipSpace(b, 0) + 1 // past '{'
		for {
			i = skipSpace(b, i)
			if i >= len(b) || b[i] == '}' {
				return
			}
			end := stringEnd(b, i)
			name, ok := jsonString(b[i:end])
			if !ok {
				return // cannot happen: b is valid JSON
			}
			i = skipSpace(b, end) + 1 // past ':'
			i = skipSpace(b, i)
			vend := valueEnd(b, i)
			if !yield(name, b[i:vend:vend]) {
				return
			}
			i = skipSpace(b, vend)
			if i < len(b) && b[i] == ',' {
				i++
			}
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index just past the JSON string starting at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd is the index just past the valid JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// payloadSHA256 is the digest that tells a resent event from a changed
// one: the SHA-256 of the payload with insignificant whitespace removed
// (what json.Compact gives), so a vendor re-serialising the same JSON is
// not taken for a change. p is valid JSON (ParseEnvelope checked it), so
// the whitespace outside strings is skipped as the bytes are hashed,
// without a compacted copy.
func payloadSHA256(p json.RawMessage) string {
	h := sha256.New()
	from, inString, escaped := 0, false, false
	for i, c := range p {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			h.Write(p[from:i])
			from = i + 1
		}
	}
	h.Write(p[from:])
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}
