// Package triage turns a vendor email into a structured, validated decision:
// which vendor sent it, what changes and when, which applications it
// affects, how severe it is, who owns it and by when. A language model (any
// llm.Client) proposes the decision; without one, the offline triage ranks
// vendors and applications from the registry text. Either way deterministic
// code validates every id against the tenant's registry, fills defaults and
// applies guardrails that can only raise severity.
package triage

import (
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// Classification says what kind of email it is, and so whether a ticket
// is opened.
type Classification string

// The classifications.
const (
	// Actionable is a change from a known vendor that needs work.
	Actionable Classification = "actionable"
	// Informational is a newsletter, webinar, marketing or a notice that
	// needs no action.
	Informational Classification = "informational"
	// UnknownVendor is mail from no vendor in the registry: no ticket, the
	// email goes to the triage view.
	UnknownVendor Classification = "unknown_vendor"
)

// Classifications lists every classification.
var Classifications = []Classification{Actionable, Informational, UnknownVendor}

// Valid reports whether c is a known classification.
func (c Classification) Valid() bool {
	return c == Actionable || c == Informational || c == UnknownVendor
}

// Source says who proposed a decision.
type Source string

// The decision sources.
const (
	SourceLLM     Source = "llm"
	SourceOffline Source = "offline"
)

// Override records one deterministic change to a proposed decision: an id
// that was not in the registry, a default that was filled in, a severity a
// guardrail raised. Kept on the decision for the audit log.
type Override struct {
	Field  string `json:"field"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// Decision is the triage outcome for one email (the seed's TriageDecision).
type Decision struct {
	Classification Classification `json:"classification"`
	// VendorID is empty for UnknownVendor.
	VendorID string `json:"vendor_id"`
	Topic    string `json:"topic"`
	// EffectiveDate is when the change takes effect; zero when unknown.
	EffectiveDate          Date              `json:"effective_date,omitzero"`
	IsBreaking             bool              `json:"is_breaking"`
	AffectedApplicationIDs []string          `json:"affected_application_ids"`
	Severity               registry.Severity `json:"severity"`
	// OwnerTeam is a team id; empty when neither a rule nor an affected
	// application names one.
	OwnerTeam string `json:"owner_team"`
	// SLADays is 1..3650 once a vendor is known; 0 for UnknownVendor.
	SLADays        int      `json:"sla_days"`
	AlertChannel   string   `json:"alert_channel"`
	MatchedRuleIDs []string `json:"matched_rule_ids"`
	Reasoning      string   `json:"reasoning"`
	// Summary is two or three plain sentences on the change and what must
	// be done, for the ticket and the Jira description: the model's, else
	// extracted from the email (Summarize). At most MaxSummary characters.
	Summary string `json:"summary"`

	// Impersonation is set when the sender imitates a vendor: the email
	// is then an unknown vendor's, whatever it says.
	Impersonation *Impersonation `json:"impersonation,omitempty"`

	// Confidence (0–1) is how far the email's own evidence supports the
	// decision: its weakest part (see Evidence). Below the tenant's
	// threshold an actionable decision waits for a person.
	Confidence float64  `json:"confidence"`
	Evidence   Evidence `json:"evidence"`

	Source    Source     `json:"source"`
	Overrides []Override `json:"overrides"`
	// LLMProvider and LLMModel say which model answered; LLMRaw is its raw
	// answer, kept for audit. All empty for offline decisions.
	LLMProvider string `json:"llm_provider,omitempty"`
	LLMModel    string `json:"llm_model,omitempty"`
	LLMRaw      string `json:"llm_raw,omitempty"`
}

func (d *Decision) override(field, from, to, reason string) {
	d.Overrides = append(d.Overrides, Override{Field: field, From: from, To: to, Reason: reason})
}

// Email is the part of an inbound message triage reads. The mail pipeline
// maps its parsed message to it.
type Email struct {
	MessageID   string
	FromAddress string
	FromName    string
	Subject     string
	// Body is the text body (HTML already converted to text).
	Body string
	Date time.Time
	// ContentLanguage is the Content-Language header ("en-GB", "de-DE"):
	// how the sender writes numeric dates when the email does not show it.
	ContentLanguage string
	AttachmentNames []string
	// ForwardedSenders are the addresses of the original senders of mail
	// forwarded into the mailbox ("From:" lines of forwarded parts).
	ForwardedSenders []string
	// AuthResults are the SPF, DKIM and DMARC checks the receiving servers
	// recorded, nearest server first.
	AuthResults []mail.AuthResult
	// Documents are attachments a model may read as themselves (PDFs);
	// their extracted text is already at the end of Body.
	Documents []llm.Document
}

// WithAttachment is body followed by the text of an attachment, under a
// line that names the file: triage reads a notice sent as a PDF or a Word
// file after the message itself.
func WithAttachment(body, filename, text string) string {
	return body + attachmentMark + filename + " ---\n" + text
}

// attachmentMark opens the text of an attachment in a Body.
const attachmentMark = "\n\n--- Attachment "

// messageText is body without the text of its attachments: what the
// message itself says.
func messageText(body string) string {
	if i := strings.Index(body, attachmentMark); i >= 0 {
		return body[:i]
	}
	return body
}

// Settings are the tenant settings a decision depends on.
type Settings struct {
	// SLADaysByTier is the tenant's system_settings.defaults.sla_days_by_tier;
	// a missing tier falls back to registry.Tier.DefaultSLADays.
	SLADaysByTier map[registry.Tier]int
	// Now is the decision time; time.Now when zero.
	Now time.Time
	// Timezone decides which calendar day "today" is; UTC when nil.
	Timezone *time.Location
	// MinConfidencePercent is the tenant's threshold below which an
	// actionable decision waits for a person (the caller applies it).
	MinConfidencePercent int
}

func (s Settings) normalized() Settings {
	if s.Timezone == nil {
		s.Timezone = time.UTC
	}
	if s.Now.IsZero() {
		s.Now = time.Now()
	}
	return s
}

func (s Settings) today() Date { return DateOf(s.Now, s.Timezone) }

// slaDays is the default SLA of a vendor tier.
func (s Settings) slaDays(t registry.Tier) int {
	if d, ok := s.SLADaysByTier[t]; ok && d >= MinSLADays && d <= MaxSLADays {
		return d
	}
	return t.DefaultSLADays()
}

// The bounds of a valid SLA.
const (
	MinSLADays = 1
	MaxSLADays = 3650
)
