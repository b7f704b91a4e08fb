package web_test

import (
	"bytes"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// upload posts a file in a multipart form with the session's CSRF token.
func (s *session) upload(t *testing.T, path, field, name string, content []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("csrf_token", s.csrf); err != nil {
		t.Fatal(err)
	}
	if content != nil {
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := s.c.Post(s.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func TestEmailPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	e.loadDemoRegistry(t)
	cm, viewer := e.signIn(auth.RoleChangeManager), e.signIn(auth.RoleViewer)
	wantBody(t, viewer.get(t, "/"), `href="/triage"`, `href="/emails"`)
	wantBody(t, viewer.get(t, "/emails"), "No emails yet")
	wantNot(t, viewer.get(t, "/emails"), `enctype="multipart/form-data"`)
	wantBody(t, cm.get(t, "/emails"), `enctype="multipart/form-data"`, `name="file"`)

	// Upload through the form.
	hostile := []byte("From: Visa <developer-notices@visa.com>\r\nSubject: Visa notice <b>bold</b>\r\nMessage-ID: <ui-1@visa.com>\r\n" +
		"Content-Type: text/html\r\n\r\n<p>The authorization endpoint moves.</p><script>alert('x')</script>\r\n")
	page := followed(t, cm, cm.upload(t, "/emails", "file", "notice.eml", hostile))
	wantBody(t, page, "Email received; triage follows", "Visa notice &lt;b&gt;bold&lt;/b&gt;", "developer-notices@visa.com",
		"The authorization endpoint moves.", "/api/v1/emails/", "Download .eml", "Received")
	wantNot(t, page, "<script>alert", "<b>bold</b>")
	wantBody(t, followed(t, cm, cm.upload(t, "/emails", "file", "notice.eml", hostile)), "stored as a duplicate")
	noFile := cm.upload(t, "/emails", "file", "", nil)
	wantStatus(t, noFile, http.StatusUnprocessableEntity)
	wantBody(t, noFile, "choose an .eml file")
	junk := cm.upload(t, "/emails", "file", "junk.eml", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15})
	wantStatus(t, junk, http.StatusUnprocessableEntity)
	wantStatus(t, viewer.upload(t, "/emails", "file", "notice.eml", hostile), http.StatusForbidden)

	// Process: the Visa email becomes a ticket, the ShipFast one waits.
	if res := e.uploadEmail(e.key, "message/rfc822", demoEmail(t, "10_unknown_logistics.eml")); res.Status != http.StatusAccepted {
		t.Fatal(res.Status)
	}
	if res := e.uploadEmail(e.key, "message/rfc822", demoEmail(t, "12_zendesk_newsletter.eml")); res.Status != http.StatusAccepted {
		t.Fatal(res.Status)
	}
	e.process(t)
	list := viewer.get(t, "/emails")
	wantBody(t, list, "Visa notice", "ShipFast tracking API", "Unknown vendor", "Triaged", `href="/tickets/VS-0001"`, "Duplicate")
	wantBody(t, viewer.get(t, "/emails?status=unknown"), "ShipFast")
	wantNot(t, viewer.get(t, "/emails?status=unknown"), "Visa notice")
	wantStatus(t, viewer.get(t, "/emails?status=lost"), http.StatusUnprocessableEntity)

	// The triage queue: viewers read it, change managers classify.
	queue := viewer.get(t, "/triage")
	wantBody(t, queue, "ShipFast tracking API", "no vendor in the registry matches", "Zendesk monthly product newsletter")
	wantNot(t, queue, `action="/emails/`)
	queue = cm.get(t, "/triage")
	wantBody(t, queue, `name="vendor_id"`, `name="application_ids"`, `name="save_as_rule"`, "CustomerNotifications", "Payments")
	m := emailLink.FindStringSubmatch(string(queue.Body))
	if m == nil {
		t.Fatalf("no classify form in the queue:\n%s", queue.Body)
	}
	id := m[1]
	wantBody(t, viewer.get(t, "/emails/"+id), "ShipFast", "Unknown vendor", "no vendor in the registry matches")

	vendor := created(e, e.key, "/api/v1/vendors", map[string]any{"name": "ShipFast", "tier": "tier_2"})
	bad := cm.post(t, "/emails/"+id+"/classify", url.Values{"severity": {"high"}, "topic": {"Tracking API v1 sunset"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantBody(t, bad, "is required", "Tracking API v1 sunset")
	form := url.Values{"vendor_id": {vendor}, "severity": {"high"}, "topic": {"Tracking API v1 sunset"},
		"effective_date": {"2031-03-01"}, "sla_days": {""}, "save_as_rule": {"1"}}
	// post fills in the session's CSRF token: each post gets its own copy.
	wantStatus(t, viewer.post(t, "/emails/"+id+"/classify", maps.Clone(form)), http.StatusForbidden)
	ticketPage := followed(t, cm, cm.post(t, "/emails/"+id+"/classify", maps.Clone(form)))
	wantBody(t, ticketPage, "Classified: VS-0002 opened.", "saved for future emails", "Tracking API v1 sunset", "30 days")
	queue = cm.get(t, "/triage")
	wantBody(t, queue, "Recently classified", `href="/tickets/VS-0002"`)
	wantNot(t, queue, `action="/emails/`+id+`/classify"`)
	again := cm.post(t, "/emails/"+id+"/classify", maps.Clone(form))
	wantStatus(t, again, http.StatusConflict)
	wantBody(t, again, "only emails in the triage queue")
	if !strings.Contains(string(viewer.get(t, "/emails/"+id).Body), `href="/tickets/VS-0002"`) {
		t.Error("the classified email does not link its ticket")
	}
}

// emailLink finds a classify form's email id.
var emailLink = regexp.MustCompile(`action="/emails/([^/"]+)/classify"`)
