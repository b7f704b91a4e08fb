package score

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a stored signal is in its life. The database lets it move
// only raw → normalized → scored and normalized → superseded; rejected is
// final from the start.
type Status string

// The statuses.
const (
	StatusRaw        Status = "raw"
	StatusNormalized Status = "normalized"
	StatusScored     Status = "scored"
	StatusSuperseded Status = "superseded"
	StatusRejected   Status = "rejected"
)

// Reason is why a signal was rejected, in the seed's exact words.
type Reason string

// The rejection reasons.
const (
	Future            Reason = "FUTURE"
	Stale             Reason = "STALE"
	WindowInverted    Reason = "WINDOW_INVERTED"
	UnknownSignalCode Reason = "UNKNOWN_SIGNAL_CODE"
	ValueOutOfRange   Reason = "VALUE_OUT_OF_RANGE"
	MissingVendorRef  Reason = "MISSING_VENDOR_REF"
)

// Reasons lists every rejection reason.
var Reasons = []Reason{Future, Stale, WindowInverted, UnknownSignalCode, ValueOutOfRange, MissingVendorRef}

// Explain says what a reason means, for the rejections view.
func (r Reason) Explain() string {
	switch r {
	case Future:
		return "observed_at is in the future"
	case Stale:
		return "observed_at is older than the scoring window"
	case WindowInverted:
		return "window_start is after window_end"
	case UnknownSignalCode:
		return "the signal code is not in the catalog"
	case ValueOutOfRange:
		return "the value is outside the signal's valid range"
	case MissingVendorRef:
		return "vendor_ref names no vendor of this organisation"
	}
	return string(r)
}

// MaxClockSkew is how far ahead of our clock observed_at may be before the
// signal is rejected as FUTURE.
const MaxClockSkew = 5 * time.Minute

// VendorRef names the vendor a signal is about, in any of the ways a
// source knows it: our id, the source's own id, an email domain, or a
// name or alias. The first that resolves wins, in that order.
type VendorRef struct {
	ID         string `json:"id,omitempty" maxLength:"100" doc:"VendorSync's vendor id."`
	ExternalID string `json:"external_id,omitempty" maxLength:"200" doc:"The vendor's id in the submitting source's system (mapped per source)."`
	Domain     string `json:"domain,omitempty" maxLength:"253" doc:"A domain of the vendor, such as visa.com."`
	Name       string `json:"name,omitempty" maxLength:"200" doc:"The vendor's name or one of its aliases, ignoring case."`
}

// Empty reports whether the ref names nothing.
func (r VendorRef) Empty() bool { return r == VendorRef{} }

// Submission is one signal as a source sends it.
type Submission struct {
	EventID     string     `json:"event_id" minLength:"1" maxLength:"200" doc:"The source's unique id of this signal: a second signal with the same id is a duplicate, forever."`
	VendorRef   VendorRef  `json:"vendor_ref"`
	Code        string     `json:"signal_code" maxLength:"100" doc:"A code of the signal catalog (GET /api/v1/signal-codes)."`
	Value       *float64   `json:"value" doc:"Within the code's valid range."`
	ObservedAt  time.Time  `json:"observed_at" doc:"When the fact was observed (RFC 3339)."`
	WindowStart *time.Time `json:"window_start,omitempty" doc:"Start of the period a rate or count covers."`
	WindowEnd   *time.Time `json:"window_end,omitempty" doc:"End of the period a rate or count covers."`
	Note        string     `json:"note,omitempty" maxLength:"2000"`
}

// Signal is one stored signal.
type Signal struct {
	ID              string     `json:"id"`
	TenantID        string     `json:"-"`
	EventID         string     `json:"event_id"`
	Source          string     `json:"source"`
	VendorID        string     `json:"vendor_id,omitempty"`
	VendorRef       VendorRef  `json:"vendor_ref"`
	Code            string     `json:"signal_code"`
	Category        Category   `json:"category,omitempty"`
	Value           *float64   `json:"value"`
	ObservedAt      time.Time  `json:"observed_at"`
	WindowStart     *time.Time `json:"window_start,omitempty"`
	WindowEnd       *time.Time `json:"window_end,omitempty"`
	RecordedAt      time.Time  `json:"recorded_at"`
	Status          Status     `json:"status"`
	RejectionReason Reason     `json:"rejection_reason,omitempty"`
	Note            string     `json:"note,omitempty"`
}

// Outcome is what became of one submitted item.
type Outcome string

// The outcomes.
const (
	Accepted  Outcome = "accepted"
	Duplicate Outcome = "duplicate"
	Rejected  Outcome = "rejected"
	// Invalid items could not be read at all (no event_id, a malformed
	// row); nothing is stored.
	Invalid Outcome = "invalid"
)

// ItemResult answers for one submitted item.
type ItemResult struct {
	Index    int     `json:"index" doc:"Position of the item (for uploads: the data row, from 1)."`
	EventID  string  `json:"event_id,omitempty"`
	Outcome  Outcome `json:"outcome" enum:"accepted,duplicate,rejected,invalid"`
	SignalID string  `json:"signal_id,omitempty" doc:"The stored signal; for a duplicate, the one first accepted."`
	VendorID string  `json:"vendor_id,omitempty"`
	Reason   Reason  `json:"rejection_reason,omitempty"`
	Message  string  `json:"message,omitempty"`
}

// Limits of submissions.
const (
	MaxBatch   = 1000
	MaxEventID = 200
	maxSource  = 100
)

// check returns the reason to reject s at now under window, or "" to
// accept it (vendor resolution is checked by the caller first).
func check(s Submission, window time.Duration, now time.Time) (Definition, Reason) {
	def, ok := Lookup(s.Code)
	switch {
	case !ok:
		return def, UnknownSignalCode
	case s.Value == nil || !def.InRange(*s.Value):
		return def, ValueOutOfRange
	case s.WindowStart != nil && s.WindowEnd != nil && s.WindowStart.After(*s.WindowEnd):
		return def, WindowInverted
	case s.ObservedAt.After(now.Add(MaxClockSkew)):
		return def, Future
	case s.ObservedAt.Before(now.Add(-window)):
		return def, Stale
	}
	return def, ""
}

// readable returns why an item cannot be stored at all, or "".
func readable(s Submission) string {
	switch {
	case strings.TrimSpace(s.EventID) == "":
		return "event_id is required"
	case utf8.RuneCountInString(s.EventID) > MaxEventID:
		return "event_id is longer than 200 characters"
	case s.ObservedAt.IsZero():
		return "observed_at is required"
	case len(s.Code) > 100 || len(s.Note) > 2000:
		return "signal_code or note is too long"
	}
	return ""
}
