package web

import (
	"net/http"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// ticketForm keeps what a user typed when a form on the ticket page fails.
type ticketForm struct {
	Reason   string
	Override bool
	Note     string
	// Reschedule marks the effective date form's input: Reason is its
	// reason then.
	Reschedule    bool
	EffectiveDate string
}

// ticketAppRow is one affected application on the ticket page.
type ticketAppRow struct {
	A       ticket.TicketApplication
	Team    string
	CanMark bool
}

// transitionButton is one transition the viewer may make.
type transitionButton struct {
	To    ticket.Status
	Label string
	Hint  string
}

// ruleLink names a matched rule.
type ruleLink struct{ ID, Name string }

// ticketPage is the data of the ticket page.
type ticketPage struct {
	T                 ticket.Ticket
	Vendor, Team, Due string
	Countdown         string
	Overdue           bool
	Apps              []ticketAppRow
	Events            []ticket.TicketEvent
	Buttons           []transitionButton
	CanOverride       bool
	CanNote           bool
	Decision          string
	Rules             []ruleLink
	Progresses        []ticket.Progress
	Form              ticketForm
	MinReason         int
	// Links are the ticket's tracker issues; CanSync shows "Sync now".
	Links   []link.Link
	CanSync bool
	// CanReschedule shows the form that moves the effective date.
	CanReschedule bool
	// Mirrors are the linked issues' local copies by link id, with their
	// sync log and the edit and conflict forms.
	Mirrors map[string]*issueMirror
}

// buttonOf labels a transition the way people speak of it.
func buttonOf(to ticket.Status) transitionButton {
	switch to {
	case ticket.InProgress:
		return transitionButton{To: to, Label: "Start work", Hint: "Move to in progress."}
	case ticket.Resolved:
		return transitionButton{To: to, Label: "Mark resolved", Hint: "Every application is done; a change manager confirms closure."}
	case ticket.Closed:
		return transitionButton{To: to, Label: "Confirm closure", Hint: "The change is handled. You cannot confirm your own last transition."}
	}
	return transitionButton{To: to, Label: to.Label()}
}

// renderTicket shows ticket number n; formErr, when set, is shown with the
// user's input kept in form.
func (s *Server) renderTicket(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, n int64, form ticketForm, formErr error) error {
	ctx := r.Context()
	t, err := s.Tickets.Get(ctx, p, n)
	if err != nil {
		return err
	}
	d, err := s.ticketDetailOf(ctx, p, t)
	if err != nil {
		return err
	}
	_, tnames, err := s.registryTeams(ctx, p) // the applications' owner teams
	if err != nil {
		return err
	}
	loc, err := s.Tickets.TenantLocation(ctx, p)
	if err != nil {
		return err
	}
	data := ticketPage{T: t, Vendor: d.VendorName, Team: d.OwnerTeamName, Events: d.Events, Form: form,
		Due: t.DueAt.In(loc).Format("2006-01-02 15:04 MST"), MinReason: ticket.MinOverrideReason,
		Progresses: ticket.Progresses, CanNote: p.Can(auth.PermWorkTickets),
		CanOverride: d.CanOverride, Links: d.TrackerLinks, CanSync: canSyncTicket(p, t, d.TrackerLinks),
		CanReschedule: p.Can(auth.PermEditTickets) && !t.Status.Terminal()}
	if data.Mirrors, err = s.mirrorsOf(ctx, p, t.ID); err != nil {
		return err
	}
	data.Countdown, data.Overdue = countdown(t, time.Now(), loc)
	if len(t.Decision) > 0 {
		data.Decision = prettyJSON(t.Decision)
	}
	for _, a := range t.Applications {
		data.Apps = append(data.Apps, ticketAppRow{A: a, Team: tnames[a.OwnerTeamID], CanMark: ticket.CanMarkProgress(p, t, a)})
	}
	for _, to := range d.AllowedTransitions {
		data.Buttons = append(data.Buttons, buttonOf(to))
	}
	for _, id := range t.MatchedRuleIDs {
		name := id
		if ru, err := s.Registry.Rule(ctx, p, id); err == nil {
			name = ru.Name
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		data.Rules = append(data.Rules, ruleLink{ID: id, Name: name})
	}
	v := View{Title: t.Key() + " · " + t.Topic, Nav: "tickets", Data: data}
	s.render(w, r, status, "ticket.html", viewWithErr(v, formErr))
	return nil
}
