package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// jiraForm is the tracker connection form as typed; the token is never
// shown. Forms of older pages send the Jira flavor instead of the kind.
type jiraForm struct {
	// ID is the connection the form edits; "new" adds one.
	ID, Name                     string
	Kind, BaseURL, Flavor, Email string
	Enabled                      bool
}

// newConnection is the form's ID when it adds a connection.
const newConnection = "new"

// jiraPage is the data of the tracker settings page.
type jiraPage struct {
	Form jiraForm
	// Conns are the tenant's connections; Conn is the one the form edits
	// (zero when it adds one).
	Conns []link.Connection
	Conn  link.Connection
	Kinds []trackerKind
	Test  *link.TestResult
	// Links are the failed and orphan links, oldest first.
	Links []link.Link
	Next  string
	// Sync are the edited connection's sync settings (nil while it adds
	// one); NoWorkflow says its tracker says "in progress" by the rule.
	Sync       *link.SyncSettings
	NoWorkflow bool
}

func (s *Server) uiJira(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderJira(w, r, p, http.StatusOK, nil, nil, nil)
}

// editedConnection is the connection the page edits: the one named by the
// form or the query (connection=<id>), "new" for none, else the first.
func editedConnection(r *http.Request, form *jiraForm) string {
	if form != nil && form.ID != "" {
		return form.ID
	}
	if id := r.PostFormValue("id"); id != "" {
		return id
	}
	return r.URL.Query().Get("connection")
}

// renderJira shows the page; form nil means the stored connection.
func (s *Server) renderJira(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, form *jiraForm,
	test *link.TestResult, formErr error) error {
	return s.renderTrackerPage(w, r, p, status, form, test, nil, formErr)
}

// renderTrackerPage shows the page; sync, when set, are the sync settings
// as typed in their form.
func (s *Server) renderTrackerPage(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, form *jiraForm,
	test *link.TestResult, sync *link.SyncSettings, formErr error) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	ctx := r.Context()
	conns, err := svc.Connections(ctx, p)
	if err != nil {
		return err
	}
	var c link.Connection
	switch id := editedConnection(r, form); id {
	case newConnection:
	case "":
		c, err = svc.Connection(ctx, p)
	default:
		c, err = svc.ConnectionByID(ctx, p, id)
	}
	if err != nil {
		return err
	}
	kind := c.Kind
	if !c.Configured {
		kind = jira.KindCloud
	}
	formID := c.ID
	if !c.Configured && len(conns) > 0 {
		formID = newConnection
	}
	data := jiraPage{Conns: conns, Conn: c, Kinds: s.trackerKinds(), Test: test,
		Form: jiraForm{ID: formID, Name: c.Name, Kind: string(kind), BaseURL: c.BaseURL, Email: c.Username,
			Enabled: c.Enabled || !c.Configured}}
	if form != nil {
		data.Form = *form
	}
	if c.Configured {
		if sync == nil {
			st, err := svc.SyncSettings(ctx, p, c.ID)
			if err != nil {
				return err
			}
			sync = &st
		}
		data.Sync = sync
		f, _ := svc.Providers.Lookup(c.Kind)
		data.NoWorkflow = f.NoWorkflow
	}
	data.Links, data.Next, err = svc.Links(ctx, p, link.Filter{Cursor: r.URL.Query().Get("cursor"), Limit: 100})
	if apperr.Is(err, apperr.Invalid) {
		data.Links, data.Next, err = svc.Links(ctx, p, link.Filter{Limit: 100}) // a stale cursor shows the first page
	}
	if err != nil {
		return err
	}
	v := viewWithErr(View{Title: "Issue tracker", Nav: "jira"}, formErr)
	v.Data = data
	s.render(w, r, status, "jira.html", v)
	return nil
}

func (s *Server) uiSaveJira(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	form := jiraForm{ID: r.PostFormValue("id"), Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		BaseURL: r.PostFormValue("base_url"), Flavor: r.PostFormValue("flavor"), Email: r.PostFormValue("email"),
		Enabled: r.PostFormValue("enabled") == "on"}
	enabled := form.Enabled
	in := link.Input{ID: form.ID, Name: form.Name, Kind: tracker.Kind(form.Kind), BaseURL: form.BaseURL, Username: form.Email,
		Token: r.PostFormValue("token"), Enabled: &enabled, ClearToken: r.PostFormValue("clear_token") == "on"}
	var c link.Connection
	switch {
	case form.Kind == "":
		c, err = saveJira(r.Context(), svc, p, jira.Flavor(form.Flavor), in)
		form.Kind = string(jira.Flavor(form.Flavor).Kind())
	case form.ID == newConnection:
		in.ID = ""
		c, err = saveTracker(r.Context(), svc, p, in, true)
	default:
		c, err = saveTracker(r.Context(), svc, p, in, false)
	}
	if formFailure(err) {
		return s.renderJira(w, r, p, Status(err), &form, nil, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Tracker connection "+c.Name+" saved.")
	redirect(w, r, "/settings/jira?connection="+url.QueryEscape(c.ID))
	return nil
}

func (s *Server) uiTestJira(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	id := r.PostFormValue("id")
	if id == newConnection {
		id = ""
	}
	res, err := svc.TestConnection(r.Context(), p, id)
	if formFailure(err) {
		return s.renderJira(w, r, p, Status(err), nil, nil, err)
	}
	if err != nil {
		return err
	}
	return s.renderJira(w, r, p, http.StatusOK, nil, &res, nil)
}

func (s *Server) uiRetryJiraLink(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	l, err := svc.Retry(r.Context(), p, r.PathValue("id"))
	if apperr.Is(err, apperr.Conflict) {
		return s.renderJira(w, r, p, Status(err), nil, nil, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("Creation of the %s issue of %s queued again.", l.ApplicationName, l.TicketKey))
	redirect(w, r, "/settings/jira")
	return nil
}

func (s *Server) uiSyncTicket(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	n, err := ticketNumber(r)
	if err != nil {
		return err
	}
	_, res, err := svc.SyncTicket(r.Context(), p, n)
	if apperr.Is(err, apperr.Conflict) || apperr.Is(err, apperr.Unavailable) || apperr.Is(err, apperr.Invalid) {
		return s.renderTicket(w, r, p, Status(err), n, ticketForm{}, err)
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Synced %d issue(s) from Jira.", res.Links)
	if res.Changed > 0 || res.Transitions > 0 {
		msg += fmt.Sprintf(" %d changed status; the ticket moved %d time(s).", res.Changed, res.Transitions)
	}
	s.flash(r, msg)
	redirect(w, r, "/tickets/"+url.PathEscape(ticket.Key(n)))
	return nil
}

// uiSaveSyncSettings saves a connection's sync settings from its form.
// The in-progress fields are read only when the form had them (a tracker
// without workflow); otherwise their stored values stay.
func (s *Server) uiSaveSyncSettings(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	st, err := svc.SyncSettings(r.Context(), p, id)
	if err != nil {
		return err
	}
	st.DeletePolicy = link.DeletePolicy(r.PostFormValue("delete_policy"))
	st.CloseWithTicket = r.PostFormValue("close_with_ticket") == "on"
	if r.PostFormValue("progress_rule") == "1" {
		st.InProgressLabels = strings.Split(r.PostFormValue("in_progress_labels"), ",")
		st.InProgressWhenAssigned = r.PostFormValue("in_progress_when_assigned") == "on"
	}
	saved, err := svc.SaveSyncSettings(r.Context(), p, st)
	if formFailure(err) {
		r.URL.RawQuery = url.Values{"connection": {id}}.Encode()
		return s.renderTrackerPage(w, r, p, Status(err), nil, nil, &st, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Sync settings saved; they apply from the next sync.")
	redirect(w, r, "/settings/jira?connection="+url.QueryEscape(saved.ConnectionID)+"#sync-settings")
	return nil
}
