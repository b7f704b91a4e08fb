package ticket

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// DateChange moves a ticket's effective date: the vendor announced a new
// one, or triage read the wrong one. The reason is required.
type DateChange struct {
	EffectiveDate string
	Reason        string
}

// rescheduleAttempts is how often a change of the effective date is
// planned again when the ticket or one of its issues changed meanwhile.
const rescheduleAttempts = 3

// ChangeEffectiveDate moves a ticket's effective date and recomputes its
// due time as at creation (DueAt: created plus the SLA days, never after
// the end of the new effective date in the tenant's time zone). The new
// dates, a timeline entry, an audit row with the dates before and after
// and the reason, and the jobs of Consequences.Rescheduled (its tracker
// issues take the new due date) commit in one transaction. A closed ticket keeps its dates (Conflict); moving the date to the
// one it has changes nothing. Checks run in order: permission, the ticket
// (NotFound, also for another tenant's), the input, the ticket's state.
func (s *Service) ChangeEffectiveDate(ctx context.Context, p auth.Principal, number int64, req DateChange) (Ticket, error) {
	if err := p.Require(auth.PermEditTickets); err != nil {
		return Ticket{}, err
	}
	for attempt := 1; ; attempt++ {
		t, err := s.Store.TicketByNumber(ctx, p.TenantID, number)
		if err != nil {
			return Ticket{}, fmt.Errorf("ticket.ChangeEffectiveDate %s: %w", Key(number), err)
		}
		loc, err := s.location(ctx, p.TenantID)
		if err != nil {
			return Ticket{}, err
		}
		c, changed, err := s.planReschedule(p, t, req, loc)
		if err != nil || !changed {
			return t, err
		}
		err = s.Store.ApplyTicketChange(ctx, c)
		if apperr.Is(err, apperr.Conflict) && attempt < rescheduleAttempts {
			continue // the ticket moved meanwhile: plan again
		}
		if err != nil {
			return Ticket{}, fmt.Errorf("ticket.ChangeEffectiveDate %s: %w", t.Key(), err)
		}
		c.Ticket.Version++
		return c.Ticket, nil
	}
}

// planReschedule validates req against t and returns the change that
// moves t's dates; changed is false when the date is already req's.
func (s *Service) planReschedule(p auth.Principal, t Ticket, req DateChange, loc *time.Location) (Change, bool, error) {
	var v apperr.Validation
	date := strings.TrimSpace(req.EffectiveDate)
	if date == "" {
		v.Add("effective_date", "is required")
	} else if _, err := ParseDate(date); err != nil {
		v.Add("effective_date", "must be a date such as 2027-04-20")
	}
	reason := strings.TrimSpace(req.Reason)
	switch {
	case reason == "":
		v.Add("reason", "is required: say why the date moves")
	case utf8.RuneCountInString(reason) > MaxReason:
		v.Add("reason", "must be at most %d characters", MaxReason)
	}
	if err := v.Err(); err != nil {
		return Change{}, false, err
	}
	if t.Status.Terminal() {
		return Change{}, false, apperr.E(apperr.Conflict, "%s is %s; its effective date can no longer change", t.Key(), t.Status)
	}
	if Date(date) == t.EffectiveDate {
		return Change{}, false, nil
	}
	now := s.now()
	next := t
	next.EffectiveDate = Date(date)
	next.DueAt = DueAt(t.CreatedAt, t.SLADays, next.EffectiveDate, loc)
	next.UpdatedAt = now
	before := map[string]any{"effective_date": t.EffectiveDate, "due_at": t.DueAt}
	after := map[string]any{"effective_date": next.EffectiveDate, "due_at": next.DueAt, "reason": reason}
	from := string(t.EffectiveDate)
	if from == "" {
		from = "none"
	}
	c := Change{Ticket: next, SaveSchedule: true,
		Events: []TicketEvent{{ID: ident.New(), TenantID: t.TenantID, TicketID: t.ID, Kind: EventRescheduled,
			ActorID: p.UserID, ActorLabel: p.Label, CreatedAt: now,
			Body: fmt.Sprintf("Effective date %s → %s: %s", from, next.EffectiveDate, reason)}},
		Audit: []audit.Event{audit.Record(p, "ticket.effective_date", "ticket", t.ID, before, after)}}
	if f := s.Consequences.Rescheduled; f != nil {
		c.Jobs = f(next)
	}
	return c, true, nil
}
