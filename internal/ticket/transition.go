package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// Transition moves a ticket as p asks, under the lifecycle rules of Steps:
// every step (two for open → resolved) is recorded as a timeline entry and
// an audit row, flagged manual_override or admin_self_close where Steps says
// so, and committed with the new state in one transaction. Any caller who
// may view tickets may ask; Steps decides by role what is allowed.
func (s *Service) Transition(ctx context.Context, p auth.Principal, number int64, req Request) (Ticket, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Ticket{}, err
	}
	t, err := s.Store.TicketByNumber(ctx, p.TenantID, number)
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket.Transition %s: %w", Key(number), err)
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if utf8.RuneCountInString(req.Reason) > MaxReason {
		return Ticket{}, fieldError("reason", fmt.Sprintf("must be at most %d characters", MaxReason))
	}
	steps, err := Steps(p, t.Facts(), req)
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket.Transition %s to %s: %w", t.Key(), req.To, err)
	}
	c := Change{Ticket: t, SaveState: true}
	s.record(&c, p, steps, req)
	if err := s.Store.ApplyTicketChange(ctx, c); err != nil {
		return Ticket{}, fmt.Errorf("ticket.Transition %s to %s: %w", t.Key(), req.To, err)
	}
	c.Ticket.Version++
	return c.Ticket, nil
}

// record applies planned steps to c.Ticket and adds their timeline entries,
// audit rows and follow-up jobs to c.
func (s *Service) record(c *Change, p auth.Principal, steps []Step, req Request) {
	now := s.now()
	t := &c.Ticket
	for _, st := range steps {
		before := map[string]any{"status": st.From}
		after := map[string]any{"status": st.To}
		if req.Reason != "" {
			after["reason"] = req.Reason
		}
		t.Status = st.To
		switch st.To {
		case Resolved:
			t.ResolvedAt = &now
		case InProgress:
			t.ResolvedAt = nil // reopened by its tracker
		case Closed:
			t.ClosedAt = &now
		case Breached:
			t.BreachedAt = &now
		}
		if slices.Contains(st.Flags, "manual_override") {
			t.IsManualOverride, t.CloseReason = true, req.Reason
			after["is_manual_override"], after["close_reason"] = true, req.Reason
		} else if st.To == Closed {
			t.CloseReason = req.Reason
		}
		c.Events = append(c.Events, TicketEvent{ID: ident.New(), TenantID: t.TenantID, TicketID: t.ID, Kind: EventTransition,
			From: st.From, To: st.To, ActorID: p.UserID, ActorLabel: p.Label, Body: req.Reason, Flags: st.Flags, CreatedAt: now})
		c.Audit = append(c.Audit, audit.Record(p, "ticket.transition", "ticket", t.ID, before, after, st.Flags...))
	}
	t.LastTransitionedBy, t.LastTransitionedAt, t.UpdatedAt = actorID(p), &now, now
	if s.Consequences.Moved != nil {
		c.Jobs = append(c.Jobs, s.Consequences.Moved(*t, steps)...)
	}
}

// mayMarkProgress checks that p may set the progress of application a on
// ticket t: only applications without a tracker, only while the ticket is
// being worked, and owners only for applications of their own team.
func mayMarkProgress(p auth.Principal, t Ticket, a TicketApplication) error {
	if err := p.Require(auth.PermWorkTickets); err != nil {
		return err
	}
	if a.UsesTracker {
		return apperr.E(apperr.Conflict, "%s follows its tracker issue; its progress is not set by hand", a.Name)
	}
	if t.Status != Open && t.Status != InProgress {
		return apperr.E(apperr.Conflict, "the ticket is %s; application progress can no longer change", t.Status)
	}
	if p.Role == auth.RoleOwner && (a.OwnerTeamID == "" || !slices.Contains(p.TeamIDs, a.OwnerTeamID)) {
		return apperr.E(apperr.Forbidden, "owners can only mark progress of their own team's applications")
	}
	return nil
}

// fieldError is an invalid-input error about one field.
func fieldError(field, msg string) error {
	return &apperr.Error{Code: apperr.Invalid, Message: "validation failed", Fields: []apperr.FieldError{{Field: field, Message: msg}}}
}

// CanMarkProgress reports whether p may set application a's progress on t,
// for showing the buttons.
func CanMarkProgress(p auth.Principal, t Ticket, a TicketApplication) bool {
	return mayMarkProgress(p, t, a) == nil
}

// MarkProgress sets an application's progress on a ticket. When progress
// starts on an open ticket it moves to in_progress, and when every
// application is complete (and none uses a tracker) the ticket resolves —
// both as the system, recorded step by step in the same transaction.
func (s *Service) MarkProgress(ctx context.Context, p auth.Principal, number int64, appID string, progress Progress) (Ticket, error) {
	if err := p.Require(auth.PermWorkTickets); err != nil {
		return Ticket{}, err
	}
	t, err := s.Store.TicketByNumber(ctx, p.TenantID, number)
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket.MarkProgress %s: %w", Key(number), err)
	}
	i := slices.IndexFunc(t.Applications, func(a TicketApplication) bool { return a.ApplicationID == appID })
	if i < 0 {
		return Ticket{}, apperr.NotFoundf("application %.40s is not affected by %s", appID, t.Key())
	}
	if !progress.Valid() {
		return Ticket{}, fieldError("progress", "must be one of pending, in_progress, complete")
	}
	a := t.Applications[i]
	if err := mayMarkProgress(p, t, a); err != nil {
		return Ticket{}, fmt.Errorf("ticket.MarkProgress %s: %w", t.Key(), err)
	}
	if a.Progress == progress {
		return t, nil
	}
	now := s.now()
	before := map[string]any{"application_id": a.ApplicationID, "progress": a.Progress}
	a.Progress, a.ProgressUpdatedBy, a.ProgressUpdatedAt = progress, p.Label, &now
	t.Applications = slices.Clone(t.Applications)
	t.Applications[i] = a
	t.UpdatedAt = now
	c := Change{Ticket: t, SaveState: true, Progress: &a}
	c.Events = append(c.Events, TicketEvent{ID: ident.New(), TenantID: t.TenantID, TicketID: t.ID, Kind: EventProgress,
		ActorID: p.UserID, ActorLabel: p.Label, Body: a.Name + ": " + progress.Label(), CreatedAt: now})
	c.Audit = append(c.Audit, audit.Record(p, "ticket.progress", "ticket", t.ID, before,
		map[string]any{"application_id": a.ApplicationID, "progress": progress}))
	if to := autoTarget(t); to != "" {
		sys := auth.System(t.TenantID)
		steps, err := Steps(sys, t.Facts(), Request{To: to})
		if err != nil {
			return Ticket{}, fmt.Errorf("ticket.MarkProgress %s: move to %s: %w", t.Key(), to, err)
		}
		s.record(&c, sys, steps, Request{To: to})
	}
	if err := s.Store.ApplyTicketChange(ctx, c); err != nil {
		return Ticket{}, fmt.Errorf("ticket.MarkProgress %s: %w", t.Key(), err)
	}
	c.Ticket.Version++
	return c.Ticket, nil
}

// autoTarget is where progress moves a ticket without trackers: resolved
// once every application is complete, in_progress once work starts.
func autoTarget(t Ticket) Status {
	f := t.Facts()
	if f.TrackerLinked || len(t.Applications) == 0 {
		return ""
	}
	if f.AllAppsComplete {
		return Resolved
	}
	started := slices.ContainsFunc(t.Applications, func(a TicketApplication) bool { return a.Progress != ProgressPending })
	if t.Status == Open && started {
		return InProgress
	}
	return ""
}

// AddNote adds a person's note to a ticket's timeline.
func (s *Service) AddNote(ctx context.Context, p auth.Principal, number int64, body string) (TicketEvent, error) {
	if err := p.Require(auth.PermWorkTickets); err != nil {
		return TicketEvent{}, err
	}
	body = strings.TrimSpace(body)
	var v apperr.Validation
	v.Check(body != "", "body", "is required")
	v.Check(utf8.RuneCountInString(body) <= MaxNote, "body", "must be at most %d characters", MaxNote)
	return s.addEvent(ctx, p, number, EventNote, "", body, v.Err())
}

// AddUpdate records a later email of the vendor's thread (a reminder, a
// changed date) on the ticket's timeline; the email pipeline calls it.
func (s *Service) AddUpdate(ctx context.Context, p auth.Principal, number int64, emailID, summary string) (TicketEvent, error) {
	if err := p.Require(auth.PermTriage); err != nil {
		return TicketEvent{}, err
	}
	emailID, summary = strings.TrimSpace(emailID), strings.TrimSpace(summary)
	var v apperr.Validation
	checkLine(&v, "email_id", emailID, maxShort, true)
	v.Check(utf8.RuneCountInString(summary) <= MaxSummary, "summary", "must be at most %d characters", MaxSummary)
	return s.addEvent(ctx, p, number, EventThreadUpdate, emailID, summary, v.Err())
}

// addEvent writes one timeline entry that leaves the ticket's state alone.
// invalid, the input's validation error, is reported once the ticket is
// known to exist: a missing ticket is not found whatever the input.
func (s *Service) addEvent(ctx context.Context, p auth.Principal, number int64, kind EventKind, emailID, body string, invalid error) (TicketEvent, error) {
	t, err := s.Store.TicketByNumber(ctx, p.TenantID, number)
	if err != nil {
		return TicketEvent{}, fmt.Errorf("ticket %s: add %s: %w", Key(number), kind, err)
	}
	if invalid != nil {
		return TicketEvent{}, invalid
	}
	now := s.now()
	ev := TicketEvent{ID: ident.New(), TenantID: t.TenantID, TicketID: t.ID, Kind: kind, ActorID: p.UserID, ActorLabel: p.Label,
		Body: body, EmailID: emailID, CreatedAt: now}
	after := map[string]any{"body": body}
	if emailID != "" {
		after["email_id"] = emailID
	}
	t.UpdatedAt = now
	c := Change{Ticket: t, Events: []TicketEvent{ev}, Audit: []audit.Event{
		audit.Record(p, "ticket."+string(kind), "ticket", t.ID, nil, after)}}
	if err := s.Store.ApplyTicketChange(ctx, c); err != nil {
		return TicketEvent{}, fmt.Errorf("ticket %s: add %s: %w", t.Key(), kind, err)
	}
	return ev, nil
}

// Options returns what p may do to t right now, by a dry run of Steps: the
// states p may move it to, and whether p may force-close it by override.
func Options(p auth.Principal, t Ticket) (targets []Status, override bool) {
	f := t.Facts()
	for _, to := range []Status{InProgress, Resolved, Closed} {
		if _, err := Steps(p, f, Request{To: to}); err == nil {
			targets = append(targets, to)
		}
	}
	_, err := Steps(p, f, Request{To: Closed, Override: true, Reason: strings.Repeat("x", MinOverrideReason)})
	return targets, err == nil
}
