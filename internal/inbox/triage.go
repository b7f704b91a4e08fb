package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/triage"
)

// triage asks the triager for a decision and turns it into a completion:
// a ticket for an actionable change, informational, unknown, or failed when
// the decision needs a human. Errors are for the job to retry.
func (s *Service) triage(ctx context.Context, sys auth.Principal, e Email) (*Completion, error) {
	snap, err := s.Registry.ActiveRegistry(ctx, sys)
	if err != nil {
		return nil, fmt.Errorf("read registry: %w", err)
	}
	ts, err := s.triageSettings(ctx, e.TenantID)
	if err != nil {
		return nil, err
	}
	te := TriageEmail(e)
	if !e.ContentLanguageKept {
		if te.ContentLanguage, err = s.contentLanguage(ctx, e); err != nil {
			return nil, err
		}
	}
	if s.Triager != nil {
		if te.Documents, err = s.documents(ctx, e); err != nil {
			return nil, err
		}
	}
	var d triage.Decision
	if s.Triager == nil {
		d, err = (&triage.Agent{}).Decide(ctx, te, snap, ts)
	} else {
		d, err = s.Triager.Decide(ctx, e.TenantID, te, snap, ts)
	}
	var nh *triage.NeedsHumanError
	if errors.As(err, &nh) {
		return s.needsHuman(sys, e, nh), nil
	}
	if err != nil {
		return nil, fmt.Errorf("triage: %w", err)
	}
	now := s.now()
	raw := mustJSON(d)
	e.Decision, e.DecisionSource, e.ProcessedAt = raw, string(d.Source), &now
	c := &Completion{Email: e, From: []Status{Received}}
	min := float64(ts.MinConfidencePercent) / 100
	if d.Classification == triage.Actionable && d.Confidence < min {
		c.Email.Status = Failed
		c.Email.Error = fmt.Sprintf("needs human triage: confidence %.0f%% is below the %.0f%% threshold — %s",
			100*d.Confidence, 100*min, weakest(d.Evidence))
	}
	switch {
	case c.Email.Status == Failed:
	case d.Classification == triage.Actionable:
		cr, err := s.Tickets.Prepare(ctx, sys, s.draftOf(e, d, raw))
		if apperr.Is(err, apperr.Invalid) {
			c.Email.Status, c.Email.Error = Failed, "the triage decision could not become a ticket: "+invalidText(err)
			break
		}
		if err != nil {
			return nil, fmt.Errorf("prepare ticket: %w", err)
		}
		c.Ticket, c.Email.Status, c.Email.TicketID = cr, Triaged, cr.Ticket.ID
	case d.Classification == triage.Informational:
		c.Email.Status = Informational
	case d.Classification == triage.UnknownVendor:
		c.Email.Status = Unknown
		if s.Consequences.UnknownVendor != nil {
			c.Jobs = s.Consequences.UnknownVendor(c.Email)
		}
	default:
		c.Email.Status, c.Email.Error = Failed, fmt.Sprintf("triage returned an unknown classification %q", d.Classification)
	}
	var flags []string
	for _, o := range d.Overrides {
		if o.Field == "severity" {
			flags = append(flags, "severity_raised")
			break
		}
	}
	c.Audit = append(c.Audit, audit.Record(sys, "email.triage", "email", e.ID, nil,
		map[string]any{"status": c.Email.Status, "error": c.Email.Error, "decision": json.RawMessage(raw)}, flags...))
	return c, nil
}

// Bounds of the PDFs given to a model with an email.
const (
	maxDocuments     = 5
	maxDocumentBytes = 20 << 20 // all of them together
)

// documents reads the email's PDF attachments for a model that reads
// documents, up to maxDocuments and maxDocumentBytes in all.
func (s *Service) documents(ctx context.Context, e Email) ([]llm.Document, error) {
	var out []llm.Document
	total := int64(0)
	for _, a := range e.Attachments {
		if a.ContentType != "application/pdf" || len(out) == maxDocuments || total+a.Size > maxDocumentBytes {
			continue
		}
		rc, err := s.Blobs.Get(ctx, a.BlobKey)
		if err != nil {
			return nil, fmt.Errorf("read attachment %q: %w", a.Filename, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxDocumentBytes))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("read attachment %q: %w", a.Filename, err)
		}
		total += int64(len(data))
		out = append(out, llm.Document{Name: a.Filename, MediaType: a.ContentType, Data: data})
	}
	return out, nil
}

// maxHeaderRead bounds what is read of a stored message for its header.
const maxHeaderRead = 64 << 10

// contentLanguage reads the Content-Language header of the stored original
// message, for an email stored before the header was kept with it.
func (s *Service) contentLanguage(ctx context.Context, e Email) (string, error) {
	if e.RawKey == "" {
		return "", nil
	}
	rc, err := s.Blobs.Get(ctx, e.RawKey)
	if err != nil {
		return "", fmt.Errorf("read raw message: %w", err)
	}
	defer rc.Close()
	return mail.ContentLanguageOf(io.LimitReader(rc, maxHeaderRead)), nil
}

// weakest is the part of a decision's evidence with the lowest confidence.
func weakest(ev triage.Evidence) string {
	best, bestConf := "", 101
	for _, part := range []string{ev.Vendor, ev.Applications, ev.Date} {
		i := strings.LastIndex(part, " (")
		if i < 0 || !strings.HasSuffix(part, "%)") {
			continue
		}
		if n, err := strconv.Atoi(part[i+2 : len(part)-2]); err == nil && n < bestConf {
			best, bestConf = part, n
		}
	}
	return best
}

// needsHuman sends the email to the triage queue with the model's answers.
func (s *Service) needsHuman(sys auth.Principal, e Email, nh *triage.NeedsHumanError) *Completion {
	now := s.now()
	e.Status, e.Error, e.ProcessedAt, e.DecisionSource = Failed, "needs human triage: "+nh.Reason, &now, string(triage.SourceLLM)
	e.Decision = mustJSON(map[string]any{"needs_human": true, "reasoning": nh.Reason, "llm_provider": nh.Provider, "llm_raw_answers": nh.Raw})
	return &Completion{Email: e, From: []Status{Received}, Audit: []audit.Event{audit.Record(sys, "email.triage_failed", "email", e.ID, nil,
		map[string]any{"status": Failed, "error": e.Error, "llm_provider": nh.Provider, "llm_raw_answers": nh.Raw})}}
}

// triageSettings reads the tenant settings a decision depends on.
func (s *Service) triageSettings(ctx context.Context, tenantID string) (triage.Settings, error) {
	st := setting.Defaults()
	if s.Settings != nil {
		var err error
		if st, err = s.Settings.Get(ctx, tenantID); err != nil {
			return triage.Settings{}, fmt.Errorf("read settings: %w", err)
		}
	}
	return triage.Settings{Now: s.now(), Timezone: st.Location(), SLADaysByTier: map[registry.Tier]int{
		registry.Tier1: st.SLADaysByTier.Tier1, registry.Tier2: st.SLADaysByTier.Tier2, registry.Tier3: st.SLADaysByTier.Tier3},
		MinConfidencePercent: st.MinConfidencePercent}, nil
}

// TriageEmail is what triage reads of a stored email: the text body (HTML
// already converted), the original senders of forwarded mail and the
// attachment names.
func TriageEmail(e Email) triage.Email {
	te := triage.Email{MessageID: e.MessageID, FromAddress: e.From.Address, FromName: e.From.Name, Subject: e.Subject,
		Body: e.TextBody, Date: e.ReceivedAt, ForwardedSenders: e.ForwardedSenders, AuthResults: e.AuthResults,
		ContentLanguage: e.ContentLanguage}
	if e.SentAt != nil {
		te.Date = *e.SentAt
	}
	for _, a := range e.Attachments {
		te.AttachmentNames = append(te.AttachmentNames, a.Filename)
		// A notice sent as a PDF or a Word file says its change there:
		// triage reads the attachments' text after the body.
		if t := strings.TrimSpace(a.Text); t != "" {
			te.Body = triage.WithAttachment(te.Body, a.Filename, t)
		}
	}
	return te
}

// draftOf turns an actionable decision into a ticket draft.
func (s *Service) draftOf(e Email, d triage.Decision, raw json.RawMessage) ticket.Draft {
	if len(raw) > ticket.MaxDecision {
		// The email keeps the model's whole answer; the ticket's copy
		// goes without it.
		d.LLMRaw = ""
		raw = mustJSON(d)
	}
	return ticket.Draft{VendorID: d.VendorID, Topic: oneLine(d.Topic, e.Subject, ticket.MaxTopic), Summary: ticketSummary(d.Summary, e),
		EffectiveDate: ticket.Date(d.EffectiveDate.String()), Severity: d.Severity, OwnerTeamID: d.OwnerTeam, SLADays: d.SLADays,
		AlertChannel: d.AlertChannel, EmailID: e.ID, MatchedRuleIDs: d.MatchedRuleIDs,
		Reasoning: truncateRunes(d.Reasoning, ticket.MaxReasoning), Decision: raw, ApplicationIDs: d.AffectedApplicationIDs}
}

// invalidText renders a validation error with its fields on one line.
func invalidText(err error) string {
	msg := apperr.MessageOf(err)
	for i, f := range apperr.FieldsOf(err) {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		msg += sep + f.Field + " " + f.Message
	}
	return msg
}

// oneLine returns the first of candidates that is not blank, as a single
// line without control characters of at most max runes; "(no subject)"
// when all are blank.
func oneLine(first, fallback string, max int) string {
	for _, s := range []string{first, fallback} {
		s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
		if s != "" {
			return truncateRunes(s, max)
		}
	}
	return "(no subject)"
}

// ticketSummary is a ticket's summary: the decision's, else (a decision
// without one) the start of the email's text.
func ticketSummary(decided string, e Email) string {
	if s := strings.TrimSpace(decided); s != "" {
		return s
	}
	return summaryOf(e.TextBody)
}

// summaryLength bounds the part of an email a ticket or update quotes.
const summaryLength = 1500

// summaryOf is the start of an email's text, for a ticket's summary.
func summaryOf(body string) string {
	body = strings.TrimSpace(body)
	if utf8.RuneCountInString(body) <= summaryLength {
		return body
	}
	return strings.TrimSpace(truncateRunes(body, summaryLength)) + " …"
}

// threadSummary is the timeline entry of a thread update: who wrote, the
// subject, and the new text without the quoted original.
func threadSummary(e Email) string {
	from := e.From.Address
	if e.From.Name != "" {
		from = e.From.Name + " <" + e.From.Address + ">"
	}
	return "Email from " + from + ": " + oneLine(e.Subject, "", ticket.MaxTopic) + "\n\n" + summaryOf(replyText(e.TextBody))
}

// replyText is the new text of a reply: body without quoted lines and
// without everything from the "On … wrote:" line on.
func replyText(body string) string {
	var kept []string
	for _, l := range strings.Split(body, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, ">") {
			continue
		}
		if strings.HasPrefix(t, "On ") && strings.HasSuffix(t, "wrote:") {
			break
		}
		kept = append(kept, l)
	}
	return strings.TrimSpace(strings.Join(kept, "\n"))
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
