package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// Draft is what a ticket is created from: a triage decision (automatic or an
// operator's), the applications it affects and the email it came from.
type Draft struct {
	VendorID       string
	Topic          string
	Summary        string
	EffectiveDate  Date
	Severity       registry.Severity
	OwnerTeamID    string // optional
	SLADays        int    // 1…MaxSLADays, from the matched rule or the vendor tier
	AlertChannel   string
	EmailID        string // optional: the source email
	MatchedRuleIDs []string
	Reasoning      string
	// Decision is the raw triage decision (JSON), kept for display and audit.
	Decision       json.RawMessage
	ApplicationIDs []string
}

// Creation is a validated ticket ready to be written. The store allocates
// the number inside its transaction and calls Numbered for the rest.
type Creation struct {
	Ticket   Ticket
	actor    auth.Principal
	created  func(Ticket) []jobargs.Args
	breaking func(Ticket, int) []jobargs.Args
	eventID  string // of the "created" entry, once Event made it
}

// BreakingWindow is how far back a vendor's breaking changes are counted
// when it announces another one.
const BreakingWindow = 90 * 24 * time.Hour

// BreakingCounter counts a vendor's breaking-change tickets created from
// since to until, inside the transaction that writes the new one.
type BreakingCounter interface {
	CountBreakingTickets(ctx context.Context, tenantID, vendorID string, since, until time.Time) (int, error)
}

// BreakingJobs returns the jobs of a new ticket of a breaking change, once
// the store has written it: how many breaking changes its vendor announced
// in the BreakingWindow up to it, this one included, counted by n in the
// creating transaction. A change that is not breaking causes none.
func (c *Creation) BreakingJobs(ctx context.Context, t Ticket, n BreakingCounter) ([]jobargs.Args, error) {
	if c.breaking == nil || !t.Breaking() {
		return nil, nil
	}
	count, err := n.CountBreakingTickets(ctx, t.TenantID, t.VendorID, t.CreatedAt.Add(-BreakingWindow), t.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("count breaking changes of vendor %s: %w", t.VendorID, err)
	}
	return c.breaking(t, count), nil
}

// Numbered completes the creation with the number the store allocated: the
// ticket, its "created" timeline entry, its audit row and the jobs its
// creation causes.
func (c *Creation) Numbered(number int64) (Ticket, TicketEvent, audit.Event, []jobargs.Args) {
	t := c.Ticket
	t.Number = number
	ev := c.Event()
	rec := audit.Record(c.actor, "ticket.create", "ticket", t.ID, nil, auditView(t))
	var jobs []jobargs.Args
	if c.created != nil {
		jobs = c.created(t)
	}
	return t, ev, rec, jobs
}

// Event is the ticket's "created" timeline entry, the same on every call
// (it does not depend on the number), so a store can write it in the
// statement that takes the number.
func (c *Creation) Event() TicketEvent {
	if c.eventID == "" {
		c.eventID = ident.New()
	}
	t := c.Ticket
	return TicketEvent{ID: c.eventID, TenantID: t.TenantID, TicketID: t.ID, Kind: EventCreated, To: t.Status,
		ActorID: c.actor.UserID, ActorLabel: c.actor.Label, EmailID: t.EmailID, CreatedAt: t.CreatedAt}
}

// auditView is what audit rows record of a ticket: its routing and state,
// not the raw decision (kept on the ticket itself).
func auditView(t Ticket) map[string]any {
	apps := make([]string, 0, len(t.Applications))
	for _, a := range t.Applications {
		apps = append(apps, a.ApplicationID)
	}
	return map[string]any{"key": t.Key(), "vendor_id": t.VendorID, "topic": t.Topic, "severity": t.Severity,
		"status": t.Status, "owner_team_id": t.OwnerTeamID, "sla_days": t.SLADays, "due_at": t.DueAt,
		"effective_date": t.EffectiveDate, "email_id": t.EmailID, "matched_rule_ids": t.MatchedRuleIDs,
		"application_ids": apps}
}

// Create validates a draft and writes the ticket with the tenant's next
// number (VS-0001, …; numbers are never reused), one row per affected
// application, a "created" timeline entry, an audit row and the draft's
// the jobs its creation causes, all in one transaction. Triage workers call it as the
// system principal; operators who classify emails by hand need PermTriage.
func (s *Service) Create(ctx context.Context, p auth.Principal, d Draft) (Ticket, error) {
	c, err := s.Prepare(ctx, p, d)
	if err != nil {
		return Ticket{}, err
	}
	t, err := s.Store.CreateTicket(ctx, c)
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket.Create %q: %w", d.Topic, err)
	}
	return t, nil
}

// Prepare validates a draft against the tenant's registry and returns the
// creation without writing it, for callers whose own store method writes the
// ticket together with their records (sqlstore's Tx.CreateTicket).
func (s *Service) Prepare(ctx context.Context, p auth.Principal, d Draft) (*Creation, error) {
	if err := p.Require(auth.PermTriage); err != nil {
		return nil, err
	}
	now := s.now()
	t := Ticket{ID: ident.New(), TenantID: p.TenantID, Status: Open, CreatedAt: now, UpdatedAt: now, Version: 1,
		VendorID: strings.TrimSpace(d.VendorID), Topic: strings.TrimSpace(d.Topic), Summary: strings.TrimSpace(d.Summary),
		EffectiveDate: Date(strings.TrimSpace(string(d.EffectiveDate))), Severity: d.Severity,
		OwnerTeamID: strings.TrimSpace(d.OwnerTeamID), SLADays: d.SLADays, AlertChannel: strings.TrimSpace(d.AlertChannel),
		EmailID: strings.TrimSpace(d.EmailID), MatchedRuleIDs: uniq(d.MatchedRuleIDs), Reasoning: strings.TrimSpace(d.Reasoning),
		Decision: d.Decision}
	var v apperr.Validation
	checkLine(&v, "topic", t.Topic, MaxTopic, true)
	v.Check(utf8.RuneCountInString(t.Summary) <= MaxSummary, "summary", "must be at most %d characters", MaxSummary)
	v.Check(utf8.RuneCountInString(t.Reasoning) <= MaxReasoning, "reasoning", "must be at most %d characters", MaxReasoning)
	if _, err := ParseDate(string(t.EffectiveDate)); err != nil {
		v.Add("effective_date", "must be a date such as 2027-04-20")
	}
	v.Check(t.Severity.Valid(), "severity", "must be one of critical, high, medium, low")
	v.Check(t.SLADays >= 1 && t.SLADays <= MaxSLADays, "sla_days", "must be between 1 and %d", MaxSLADays)
	checkLine(&v, "alert_channel", t.AlertChannel, maxShort, false)
	checkLine(&v, "email_id", t.EmailID, maxShort, false)
	if len(t.Decision) > 0 && (len(t.Decision) > MaxDecision || !json.Valid(t.Decision)) {
		v.Add("decision", "must be JSON of at most %d bytes", MaxDecision)
	}
	appIDs := uniq(d.ApplicationIDs)
	v.Check(len(appIDs) <= MaxApps, "application_ids", "must have at most %d entries", MaxApps)
	v.Check(len(t.MatchedRuleIDs) <= MaxRules, "matched_rule_ids", "must have at most %d entries", MaxRules)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.checkRefs(ctx, &v, &t, appIDs); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	loc, err := s.location(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	t.DueAt = DueAt(now, t.SLADays, t.EffectiveDate, loc)
	return &Creation{Ticket: t, actor: p, created: s.Consequences.Created, breaking: s.Consequences.Breaking}, nil
}

// checkRefs checks that the vendor, team, rules and applications are the
// tenant's, and fills the ticket's application rows. Deactivated entries
// are accepted: a decision made just before a deactivation still stands.
func (s *Service) checkRefs(ctx context.Context, v *apperr.Validation, t *Ticket, appIDs []string) error {
	missing := func(field, id string, err error) error {
		if apperr.Is(err, apperr.NotFound) {
			v.Add(field, "no such item: %.40s", id)
			return nil
		}
		if err != nil {
			return fmt.Errorf("check %s %s: %w", field, id, err)
		}
		return nil
	}
	if t.VendorID == "" {
		v.Add("vendor_id", "is required")
	} else {
		_, err := s.Store.Vendor(ctx, t.TenantID, t.VendorID)
		if err := missing("vendor_id", t.VendorID, err); err != nil {
			return err
		}
	}
	if t.OwnerTeamID != "" {
		_, err := s.Store.Team(ctx, t.TenantID, t.OwnerTeamID)
		if err := missing("owner_team_id", t.OwnerTeamID, err); err != nil {
			return err
		}
	}
	for _, id := range t.MatchedRuleIDs {
		_, err := s.Store.Rule(ctx, t.TenantID, id)
		if err := missing("matched_rule_ids", id, err); err != nil {
			return err
		}
	}
	t.Applications = make([]TicketApplication, 0, len(appIDs))
	for _, id := range appIDs {
		a, err := s.Store.Application(ctx, t.TenantID, id)
		if err := missing("application_ids", id, err); err != nil {
			return err
		}
		if err == nil {
			t.Applications = append(t.Applications, TicketApplication{ApplicationID: a.ID, Name: a.Name, OwnerTeamID: a.OwnerTeamID,
				UsesTracker: a.CreatesTrackerIssue, Progress: ProgressPending})
		}
	}
	return nil
}

// checkLine checks a single-line value's length (and presence when required).
func checkLine(v *apperr.Validation, field, s string, max int, required bool) {
	switch {
	case required && s == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "must be at most %d characters", max)
	case strings.ContainsFunc(s, unicode.IsControl):
		v.Add(field, "must be a single line without control characters")
	}
}

// uniq trims ids and drops empty ones and duplicates, keeping the order.
func uniq(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
