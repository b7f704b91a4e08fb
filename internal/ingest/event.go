// Package ingest accepts vendor events over HTTP exactly once per
// (tenant, vendor, externalEventId), for ever: the exact bytes received
// are committed with the record before the sender hears 2xx, then archived
// write-once to the blob store under raw/<vendorId>/YYYY/MM/DD/<ingestId>.json.
package ingest

import (
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Status is where an event is in the pipeline.
type Status string

// Statuses of an event (the seed's). Duplicate is an answer, never stored.
const (
	Received        Status = "RECEIVED"
	Normalized      Status = "NORMALIZED"
	FailedNormalize Status = "FAILED_NORMALIZE"
	Quarantined     Status = "QUARANTINED"
	Duplicate       Status = "DUPLICATE"
)

// Statuses lists the stored statuses, in pipeline order.
var Statuses = []Status{Received, Normalized, FailedNormalize, Quarantined}

// Channel says how an event arrived.
type Channel string

// Channels.
const (
	ChannelAPI     Channel = "api"
	ChannelBatch   Channel = "batch"
	ChannelWebhook Channel = "webhook"
)

// RawRef is where an event's exact bytes are archived, and their digest.
type RawRef struct {
	Key    string `json:"key" doc:"Blob key: raw/<vendorId>/YYYY/MM/DD/<ingestId>.json."`
	SHA256 string `json:"sha256" doc:"SHA-256 of the exact bytes received (hex)."`
}

// Event is one accepted event.
type Event struct {
	ID              string     `json:"ingestId" doc:"ULID given at accept."`
	TenantID        string     `json:"-"`
	VendorID        string     `json:"vendor_id" doc:"The registry vendor."`
	VendorKey       string     `json:"vendorId" doc:"The vendorId of the envelope."`
	ExternalEventID string     `json:"externalEventId"`
	EventType       string     `json:"eventType"`
	SchemaVersion   string     `json:"schemaVersion,omitempty"`
	OccurredAt      time.Time  `json:"occurredAt"`
	ReceivedAt      time.Time  `json:"receivedAt"`
	Channel         Channel    `json:"channel" enum:"api,batch,webhook"`
	PayloadSHA256   string     `json:"payloadSha256"`
	RawRef          RawRef     `json:"rawRef"`
	RawSize         int        `json:"rawSize"`
	ArchivedAt      *time.Time `json:"archivedAt,omitempty" doc:"When the raw bytes were written to the blob store."`
	ArchiveError    string     `json:"archiveError,omitempty" doc:"Why archiving stopped (a blob with other bytes under the key)."`
	Status          Status     `json:"status" enum:"RECEIVED,NORMALIZED,FAILED_NORMALIZE,QUARANTINED"`
	Reason          string     `json:"reason,omitempty" doc:"Why the event is QUARANTINED or FAILED_NORMALIZE: unknown_event_type, no_schema, schema_invalid, no_canonical_schema, canonical_invalid, mapping_error, invalid_envelope."`
	Errors          []string   `json:"errors,omitempty" doc:"The validator's or the mapping's messages."`
	NormalizedAt    *time.Time `json:"normalizedAt,omitempty" doc:"When normalization last ran on the event."`
	// Raw is the exact bytes received; read it through Service.Raw.
	Raw []byte `json:"-"`
}

// rawKey is the blob key of an event's raw bytes.
func rawKey(vendorKey string, received time.Time, id string) string {
	return "raw/" + vendorKey + "/" + received.UTC().Format("2006/01/02") + "/" + id + ".json"
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// idSource hands out ingest ids in the order they are asked for. Ids of
// events accepted in one millisecond sort in the order they were accepted
// (their entropy is the last one's plus one), and an id asked for with a
// time up to a second before the last one handed out (a request whose
// clock was read before another's that got its id first, or a small step
// back of the system clock) takes the last one's millisecond, after it:
// the normalize pass, the archive and the window of the drift profile all
// go by id. A time further back (a clock set back for good) starts again
// from there. Each Service has its own, so a service whose clock is
// another's (a test's) does not reorder its ids. The zero value is ready.
type idSource struct {
	sync.Mutex
	lastMs  uint64
	entropy *ulid.MonotonicEntropy
}

// maxIDStepBack is how far before the last id's time an id still follows
// it, in milliseconds.
const maxIDStepBack = 1000

// next returns a ULID at t (or at the last id's millisecond, see
// idSource), after every id handed out before it.
func (src *idSource) next(t time.Time) string {
	ms := ulid.Timestamp(t)
	src.Lock()
	defer src.Unlock()
	if src.entropy == nil {
		src.entropy = ulid.Monotonic(crand.Reader, 0)
	}
	if ms < src.lastMs && src.lastMs-ms <= maxIDStepBack {
		ms = src.lastMs
	}
	src.lastMs = ms
	return ulid.MustNew(ms, src.entropy).String()
}

// AcceptResult is the answer for one envelope.
type AcceptResult struct {
	Index           int     `json:"index,omitempty" doc:"1-based position in a batch."`
	ExternalEventID string  `json:"externalEventId,omitempty"`
	IngestID        string  `json:"ingestId,omitempty" doc:"The event's id; for a duplicate, the original's."`
	Status          Status  `json:"status,omitempty" enum:"RECEIVED,DUPLICATE" doc:"RECEIVED (new, 202) or DUPLICATE (seen with the same payload, 200); absent on errors."`
	RawRef          *RawRef `json:"rawRef,omitempty"`
	// Error is set for a batch item that was not accepted: "invalid",
	// "forbidden", "conflict" or "too_large", with Message and Fields.
	Error   string       `json:"error,omitempty" enum:"invalid,forbidden,conflict,too_large"`
	Message string       `json:"message,omitempty"`
	Fields  []FieldError `json:"fields,omitempty"`
}

// FieldError names a field of an envelope that is wrong.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Filter selects events for lists.
type Filter struct {
	VendorID  string
	Status    Status
	Statuses  []Status // any of these (when Status is empty)
	EventType string
	Reason    string
	Since     *time.Time // received at or after
	Until     *time.Time // received before
	Cursor    string
	Limit     int
}

// NormalizedFilter selects normalized events.
type NormalizedFilter struct {
	EventType string
	VendorID  string
	Since     *time.Time // occurred at or after
	Until     *time.Time // occurred before
	Cursor    string
	Limit     int
}
