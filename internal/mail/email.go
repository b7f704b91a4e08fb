// Package mail turns raw vendor notification emails into SourceEmail values
// and defines the Source interface that every mailbox adapter (imap, graph,
// gmail) implements. It holds no storage and no HTTP handlers: the ingest
// pipeline fetches with a Source, parses with Parse, and stores the result.
package mail

import "time"

// Address is one mailbox from an address header. Address is the bare
// addr-spec (e.g. "notices@visa.com"); Name is the decoded display name.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// String renders the address the way a person would write it.
func (a Address) String() string {
	if a.Name == "" {
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}

// SourceEmail is a parsed inbound email, the unit the changes pipeline
// triages. Every string field is valid UTF-8 without NUL bytes, so it can be
// stored in SQLite and PostgreSQL text columns as is.
type SourceEmail struct {
	// MessageID is the normalised Message-ID (no angle brackets, domain part
	// lower-cased): the idempotency key of the email. When the header is
	// missing it is "sha256-<hex of raw bytes>@vendorsync.invalid" and
	// MessageIDSynthetic is true.
	MessageID          string    `json:"message_id"`
	MessageIDSynthetic bool      `json:"message_id_synthetic,omitempty"`
	From               Address   `json:"from"`
	ReplyTo            []Address `json:"reply_to,omitempty"`
	To                 []Address `json:"to,omitempty"`
	Cc                 []Address `json:"cc,omitempty"`
	Subject            string    `json:"subject"`
	// Date is the Date header in UTC; zero when missing or unparseable.
	Date time.Time `json:"date"`
	// InReplyTo and References hold normalised message ids (see MessageID).
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	// TextBody is the plain-text body; for HTML-only mail it is a readable
	// conversion of HTMLBody (see HTMLToText).
	TextBody    string       `json:"text_body"`
	HTMLBody    string       `json:"html_body,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// ParseErrors lists every problem met while parsing; the email is still
	// usable, but a person may want to look at the raw message.
	ParseErrors []string `json:"parse_errors,omitempty"`
	// Size is the length of the raw message in bytes and RawSHA256 its
	// hex-encoded SHA-256, for write-once blob storage of the original.
	Size      int    `json:"size"`
	RawSHA256 string `json:"raw_sha256"`
	// ContentSHA256 is the hex-encoded SHA-256 of what the message says:
	// its text body (whitespace folded) and its attachments' hashes, or the
	// raw body section when the body was not parsed. Transport headers
	// added on the way do not change it; a different notice under the same
	// Message-ID does.
	ContentSHA256 string `json:"content_sha256"`
	// AuthResults are the SPF, DKIM and DMARC checks the receiving servers
	// recorded, top (nearest to us) first.
	AuthResults []AuthResult `json:"auth_results,omitempty"`
	// ContentLanguage is the language tag of the Content-Language header
	// ("en-GB", "de-DE"), the first when it lists several; "" when missing
	// or not a tag. It hints how the sender writes numeric dates.
	ContentLanguage string `json:"content_language,omitempty"`
	// HiddenContent is the text of the HTML body a reader cannot see,
	// left out of TextBody when it is converted from HTML (see Hidden).
	HiddenContent []Hidden `json:"hidden_content,omitempty"`
}

// Attachment is a file carried by an email, attached or inline.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	// ContentID is the Content-ID without angle brackets, for inline parts
	// referenced from HTML as cid:….
	ContentID string `json:"content_id,omitempty"`
	Inline    bool   `json:"inline,omitempty"`
	Size      int64  `json:"size"`
	// SHA256 is the hex-encoded SHA-256 of Data: the blob key and dedup key.
	SHA256 string `json:"sha256"`
	Data   []byte `json:"-"`
	// Text is what the file says, for PDF, DOCX, HTML and plain-text
	// files that are not inline images (see AttachmentText); TextError
	// says why a file of such a kind could not be read.
	Text      string `json:"text,omitempty"`
	TextError string `json:"text_error,omitempty"`
}

// Limits bound what Parse keeps from one message, so one hostile or
// oversized email cannot exhaust memory or storage.
type Limits struct {
	// MaxMessageBytes is the largest raw message whose body is parsed; a
	// larger one yields its headers only, with a ParseErrors note.
	MaxMessageBytes int
	// MaxAttachmentBytes is the largest attachment kept; larger ones are
	// dropped and noted in ParseErrors.
	MaxAttachmentBytes int64
	// MaxAttachments is how many attachments are kept, in message order.
	MaxAttachments int
}

// Default limits, used for any zero field of Limits.
const (
	DefaultMaxMessageBytes    = 25 << 20
	DefaultMaxAttachmentBytes = 10 << 20
	DefaultMaxAttachments     = 20
)

// DefaultLimits returns the limits Parse applies when none are configured.
func DefaultLimits() Limits {
	return Limits{
		MaxMessageBytes:    DefaultMaxMessageBytes,
		MaxAttachmentBytes: DefaultMaxAttachmentBytes,
		MaxAttachments:     DefaultMaxAttachments,
	}
}

// withDefaults fills zero (or negative) fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = d.MaxMessageBytes
	}
	if l.MaxAttachmentBytes <= 0 {
		l.MaxAttachmentBytes = d.MaxAttachmentBytes
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = d.MaxAttachments
	}
	return l
}
