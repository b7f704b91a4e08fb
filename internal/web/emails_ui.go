package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// emailRow is one email in a list.
type emailRow struct {
	E         inbox.Email
	TicketKey string
}

// emailsPage is the data of the email list.
type emailsPage struct {
	Rows     []emailRow
	Next     string
	Status   string
	Q        string
	Statuses []inbox.Status
}

func (s *Server) uiEmails(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderEmails(w, r, p, http.StatusOK, nil)
}

// renderEmails shows the email list; formErr is an upload's failure.
func (s *Server) renderEmails(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, formErr error) error {
	q := r.URL.Query()
	data := emailsPage{Status: q.Get("status"), Q: q.Get("q"), Statuses: inbox.Statuses}
	f := inbox.Filter{Query: data.Q, Cursor: q.Get("cursor")}
	if data.Status != "" {
		f.Statuses = []inbox.Status{inbox.Status(data.Status)}
	}
	v := View{Title: "Emails", Nav: "emails"}
	es, next, err := s.Inbox.List(r.Context(), p, f)
	if apperr.Is(err, apperr.Invalid) && formErr == nil {
		v.Data = data
		s.render(w, r, http.StatusUnprocessableEntity, "emails.html", viewWithErr(v, err))
		return nil
	}
	if err != nil {
		return err
	}
	keys, err := s.ticketKeys(r.Context(), p, es)
	if err != nil {
		return err
	}
	for _, e := range es {
		data.Rows = append(data.Rows, emailRow{E: e, TicketKey: keys[e.TicketID]})
	}
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	v.Data = data
	s.render(w, r, status, "emails.html", viewWithErr(v, formErr))
	return nil
}

// uiUploadEmail stores an uploaded .eml file (multipart field "file").
func (s *Server) uiUploadEmail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	raw, err := uploadedFile(r, "file")
	if err == nil {
		var e inbox.Email
		e, err = s.Inbox.Receive(r.Context(), p, raw, mail.SourceRef{Kind: mail.SourceUpload})
		if err == nil {
			msg := "Email received; triage follows in a moment."
			if e.Status == inbox.Duplicate {
				msg = "This email was received before (same Message-ID): stored as a duplicate."
			}
			s.flash(r, msg)
			redirect(w, r, "/emails/"+url.PathEscape(e.ID))
			return nil
		}
	}
	if formFailure(err) {
		return s.renderEmails(w, r, p, Status(err), err)
	}
	return err
}

// uploadedFile reads a file field of a multipart form.
func uploadedFile(r *http.Request, field string) ([]byte, error) {
	f, _, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, apperr.Invalidf("choose an .eml file to upload")
	}
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "the uploaded file could not be read")
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "the uploaded file could not be read")
	}
	return raw, nil
}

// emailPage is the data of one email's page.
type emailPage struct {
	E           inbox.Email
	TicketKey   string
	RawSize     string
	Attachments []attachmentRow
	Decision    emailDecision
	RawJSON     string
	Classify    *classifyView
}

func (s *Server) uiEmail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderEmail(w, r, p, http.StatusOK, r.PathValue("id"), classifyForm{}, nil)
}

// renderEmail shows one email; form and formErr are a failed classification.
func (s *Server) renderEmail(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, id string, form classifyForm, formErr error) error {
	ctx := r.Context()
	e, err := s.Inbox.Get(ctx, p, id)
	if err != nil {
		return err
	}
	keys, err := s.ticketKeys(ctx, p, []inbox.Email{e})
	if err != nil {
		return err
	}
	data := emailPage{E: e, TicketKey: keys[e.TicketID], Decision: decisionOf(e.Decision), RawSize: sizeLabel(e.RawSize)}
	for _, a := range e.Attachments {
		data.Attachments = append(data.Attachments, attachmentRow{A: a, Size: sizeLabel(a.Size)})
	}
	if len(e.Decision) > 0 {
		data.RawJSON = prettyJSON(e.Decision)
	}
	if e.Status.Classifiable() && p.Can(auth.PermTriage) {
		choices, err := s.classifyChoices(r, p)
		if err != nil {
			return err
		}
		if form.Topic == "" && formErr == nil {
			form.Topic = e.Subject
		}
		data.Classify = &classifyView{E: e, Form: form, C: choices, Fields: formErrors(formErr), Open: true, CSRF: s.csrfToken(r)}
	}
	title := e.Subject
	if title == "" {
		title = "(no subject)"
	}
	v := View{Title: title, Nav: "emails", Data: data}
	if formErr != nil && len(formErrors(formErr)) == 0 {
		v.Error = apperr.MessageOf(formErr)
	}
	s.render(w, r, status, "email.html", v)
	return nil
}

// attachmentRow is one attachment on the email page.
type attachmentRow struct {
	A    inbox.Attachment
	Size string
}

// sizeLabel formats a byte count for people.
func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
