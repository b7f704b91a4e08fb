// Package inbox is the changes module's email pipeline: a vendor email comes
// in (mailbox poll, upload, import), is stored once per Message-ID with its
// raw bytes write-once in the blob store, and a job then threads it onto an
// existing ticket or triages it into a new ticket, an informational note or
// the human triage queue. Operators classify what triage could not.
package inbox

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/triage"
)

// Status is where an email is in the pipeline.
type Status string

// The email statuses ("source_emails.processing_status" in the seed).
const (
	// Received is stored and waiting for its process job.
	Received Status = "received"
	// Triaged opened a ticket (automatically or by an operator).
	Triaged Status = "triaged"
	// Thread attached to an existing ticket as an update.
	Thread Status = "thread"
	// Duplicate is a repeat of an email the tenant already has: the same
	// Message-ID with the same content.
	Duplicate Status = "duplicate"
	// Unknown is from no vendor in the registry: it waits in the triage queue.
	Unknown Status = "unknown"
	// Informational needs no action (newsletter, webinar).
	Informational Status = "informational"
	// Failed could not be triaged automatically; the reason is in Error.
	Failed Status = "failed"
)

// Statuses lists every status in pipeline order.
var Statuses = []Status{Received, Triaged, Thread, Duplicate, Unknown, Informational, Failed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Label is the status's name in the UI.
func (s Status) Label() string {
	switch s {
	case Received:
		return "Received"
	case Triaged:
		return "Triaged"
	case Thread:
		return "Thread update"
	case Duplicate:
		return "Duplicate"
	case Unknown:
		return "Unknown vendor"
	case Informational:
		return "Informational"
	case Failed:
		return "Failed"
	}
	return string(s)
}

// Classifiable reports whether an operator may classify an email in status
// s: the triage queue (unknown, failed) and informational mail promoted to a
// ticket.
func (s Status) Classifiable() bool { return s == Unknown || s == Failed || s == Informational }

// Decision sources besides triage's own (llm, offline).
const (
	// SourceManual marks a classification made by an operator.
	SourceManual = "manual"
	// SourceThread marks an email attached to a ticket's thread.
	SourceThread = "thread"
)

// Email is one arrival of a vendor email, as stored. The raw message is in
// the blob store under RawKey; HTML is never kept for display, only the text.
type Email struct {
	ID                 string            `json:"id"`
	TenantID           string            `json:"-"`
	MessageID          string            `json:"message_id"`
	MessageIDSynthetic bool              `json:"message_id_synthetic,omitempty"`
	SourceKind         string            `json:"source_kind" doc:"upload, import, demo, imap, graph or gmail."`
	SourceID           string            `json:"source_id,omitempty" doc:"The mail source, for mailbox arrivals."`
	From               mail.Address      `json:"from"`
	To                 []mail.Address    `json:"to" nullable:"false"`
	Subject            string            `json:"subject"`
	SentAt             *time.Time        `json:"date,omitempty" doc:"The Date header."`
	ReceivedAt         time.Time         `json:"received_at"`
	InReplyTo          string            `json:"in_reply_to,omitempty"`
	References         []string          `json:"references" nullable:"false"`
	ForwardedSenders   []string          `json:"forwarded_senders" nullable:"false" doc:"Original senders of forwarded mail."`
	TextBody           string            `json:"text_body,omitempty"`
	RawKey             string            `json:"-"`
	RawSHA256          string            `json:"raw_sha256"`
	RawSize            int64             `json:"raw_size"`
	ParseErrors        []string          `json:"parse_errors" nullable:"false"`
	Status             Status            `json:"status" enum:"received,triaged,thread,duplicate,unknown,informational,failed"`
	DuplicateOf        string            `json:"duplicate_of,omitempty" doc:"The first arrival of the same Message-ID and content."`
	ContentSHA256      string            `json:"content_sha256,omitempty" doc:"SHA-256 of the body text and attachments: with the Message-ID, what makes a repeat a duplicate."`
	ReusesMessageIDOf  string            `json:"reuses_message_id_of,omitempty" doc:"An earlier email with the same Message-ID but different content: this one is a new email, flagged."`
	AuthResults        []mail.AuthResult `json:"auth_results" nullable:"false" doc:"SPF, DKIM and DMARC results the receiving servers recorded, nearest server first."`
	HiddenContent      []mail.Hidden     `json:"hidden_content" nullable:"false" doc:"Text of the HTML body a reader cannot see (comments, hidden, zero-size or off-screen elements, text in its background's colour, stuffed alt text): kept out of what triage reads."`
	ContentLanguage    string            `json:"content_language,omitempty" doc:"The Content-Language header (en-US, de-DE): how the sender writes numeric dates."`
	// ContentLanguageKept is false for emails stored before the header was
	// kept: triage reads it from the original message.
	ContentLanguageKept bool   `json:"-"`
	TicketID            string `json:"ticket_id,omitempty"`
	// Decision is the triage decision (JSON) with its reasoning, overrides
	// and the model's raw answer, or an operator's classification.
	Decision       json.RawMessage `json:"decision,omitempty"`
	DecisionSource string          `json:"decision_source,omitempty" doc:"llm, offline, manual or thread."`
	// Error says why the email failed (status failed).
	Error       string       `json:"error,omitempty"`
	Attempts    int          `json:"attempts"`
	ProcessedAt *time.Time   `json:"processed_at,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	Attachments []Attachment `json:"attachments" nullable:"false"`
}

// Attachment is a file of an email, stored write-once in the blob store.
type Attachment struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	BlobKey     string `json:"-"`
	// Text is the text read from the file (PDF, DOCX, HTML, plain text),
	// which triage reads with the body.
	Text string `json:"text,omitempty" doc:"Text read from a PDF, DOCX, HTML or plain-text attachment (bounded)."`
}

// Reason is a one-line explanation of the email's status for the triage
// queue: the failure, or the first line of the decision's reasoning.
func (e Email) Reason() string {
	if e.Error != "" {
		return e.Error
	}
	var d struct {
		Reasoning string `json:"reasoning"`
	}
	if len(e.Decision) > 0 && json.Unmarshal(e.Decision, &d) == nil {
		line, _, _ := strings.Cut(strings.TrimSpace(d.Reasoning), "\n")
		return strings.TrimPrefix(line, "- ")
	}
	return ""
}

// Impersonation is the explanation of a sender imitating a vendor (see
// triage.Impersonation), or "" for any other email.
func (e Email) Impersonation() string {
	var d struct {
		Impersonation *triage.Impersonation `json:"impersonation"`
	}
	if len(e.Decision) > 0 && json.Unmarshal(e.Decision, &d) == nil && d.Impersonation != nil {
		return d.Impersonation.String()
	}
	return ""
}

// Filter selects emails in a list, newest first.
type Filter struct {
	// Statuses keeps emails in any of them; empty keeps all.
	Statuses []Status
	// DecisionSource keeps emails whose decision came from it (manual for
	// operator classifications).
	DecisionSource string
	// Query matches the subject, the sender or the Message-ID.
	Query  string
	Cursor string
	Limit  int
}

// Consequences are the jobs emails cause beyond their own processing:
// alerts and notifications. internal/app declares them in its table of
// consequences; each commits with the email's new status, so a retried
// process job never causes them twice.
type Consequences struct {
	// UnknownVendor returns the jobs of an email from an unknown vendor
	// (the seed's alert to the triage channel); without them the email
	// only waits in the triage queue.
	UnknownVendor func(Email) []jobargs.Args
	// ThreadUpdate returns the jobs of an email attached to its ticket
	// (e.TicketID) as an update, given the email's new text without the
	// quoted original.
	ThreadUpdate func(e Email, reply string) []jobargs.Args
}

// NewEmail is one email to store: its row and the jobs it causes.
type NewEmail struct {
	Email Email
	// Job processes the email; nil for emails stored already done
	// (duplicates, unreadable messages).
	Job jobargs.Args
}

// Batch is what one ReceiveBatch writes in one transaction.
type Batch struct {
	TenantID string
	Emails   []NewEmail
	// Checkpoint, when set, is the mail source's new position; Fetched is
	// how many raw messages it covers.
	Checkpoint *mail.SourceCheckpoint
	Fetched    int
	// Audit returns the batch's one audit row, given the emails as stored.
	Audit func(stored []Email) audit.Event
	// Now is when the batch arrived (checkpoint and row times).
	Now time.Time
}

// Completion is the outcome of processing or classifying one email, written
// in one transaction: the email's new status and decision, the ticket it
// opened or the thread update it added, audit rows and follow-up jobs. It
// applies only while the email is still in one of From, so a retried or
// concurrent job never opens a second ticket.
type Completion struct {
	Email Email // the email with its new status, decision, error, ticket
	From  []Status
	// Ticket, when set, is created and its id recorded on the email.
	Ticket *ticket.Creation
	// Update, when set, is appended to the timeline of Email.TicketID.
	Update *ticket.TicketEvent
	Audit  []audit.Event
	Jobs   []jobargs.Args
}

// Store is what the inbox needs from storage. Every read and write is scoped
// by tenant; an email of another tenant is not found.
type Store interface {
	// ReceiveEmails stores a batch (see Batch) and returns the emails as
	// stored: a Message-ID the tenant already has (also one stored by a
	// concurrent batch) becomes a Duplicate pointing at the first arrival,
	// without a job.
	ReceiveEmails(ctx context.Context, b Batch) ([]Email, error)
	// ReceiveBatches stores batches in one transaction, as ReceiveEmails
	// would one after the other; one failure stores none.
	ReceiveBatches(ctx context.Context, bs []Batch) ([][]Email, error)
	Email(ctx context.Context, tenantID, id string) (Email, error)
	ListEmails(ctx context.Context, tenantID string, f Filter) ([]Email, string, error)
	// FirstArrivals returns the first arrivals (not duplicates) of the
	// tenant among messageIDs, by Message-ID.
	FirstArrivals(ctx context.Context, tenantID string, messageIDs []string) (map[string]Email, error)
	// CompleteEmail writes c; it is a conflict when the email is no longer
	// in one of c.From.
	CompleteEmail(ctx context.Context, c Completion) (Email, error)
	// CompleteEmails writes completions in one transaction, as
	// CompleteEmail would one after the other; one failure writes none.
	CompleteEmails(ctx context.Context, cs []Completion) error
}
