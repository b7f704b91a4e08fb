package inbox

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/triage"
)

// Classification is an operator's triage of an email that automatic triage
// could not handle (or judged informational).
type Classification struct {
	VendorID       string
	ApplicationIDs []string
	Severity       registry.Severity
	// Topic defaults to the email's subject.
	Topic string
	// EffectiveDate is YYYY-MM-DD, or empty when the vendor gave none.
	EffectiveDate string
	// OwnerTeamID defaults to the owner of the first application.
	OwnerTeamID string
	// SLADays of 0 takes the vendor tier's default from the settings.
	SLADays int
	// SaveAsRule also saves the classification as a registry rule, so that
	// triage handles the next such email; RuleName and RuleText default to
	// text generated from the classification.
	SaveAsRule bool
	RuleName   string
	RuleText   string
}

// Classified is what a classification created.
type Classified struct {
	Email  Email
	Ticket ticket.Ticket
	// Rule is the saved rule, when SaveAsRule was set.
	Rule *registry.Rule
}

// Classify opens the ticket for an email in the triage queue (unknown,
// failed) or an informational one, exactly as automatic triage would, and
// optionally saves the classification as a rule. The email becomes triaged;
// the audit log records the operator and what the email was before.
func (s *Service) Classify(ctx context.Context, p auth.Principal, id string, c Classification) (Classified, error) {
	if err := p.Require(auth.PermTriage); err != nil {
		return Classified{}, err
	}
	e, err := s.Store.Email(ctx, p.TenantID, id)
	if err != nil {
		return Classified{}, fmt.Errorf("inbox.Classify %.40s: %w", id, err)
	}
	if !e.Status.Classifiable() {
		return Classified{}, apperr.E(apperr.Conflict, "this email is %s; only emails in the triage queue (unknown vendor, failed) "+
			"or informational ones can be classified", strings.ToLower(e.Status.Label()))
	}
	d, err := s.manualDraft(ctx, p, e, &c)
	if err != nil {
		return Classified{}, err
	}
	cr, err := s.Tickets.Prepare(ctx, p, d)
	if err != nil {
		return Classified{}, fmt.Errorf("inbox.Classify %s: %w", id, err)
	}
	var out Classified
	if c.SaveAsRule {
		r, err := s.saveRule(ctx, p, c, cr.Ticket)
		if err != nil {
			return Classified{}, err
		}
		out.Rule = &r
		cr.Ticket.MatchedRuleIDs = append(cr.Ticket.MatchedRuleIDs, r.ID)
	}
	before := map[string]any{"status": e.Status, "error": e.Error, "decision_source": e.DecisionSource}
	now := s.now()
	e.Status, e.Error, e.TicketID, e.DecisionSource, e.ProcessedAt = Triaged, "", cr.Ticket.ID, SourceManual, &now
	e.Decision = mustJSON(map[string]any{"classification": "actionable", "source": SourceManual, "classified_by": p.Label,
		"vendor_id": c.VendorID, "topic": d.Topic, "effective_date": c.EffectiveDate, "affected_application_ids": d.ApplicationIDs,
		"severity": c.Severity, "owner_team": d.OwnerTeamID, "sla_days": d.SLADays, "matched_rule_ids": cr.Ticket.MatchedRuleIDs,
		"reasoning": d.Reasoning, "summary": d.Summary, "overrides": []any{}})
	after := map[string]any{"status": Triaged, "ticket_id": cr.Ticket.ID, "decision": e.Decision}
	comp := Completion{Email: e, From: []Status{Unknown, Failed, Informational}, Ticket: cr,
		Audit: []audit.Event{audit.Record(p, "email.classify", "email", e.ID, before, after)}}
	if out.Email, err = s.Store.CompleteEmail(ctx, comp); err != nil {
		return Classified{}, fmt.Errorf("inbox.Classify %s: %w", id, err)
	}
	if out.Ticket, err = s.Tickets.ByID(ctx, p, cr.Ticket.ID); err != nil {
		return Classified{}, fmt.Errorf("inbox.Classify %s: read ticket: %w", id, err)
	}
	return out, nil
}

// manualDraft checks what the ticket package does not (the SLA, the rule
// fields) and builds the ticket draft, filling the defaults.
func (s *Service) manualDraft(ctx context.Context, p auth.Principal, e Email, c *Classification) (ticket.Draft, error) {
	var v apperr.Validation
	c.VendorID = strings.TrimSpace(c.VendorID)
	v.Check(c.VendorID != "", "vendor_id", "is required")
	v.Check(c.SLADays >= 0 && c.SLADays <= ticket.MaxSLADays, "sla_days", "must be between 1 and %d, or empty for the vendor tier's default", ticket.MaxSLADays)
	v.Check(utf8.RuneCountInString(c.RuleName) <= registry.MaxName, "rule_name", "must be at most %d characters", registry.MaxName)
	v.Check(utf8.RuneCountInString(c.RuleText) <= registry.MaxRuleText, "rule_text", "must be at most %d characters", registry.MaxRuleText)
	if err := v.Err(); err != nil {
		return ticket.Draft{}, err
	}
	vendor, err := s.Registry.Vendor(ctx, p, c.VendorID)
	if apperr.Is(err, apperr.NotFound) {
		v.Add("vendor_id", "no such vendor: %.40s", c.VendorID)
		return ticket.Draft{}, v.Err()
	}
	if err != nil {
		return ticket.Draft{}, fmt.Errorf("classify: vendor: %w", err)
	}
	ts, err := s.triageSettings(ctx, p.TenantID)
	if err != nil {
		return ticket.Draft{}, err
	}
	// The same extractive summary as the offline triage's.
	summary := ticketSummary(triage.Summarize(TriageEmail(e), ts), e)
	d := ticket.Draft{VendorID: vendor.ID, Topic: oneLine(c.Topic, e.Subject, ticket.MaxTopic), Summary: summary,
		EffectiveDate: ticket.Date(strings.TrimSpace(c.EffectiveDate)), Severity: c.Severity, OwnerTeamID: c.OwnerTeamID,
		SLADays: c.SLADays, EmailID: e.ID, ApplicationIDs: c.ApplicationIDs}
	why := []string{"Classified by " + p.Label + " from the triage queue (the email was " + strings.ToLower(e.Status.Label()) + ")."}
	if d.SLADays == 0 {
		d.SLADays = ts.SLADaysByTier[vendor.Tier]
		if d.SLADays < 1 {
			d.SLADays = vendor.Tier.DefaultSLADays()
		}
		why = append(why, fmt.Sprintf("SLA of %d days: the default for %s vendors.", d.SLADays, vendor.Tier.ShortLabel()))
	}
	if d.OwnerTeamID == "" && len(c.ApplicationIDs) > 0 {
		a, err := s.Registry.Application(ctx, p, strings.TrimSpace(c.ApplicationIDs[0]))
		if err == nil && a.OwnerTeamID != "" {
			d.OwnerTeamID = a.OwnerTeamID
			why = append(why, "Owner team: the owner of "+a.Name+".")
		} else if err != nil && !apperr.Is(err, apperr.NotFound) {
			return ticket.Draft{}, fmt.Errorf("classify: application: %w", err)
		}
	}
	d.Reasoning = strings.Join(why, " ")
	c.RuleName = oneLine(c.RuleName, vendor.Name+": "+d.Topic, registry.MaxName)
	if strings.TrimSpace(c.RuleText) == "" {
		c.RuleText = s.ruleText(ctx, p, vendor, d)
	}
	return d, nil
}

// ruleText describes a classification as a rule in plain language.
func (s *Service) ruleText(ctx context.Context, p auth.Principal, v registry.Vendor, d ticket.Draft) string {
	text := fmt.Sprintf("Emails from %s about %s are %s", v.Name, d.Topic, d.Severity)
	var names []string
	for _, id := range d.ApplicationIDs {
		if a, err := s.Registry.Application(ctx, p, strings.TrimSpace(id)); err == nil {
			names = append(names, a.Name)
		} // an unknown id was refused by Prepare already; a name is only a nicety
	}
	if len(names) > 0 {
		text += " and affect " + strings.Join(names, ", ")
	}
	return truncateRunes(text+".", registry.MaxRuleText)
}

// saveRule saves the classification as a rule; its field errors are named
// after the classification's rule fields.
func (s *Service) saveRule(ctx context.Context, p auth.Principal, c Classification, t ticket.Ticket) (registry.Rule, error) {
	r := registry.Rule{Name: c.RuleName, Text: c.RuleText, VendorID: t.VendorID, Severity: t.Severity,
		OwnerTeamID: t.OwnerTeamID, AlertChannel: t.AlertChannel}
	if c.SLADays > 0 {
		days := c.SLADays
		r.SLADays = &days
	}
	out, err := s.Registry.CreateRule(ctx, p, r)
	switch {
	case apperr.Is(err, apperr.Conflict):
		return registry.Rule{}, &apperr.Error{Code: apperr.Invalid, Message: "validation failed", Err: err,
			Fields: []apperr.FieldError{{Field: "rule_name", Message: "a rule with this name exists; choose another name"}}}
	case apperr.Is(err, apperr.Invalid):
		fields := apperr.FieldsOf(err)
		for i := range fields {
			if fields[i].Field == "name" || fields[i].Field == "text" {
				fields[i].Field = "rule_" + fields[i].Field
			}
		}
		return registry.Rule{}, &apperr.Error{Code: apperr.Invalid, Message: "validation failed", Fields: fields, Err: err}
	case err != nil:
		return registry.Rule{}, fmt.Errorf("classify: save rule: %w", err)
	}
	return out, nil
}
