package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// ticketRow is one ticket in the list, with names and its SLA countdown.
type ticketRow struct {
	T                 ticket.Ticket
	Vendor, Team, Due string
	Countdown         string
	Overdue           bool
}

// ticketsPage is the data of the ticket list.
type ticketsPage struct {
	Rows       []ticketRow
	Next       string
	In         ticketListIn
	Statuses   []ticket.Status
	Severities []registry.Severity
	Vendors    []registry.Vendor
	Teams      []teamChoice
}

// countdown says how long is left until a ticket is due, computed in the
// tenant's time zone: "in 5 days", "due today", "3 days overdue". Resolved
// and closed tickets have none.
func countdown(t ticket.Ticket, now time.Time, loc *time.Location) (string, bool) {
	if t.Status == ticket.Resolved || t.Status == ticket.Closed {
		return "", false
	}
	d := ticket.DaysLeft(now, t.DueAt, loc)
	past := now.After(t.DueAt)
	plural := func(n int) string {
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	switch {
	case past && d < 0:
		return plural(-d) + " overdue", true
	case past:
		return "overdue today", true
	case d == 0:
		return "due today", false
	}
	return "in " + plural(d), false
}

// ticketNames returns vendor and team names for showing tickets.
func (s *Server) ticketNames(r *http.Request, p auth.Principal) ([]registry.Vendor, map[string]string, []teamChoice, map[string]string, error) {
	vendors, err := s.Registry.AllVendors(r.Context(), p, true)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	vnames := make(map[string]string, len(vendors))
	for _, v := range vendors {
		vnames[v.ID] = v.Name
	}
	teams, tnames, err := s.registryTeams(r.Context(), p)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return vendors, vnames, teams, tnames, nil
}

func (s *Server) uiTickets(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	in := ticketListIn{Status: q.Get("status"), Severity: q.Get("severity"), VendorID: q.Get("vendor_id"), Team: q.Get("team"),
		DueBefore: q.Get("due_before"), Q: q.Get("q"), PageQuery: PageQuery{Cursor: q.Get("cursor")}}
	data := ticketsPage{In: in, Statuses: ticket.Statuses, Severities: registry.Severities}
	vendors, vnames, teams, tnames, err := s.ticketNames(r, p)
	if err != nil {
		return err
	}
	data.Vendors, data.Teams = vendors, teams
	loc, err := s.Tickets.TenantLocation(r.Context(), p)
	if err != nil {
		return err
	}
	v := View{Title: "Tickets", Nav: "tickets"}
	f, err := s.ticketFilter(r.Context(), p, in)
	var ts []ticket.Ticket
	next := ""
	if err == nil {
		ts, next, err = s.Tickets.List(r.Context(), p, f)
	}
	if apperr.Is(err, apperr.Invalid) {
		v.Data = data
		s.render(w, r, http.StatusUnprocessableEntity, "tickets.html", viewWithErr(v, err))
		return nil
	}
	if err != nil {
		return err
	}
	now := time.Now()
	for _, t := range ts {
		row := ticketRow{T: t, Vendor: vnames[t.VendorID], Team: tnames[t.OwnerTeamID], Due: t.DueAt.In(loc).Format("2006-01-02")}
		row.Countdown, row.Overdue = countdown(t, now, loc)
		data.Rows = append(data.Rows, row)
	}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	v.Data = data
	s.render(w, r, http.StatusOK, "tickets.html", v)
	return nil
}

// ticketNumber reads the {number} path value ("VS-0042" or "42").
func ticketNumber(r *http.Request) (int64, error) { return ticket.ParseKey(r.PathValue("number")) }

func (s *Server) uiTicket(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	n, err := ticketNumber(r)
	if err != nil {
		return err
	}
	return s.renderTicket(w, r, p, http.StatusOK, n, ticketForm{}, nil)
}

// ticketPath is the UI address of a ticket.
func ticketPath(t ticket.Ticket) string { return "/tickets/" + url.PathEscape(t.Key()) }

func (s *Server) uiTransitionTicket(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	n, err := ticketNumber(r)
	if err != nil {
		return err
	}
	form := ticketForm{Reason: r.PostFormValue("reason")}
	req := ticket.Request{To: ticket.Status(r.PostFormValue("to")), Reason: form.Reason, Override: r.PostFormValue("override") == "1"}
	t, err := s.Tickets.Transition(r.Context(), p, n, req)
	if formFailure(err) {
		form.Override = req.Override
		return s.renderTicket(w, r, p, Status(err), n, form, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("%s is now %s.", t.Key(), t.Status.Label()))
	redirect(w, r, ticketPath(t))
	return nil
}

func (s *Server) uiAddTicketNote(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	n, err := ticketNumber(r)
	if err != nil {
		return err
	}
	form := ticketForm{Note: r.PostFormValue("body")}
	_, err = s.Tickets.AddNote(r.Context(), p, n, form.Note)
	if formFailure(err) {
		return s.renderTicket(w, r, p, Status(err), n, form, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Note added.")
	redirect(w, r, "/tickets/"+url.PathEscape(ticket.Key(n)))
	return nil
}

func (s *Server) uiChangeEffectiveDate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	n, err := ticketNumber(r)
	if err != nil {
		return err
	}
	form := ticketForm{Reschedule: true, EffectiveDate: r.PostFormValue("effective_date"), Reason: r.PostFormValue("reason")}
	t, err := s.Tickets.ChangeEffectiveDate(r.Context(), p, n, ticket.DateChange{EffectiveDate: form.EffectiveDate, Reason: form.Reason})
	if formFailure(err) {
		return s.renderTicket(w, r, p, Status(err), n, form, err)
	}
	if err != nil {
		return err
	}
	loc, err := s.Tickets.TenantLocation(r.Context(), p)
	if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("The effective date of %s is now %s; it is due %s.", t.Key(), t.EffectiveDate,
		t.DueAt.In(loc).Format("2006-01-02 15:04 MST")))
	redirect(w, r, ticketPath(t))
	return nil
}

func (s *Server) uiMarkTicketProgress(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	n, err := ticketNumber(r)
	if err != nil {
		return err
	}
	progress := ticket.Progress(r.PostFormValue("progress"))
	t, err := s.Tickets.MarkProgress(r.Context(), p, n, r.PathValue("application_id"), progress)
	if formFailure(err) {
		return s.renderTicket(w, r, p, Status(err), n, ticketForm{}, err)
	}
	if err != nil {
		return err
	}
	msg := "Progress saved."
	if t.Status == ticket.Resolved {
		msg += " Every application is complete: " + t.Key() + " is resolved and awaits confirmation of closure."
	}
	s.flash(r, msg)
	redirect(w, r, ticketPath(t))
	return nil
}

// prettyJSON indents a stored decision for display; text that is not JSON
// is shown as it is.
func prettyJSON(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}
