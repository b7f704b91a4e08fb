package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
)

// mailboxForm is the mailbox form as typed. Every kind's fieldset is on
// the page (it works without JavaScript); only the selected kind's is saved.
type mailboxForm struct {
	Name, Kind, IMAPPort string
	IMAP                 mailbox.IMAPSettings
	Graph                mailbox.GraphSettings
	Gmail                mailbox.GmailSettings
}

// mailboxPage is the data of the new-mailbox and mailbox pages.
type mailboxPage struct {
	New     bool
	Mailbox mailbox.Mailbox
	Form    mailboxForm
	Kinds   []mailbox.Kind
	Test    *mailbox.ConnectionResult
}

func mailboxFormOf(m mailbox.Mailbox) mailboxForm {
	f := mailboxForm{Name: m.Name, Kind: string(m.Kind)}
	if m.IMAP != nil {
		f.IMAP = *m.IMAP
		if m.IMAP.Port != 0 {
			f.IMAPPort = strconv.Itoa(m.IMAP.Port)
		}
	}
	if m.Graph != nil {
		f.Graph = *m.Graph
	}
	if m.Gmail != nil {
		f.Gmail = *m.Gmail
	}
	return f
}

// readMailboxForm reads the form and the selected kind's credentials.
func readMailboxForm(r *http.Request) (mailboxForm, mailbox.Credentials) {
	v := func(name string) string { return r.PostFormValue(name) }
	on := func(name string) bool { return r.PostFormValue(name) == "on" }
	f := mailboxForm{Name: v("name"), Kind: v("kind"), IMAPPort: v("imap_port"),
		IMAP: mailbox.IMAPSettings{Host: v("imap_host"), Security: v("imap_security"), Username: v("imap_username"),
			Auth: v("imap_auth"), TokenURL: v("imap_token_url"), ClientID: v("imap_client_id"), Scope: v("imap_scope"),
			Folder: v("imap_folder"), MoveTo: v("imap_move_to"), MarkSeen: on("imap_mark_seen")},
		Graph: mailbox.GraphSettings{TenantID: v("graph_tenant_id"), ClientID: v("graph_client_id"), Mailbox: v("graph_mailbox"),
			Folder: v("graph_folder"), MoveTo: v("graph_move_to"), MarkRead: on("graph_mark_read"),
			BaseURL: v("graph_base_url"), TokenURL: v("graph_token_url")},
		Gmail: mailbox.GmailSettings{User: v("gmail_user"), Label: v("gmail_label"), Query: v("gmail_query"), Auth: v("gmail_auth"),
			Subject: v("gmail_subject"), ClientID: v("gmail_client_id"), TokenURL: v("gmail_token_url"),
			MarkRead: on("gmail_mark_read"), BaseURL: v("gmail_base_url")},
	}
	var c mailbox.Credentials
	switch mailbox.Kind(f.Kind) {
	case mailbox.KindIMAP:
		c = mailbox.Credentials{Password: v("imap_password"), RefreshToken: v("imap_refresh_token"), ClientSecret: v("imap_client_secret")}
	case mailbox.KindGraph:
		c = mailbox.Credentials{ClientSecret: v("graph_client_secret")}
	case mailbox.KindGmail:
		c = mailbox.Credentials{ServiceAccountKey: v("gmail_service_account_key"), ClientSecret: v("gmail_client_secret"),
			RefreshToken: v("gmail_refresh_token")}
	}
	return f, c
}

// apply copies the selected kind's settings into m; a port that is not a
// number is a field error.
func (f mailboxForm) apply(m *mailbox.Mailbox) error {
	m.Name, m.Kind = f.Name, mailbox.Kind(f.Kind)
	m.IMAP, m.Graph, m.Gmail = nil, nil, nil
	switch m.Kind {
	case mailbox.KindIMAP:
		s := f.IMAP
		if p := strings.TrimSpace(f.IMAPPort); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				var v apperr.Validation
				v.Add("imap.port", "must be a number")
				return v.Err()
			}
			s.Port = n
		}
		m.IMAP = &s
	case mailbox.KindGraph:
		s := f.Graph
		m.Graph = &s
	case mailbox.KindGmail:
		s := f.Gmail
		m.Gmail = &s
	}
	return nil
}

func (s *Server) uiMailboxes(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.mailboxes()
	if err != nil {
		return err
	}
	list, err := svc.List(r.Context(), p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "mailboxes.html", View{Title: "Mailboxes", Nav: "mailboxes", Data: list})
	return nil
}

func (s *Server) uiNewMailbox(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	data := mailboxPage{New: true, Kinds: mailbox.Kinds, Form: mailboxForm{Kind: string(mailbox.KindIMAP)}}
	s.render(w, r, http.StatusOK, "mailbox.html", View{Title: "New mailbox", Nav: "mailboxes", Data: data})
	return nil
}

func (s *Server) uiCreateMailbox(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.mailboxes()
	if err != nil {
		return err
	}
	f, cred := readMailboxForm(r)
	in := mailbox.Mailbox{IsActive: true}
	err = f.apply(&in)
	var m mailbox.Mailbox
	if err == nil {
		m, err = svc.Create(r.Context(), p, in, cred)
	}
	if formFailure(err) {
		data := mailboxPage{New: true, Kinds: mailbox.Kinds, Form: f}
		s.render(w, r, Status(err), "mailbox.html", registryFormView(View{Title: "New mailbox", Nav: "mailboxes", Data: data}, err))
		return nil
	}
	if err != nil {
		return err
	}
	s.flash(r, "Mailbox "+m.Name+" created. Use Test connection to check it; it is polled every minute.")
	redirect(w, r, "/settings/mailboxes/"+m.ID)
	return nil
}

func (s *Server) uiMailbox(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.mailboxes()
	if err != nil {
		return err
	}
	m, err := svc.Get(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderMailbox(w, r, http.StatusOK, mailboxPage{Mailbox: m, Form: mailboxFormOf(m)}, nil)
}

func (s *Server) renderMailbox(w http.ResponseWriter, r *http.Request, status int, data mailboxPage, formErr error) error {
	data.Kinds = mailbox.Kinds
	s.render(w, r, status, "mailbox.html", registryFormView(View{Title: data.Mailbox.Name, Nav: "mailboxes", Data: data}, formErr))
	return nil
}

func (s *Server) uiUpdateMailbox(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.mailboxes()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	f, cred := readMailboxForm(r)
	var applyErr error
	m, err := svc.Update(r.Context(), p, id, func(m *mailbox.Mailbox) { applyErr = f.apply(m) }, cred,
		r.PostFormValue("clear_credentials") == "on")
	if err == nil && applyErr != nil {
		err = applyErr
	}
	if formFailure(err) {
		cur, gerr := svc.Get(r.Context(), p, id)
		if gerr != nil {
			return gerr
		}
		return s.renderMailbox(w, r, Status(err), mailboxPage{Mailbox: cur, Form: f}, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Saved mailbox "+m.Name+".")
	redirect(w, r, "/settings/mailboxes/"+m.ID)
	return nil
}

func (s *Server) uiTestMailbox(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.mailboxes()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	res, err := svc.Test(r.Context(), p, id)
	if err != nil {
		return err
	}
	m, err := svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	return s.renderMailbox(w, r, http.StatusOK, mailboxPage{Mailbox: m, Form: mailboxFormOf(m), Test: &res}, nil)
}

func (s *Server) uiPollMailbox(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.mailboxes()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := svc.RequestPoll(r.Context(), p, id); err != nil {
		return err
	}
	s.flash(r, "Poll queued. Reload in a moment to see its outcome.")
	redirect(w, r, "/settings/mailboxes/"+id)
	return nil
}

// uiMailboxActive deactivates (active=0) or reactivates (active=1) a mailbox.
func (s *Server) uiMailboxActive(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.mailboxes()
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "1"
	m, err := svc.Update(r.Context(), p, r.PathValue("id"), func(m *mailbox.Mailbox) { m.IsActive = active }, mailbox.Credentials{}, false)
	if formFailure(err) { // reactivating a mailbox whose credentials were removed
		cur, gerr := svc.Get(r.Context(), p, r.PathValue("id"))
		if gerr != nil {
			return gerr
		}
		return s.renderMailbox(w, r, Status(err), mailboxPage{Mailbox: cur, Form: mailboxFormOf(cur)}, err)
	}
	if err != nil {
		return err
	}
	if active {
		s.flash(r, "Mailbox "+m.Name+" is active again.")
	} else {
		s.flash(r, "Mailbox "+m.Name+" is deactivated: it is no longer polled.")
	}
	redirect(w, r, "/settings/mailboxes/"+m.ID)
	return nil
}
