package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// ticketListIn filters the ticket list.
type ticketListIn struct {
	PageQuery
	Status    string `query:"status" enum:"open,in_progress,resolved,closed,breached" doc:"Only tickets in this state."`
	Severity  string `query:"severity" enum:"critical,high,medium,low" doc:"Only tickets of this severity."`
	VendorID  string `query:"vendor_id" maxLength:"200" doc:"Only tickets about this vendor."`
	Team      string `query:"team" maxLength:"200" doc:"Only tickets this team (id) owns."`
	DueBefore string `query:"due_before" maxLength:"40" doc:"A date (YYYY-MM-DD: due on or before that day in the tenant's time zone) or an RFC 3339 time (due strictly before it)."`
	Q         string `query:"q" maxLength:"200" doc:"A key (VS-0042) or text in the topic or summary."`
}

// NumberPath is the {number} path parameter of ticket routes.
type NumberPath struct {
	Number string `path:"number" maxLength:"40" doc:"The ticket key (VS-0042) or number (42)."`
}

// ticketOut is a ticket as the API shows it, with its key.
type ticketOut struct {
	Key string `json:"key" doc:"The human key, VS-0042."`
	TicketFields
}

// TicketFields are a ticket's fields without its methods, for embedding in
// answers: huma's wrapper copies only exported embedded fields, and only of
// types without methods.
type TicketFields ticket.Ticket

func ticketView(t ticket.Ticket) ticketOut {
	return ticketOut{Key: t.Key(), TicketFields: TicketFields(t)}
}

type ticketOneOut struct {
	Body ticketOut
}

// transitionBody asks for a transition.
type transitionBody struct {
	To       ticket.Status `json:"to" enum:"open,in_progress,resolved,closed,breached" doc:"The state to move to; open → resolved records both steps."`
	Reason   string        `json:"reason,omitempty" maxLength:"2000" doc:"Why; required (20+ characters) for a manual override."`
	Override bool          `json:"override,omitempty" doc:"A manual override close (change managers and admins; admins only for breached tickets). Excluded from SLA metrics."`
}

type transitionIn struct {
	NumberPath
	Body strictBody[transitionBody]
}

// noteBody is a note on a ticket.
type noteBody struct {
	Body string `json:"body" maxLength:"10000"`
}

type noteIn struct {
	NumberPath
	Body strictBody[noteBody]
}

type noteOut struct {
	Body ticket.TicketEvent
}

// progressBody sets an application's progress.
type progressBody struct {
	Progress ticket.Progress `json:"progress" enum:"pending,in_progress,complete"`
}

type progressIn struct {
	NumberPath
	ApplicationID string `path:"application_id" maxLength:"200"`
	Body          strictBody[progressBody]
}

// ticketPatchBody moves a ticket's effective date.
type ticketPatchBody struct {
	EffectiveDate string `json:"effective_date,omitempty" maxLength:"10" doc:"The new effective date (YYYY-MM-DD). Required."`
	Reason        string `json:"reason,omitempty" maxLength:"2000" doc:"Why the date moves. Required."`
}

type ticketPatchIn struct {
	NumberPath
	Body strictBody[ticketPatchBody]
}

// dueBefore reads the due_before filter in the tenant's time zone.
func dueBefore(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := ticket.ParseDate(s)
	if end, ok := d.EndOf(loc); err == nil && ok {
		return end.Add(time.Second), nil
	}
	return time.Time{}, &apperr.Error{Code: apperr.Invalid, Message: "validation failed", Fields: []apperr.FieldError{{
		Field: "due_before", Message: "must be a date (2027-04-20) or an RFC 3339 time"}}}
}

// ticketFilter builds the domain filter from list parameters.
func (s *Server) ticketFilter(ctx context.Context, p auth.Principal, in ticketListIn) (ticket.Filter, error) {
	loc, err := s.Tickets.TenantLocation(ctx, p)
	if err != nil {
		return ticket.Filter{}, err
	}
	due, err := dueBefore(in.DueBefore, loc)
	if err != nil {
		return ticket.Filter{}, err
	}
	return ticket.Filter{Status: ticket.Status(in.Status), Severity: registry.Severity(in.Severity), VendorID: in.VendorID,
		OwnerTeamID: in.Team, DueBefore: due, Query: in.Q, Cursor: in.Cursor, Limit: in.Limit}, nil
}

func (s *Server) apiListTickets(ctx context.Context, in *ticketListIn) (*PageOut[ticketOut], error) {
	p := principal(ctx)
	f, err := s.ticketFilter(ctx, p, *in)
	if err != nil {
		return nil, err
	}
	ts, next, err := s.Tickets.List(ctx, p, f)
	if err != nil {
		return nil, err
	}
	out := make([]ticketOut, 0, len(ts))
	for _, t := range ts {
		out = append(out, ticketView(t))
	}
	return pageOf(out, next), nil
}

// getTicket reads the ticket a path names ("VS-0042" or "42").
func (s *Server) getTicket(ctx context.Context, p auth.Principal, key string) (ticket.Ticket, error) {
	n, err := ticket.ParseKey(key)
	if err != nil {
		return ticket.Ticket{}, err
	}
	return s.Tickets.Get(ctx, p, n)
}

func (s *Server) apiGetTicket(ctx context.Context, in *NumberPath) (*ticketDetailOut, error) {
	p := principal(ctx)
	t, err := s.getTicket(ctx, p, in.Number)
	if err != nil {
		return nil, err
	}
	d, err := s.ticketDetailOf(ctx, p, t)
	if err != nil {
		return nil, err
	}
	return &ticketDetailOut{Body: d}, nil
}

func (s *Server) apiTransitionTicket(ctx context.Context, in *transitionIn) (*ticketOneOut, error) {
	n, err := ticket.ParseKey(in.Number)
	if err != nil {
		return nil, err
	}
	b := in.Body.Value
	t, err := s.Tickets.Transition(ctx, principal(ctx), n, ticket.Request{To: b.To, Reason: b.Reason, Override: b.Override})
	if err != nil {
		return nil, err
	}
	return &ticketOneOut{Body: ticketView(t)}, nil
}

func (s *Server) apiPatchTicket(ctx context.Context, in *ticketPatchIn) (*ticketOneOut, error) {
	n, err := ticket.ParseKey(in.Number)
	if err != nil {
		return nil, err
	}
	b := in.Body.Value
	t, err := s.Tickets.ChangeEffectiveDate(ctx, principal(ctx), n, ticket.DateChange{EffectiveDate: b.EffectiveDate, Reason: b.Reason})
	if err != nil {
		return nil, err
	}
	return &ticketOneOut{Body: ticketView(t)}, nil
}

func (s *Server) apiAddTicketNote(ctx context.Context, in *noteIn) (*noteOut, error) {
	n, err := ticket.ParseKey(in.Number)
	if err != nil {
		return nil, err
	}
	ev, err := s.Tickets.AddNote(ctx, principal(ctx), n, in.Body.Value.Body)
	if err != nil {
		return nil, err
	}
	return &noteOut{Body: ev}, nil
}

func (s *Server) apiMarkTicketProgress(ctx context.Context, in *progressIn) (*ticketOneOut, error) {
	n, err := ticket.ParseKey(in.Number)
	if err != nil {
		return nil, err
	}
	t, err := s.Tickets.MarkProgress(ctx, principal(ctx), n, in.ApplicationID, in.Body.Value.Progress)
	if err != nil {
		return nil, err
	}
	return &ticketOneOut{Body: ticketView(t)}, nil
}

// ticketDoc describes a ticket API operation; writes decode their bodies
// strictly (see decodeStrict) and the domain checks every field, and reads
// have no body to validate.
func ticketDoc(summary, description string, status int) huma.Operation {
	return huma.Operation{Summary: summary, Description: description,
		DefaultStatus: status, SkipValidateBody: true, Tags: []string{"tickets"}}
}

// Operations of the ticket API; routes.go registers them with their method,
// path and permission.
var (
	docListTickets = ticketDoc("List tickets",
		"Tickets by due time, soonest first; filter by state, severity, vendor, owner team, due time or text.", 0)
	docGetTicket = ticketDoc("Get a ticket",
		"With its applications, timeline, triage decision and reasoning, and what the caller may do next.", 0)
	docTransitionTicket = ticketDoc("Move a ticket",
		"Lifecycle rules by role: owners work their team's tickets, change managers and admins confirm closure "+
			"(never of their own last transition, except admins, flagged), and force-close with a reason. "+
			"403 when the role may not, 409 when the ticket's state does not allow it, 422 for bad input.", http.StatusOK)
	docPatchTicket = ticketDoc("Change a ticket's effective date",
		"The vendor moved its date: the due time is computed again as at creation (created plus the SLA days, "+
			"never after the end of the effective date in the tenant's time zone), the timeline and the audit log "+
			"record both dates and the reason, and every linked tracker issue that has due dates is given the new "+
			"one through the tracker outbox (GitHub has none: its sync log says so). "+
			"422 for a missing or malformed date or reason, 409 for a closed ticket, 404 for an unknown ticket.", http.StatusOK)
	docAddTicketNote = ticketDoc("Add a note to a ticket", "", http.StatusCreated)
	docMarkProgress  = ticketDoc("Set an application's progress",
		"Only for applications without a tracker; owners only for their own team's applications. "+
			"The ticket moves to in_progress when work starts and resolves when every application is complete.", http.StatusOK)
)
