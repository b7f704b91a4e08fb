package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// issueMirror is one linked issue's local copy on the ticket page, with its
// latest sync log entries and what the viewer may do.
type issueMirror struct {
	M       link.Mirror
	Log     []link.SyncLogEntry
	Labels  string
	Assign  string
	CanEdit bool
	// NoEdits says the issue's tracker does not take edits from VendorSync.
	NoEdits  bool
	CanRetry bool
	Failed   int
}

// mirrorsOf are the linked issues' copies of a ticket by link id.
func (s *Server) mirrorsOf(ctx context.Context, p auth.Principal, ticketID string) (map[string]*issueMirror, error) {
	if s.Trackers == nil {
		return nil, nil
	}
	ms, err := s.Trackers.TicketMirrors(ctx, p, ticketID)
	if err != nil {
		return nil, err
	}
	out := map[string]*issueMirror{}
	for _, m := range ms {
		im := issueMirror{M: m, Labels: strings.Join(m.Labels, ", "), Assign: strings.Join(m.Assignees, ", "),
			CanEdit: p.Can(auth.PermWorkTickets) && m.SyncStatus != link.MirrorDeleted, CanRetry: p.Can(auth.PermEditIntegrations)}
		if im.CanEdit && !s.Trackers.AcceptsEdits(ctx, p.TenantID, m.ConnectionID) {
			im.CanEdit, im.NoEdits = false, true
		}
		if im.Log, _, err = s.Trackers.SyncLog(ctx, p, link.SyncLogFilter{LinkID: m.LinkID, Limit: 10}); err != nil {
			return nil, err
		}
		failed, _, err := s.Trackers.Outbox(ctx, p, link.OutboxFilter{LinkID: m.LinkID, Status: link.OutboxFailed, Limit: 50})
		if err != nil {
			return nil, err
		}
		im.Failed = len(failed)
		out[m.LinkID] = &im
	}
	return out, nil
}

// list reads a comma-separated form value.
func list(v string) *[]string {
	out := []string{}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return &out
}

// issueForm reads the edit form of a linked issue; fields left out of the
// form are left as they are.
func issueForm(r *http.Request) link.IssueEdit {
	var e link.IssueEdit
	str := func(name string) *string {
		if _, ok := r.PostForm[name]; !ok {
			return nil
		}
		v := r.PostFormValue(name)
		return &v
	}
	e.Title, e.Body, e.State, e.DueDate = str("title"), str("body"), str("state"), str("due_date")
	if _, ok := r.PostForm["labels"]; ok {
		e.Labels = list(r.PostFormValue("labels"))
	}
	if _, ok := r.PostForm["assignees"]; ok {
		e.Assignees = list(r.PostFormValue("assignees"))
	}
	return e
}

// backToTicket answers a form about link id on its ticket's page: the
// flash on success, the error shown on the page when the input was wrong.
func (s *Server) backToTicket(w http.ResponseWriter, r *http.Request, p auth.Principal, id string, err error, done string) error {
	l, lerr := s.Trackers.LinkByID(r.Context(), p, id)
	if lerr != nil {
		return lerr
	}
	if formFailure(err) || apperr.Is(err, apperr.Unavailable) {
		return s.renderTicket(w, r, p, Status(err), l.TicketNumber, ticketForm{}, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, done)
	redirect(w, r, "/tickets/"+url.PathEscape(l.TicketKey)+"#issue-"+l.ID)
	return nil
}

func (s *Server) uiEditIssue(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	_, err = svc.EditIssue(r.Context(), p, id, issueForm(r))
	return s.backToTicket(w, r, p, id, err, "Saved; the change is queued to be pushed to the tracker.")
}

func (s *Server) uiResolveConflict(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	res := link.Resolution{Take: r.PostFormValue("take")}
	if res.Take == link.TakeValue {
		e := issueForm(r)
		v := tracker.IssueFields{}
		for name, ptr := range map[string]*string{link.FieldTitle: e.Title, link.FieldBody: e.Body, link.FieldState: e.State,
			link.FieldDueDate: e.DueDate} {
			if ptr != nil {
				res.Fields = append(res.Fields, name)
				switch name {
				case link.FieldTitle:
					v.Title = *ptr
				case link.FieldBody:
					v.Body = *ptr
				case link.FieldState:
					v.State = *ptr
				case link.FieldDueDate:
					v.DueDate = *ptr
				}
			}
		}
		if e.Labels != nil {
			res.Fields, v.Labels = append(res.Fields, link.FieldLabels), *e.Labels
		}
		if e.Assignees != nil {
			res.Fields, v.Assignees = append(res.Fields, link.FieldAssignees), *e.Assignees
		}
		res.Value = v
	}
	_, err = svc.ResolveConflict(r.Context(), p, id, res)
	return s.backToTicket(w, r, p, id, err, "Conflict resolved; what the tracker lacks is queued to be pushed.")
}

func (s *Server) uiRetryPush(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	out, err := svc.RetryPush(r.Context(), p, id)
	return s.backToTicket(w, r, p, id, err, fmt.Sprintf("%d failed change(s) queued to be pushed again.", len(out)))
}

// conflictRow is one linked issue in conflict on the conflicts page.
type conflictRow struct {
	M    link.Mirror
	Link link.Link
}

func (s *Server) uiConflicts(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	ms, err := svc.Conflicts(r.Context(), p, 500)
	if err != nil {
		return err
	}
	rows := make([]conflictRow, 0, len(ms))
	for _, m := range ms {
		l, err := svc.LinkByID(r.Context(), p, m.LinkID)
		if err != nil {
			return err
		}
		rows = append(rows, conflictRow{M: m, Link: l})
	}
	s.render(w, r, http.StatusOK, "tracker_conflicts.html", View{Title: "Tracker conflicts", Nav: "tracker-conflicts", Data: rows})
	return nil
}

// syncLogPage is the admin sync log: one page of entries and the failed
// pushes.
type syncLogPage struct {
	Entries []link.SyncLogEntry
	Next    string
	Failed  []link.OutboxItem
}

func (s *Server) uiSyncLog(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	var data syncLogPage
	data.Entries, data.Next, err = svc.SyncLog(r.Context(), p, link.SyncLogFilter{Cursor: r.URL.Query().Get("cursor"), Limit: 100})
	if err != nil {
		return err
	}
	if data.Failed, _, err = svc.Outbox(r.Context(), p, link.OutboxFilter{Status: link.OutboxFailed, Limit: 100}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "tracker_sync_log.html", View{Title: "Tracker sync log", Nav: "tracker-sync-log", Data: data})
	return nil
}
