package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// wantNot fails if the page has any of parts.
func wantNot(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(string(r.Body), p) {
			t.Errorf("page contains %q", p)
		}
	}
}

func TestTicketListPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	w := newTicketWorld(t, e)
	viewer := e.signIn(auth.RoleViewer)
	wantBody(t, viewer.get(t, "/"), `href="/tickets"`)
	wantBody(t, viewer.get(t, "/tickets"), "No tickets yet")
	w.create(t, "Visa endpoint change", w.portal)
	w.create(t, "Visa TLS deprecation")
	list := viewer.get(t, "/tickets")
	wantStatus(t, list, http.StatusOK)
	wantBody(t, list, `href="/tickets/VS-0001"`, "VS-0002", "Visa endpoint change", `class="badge critical"`, "Critical",
		"Open", "Visa", "Payments", "in 14 days")
	wantBody(t, viewer.get(t, "/tickets?q=tls"), "VS-0002")
	wantNot(t, viewer.get(t, "/tickets?q=tls"), "VS-0001")
	wantBody(t, viewer.get(t, "/tickets?severity=low"), "No tickets match.")
	wantBody(t, viewer.get(t, "/tickets?team="+w.pay.ID+"&vendor_id="+w.visa.ID+"&status=open"), "VS-0001", "VS-0002")
	bad := viewer.get(t, "/tickets?due_before=soon")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantBody(t, bad, "must be a date")
}

func TestTicketPageWorkflow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	w := newTicketWorld(t, e)
	tk := w.create(t, "Visa endpoint change", w.portal, w.gwApp)
	path := "/tickets/" + tk.Key()
	viewer, cm := e.signIn(auth.RoleViewer), e.signIn(auth.RoleChangeManager)
	owner := w.ownerWithTeam

	page := viewer.get(t, path)
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, "Visa endpoint change", "Merchant portal", "Card gateway", "follows its tracker issue",
		"The Visa endpoints rule matched.", `href="/rules/`+w.rule.ID+`"`, "Visa endpoints", "#payments", "in 14 days", "Ticket created")
	wantNot(t, page, "Start work", "Confirm closure", "Close by override", `name="body"`, `name="progress"`)
	wantStatus(t, viewer.post(t, path+"/transitions", url.Values{"to": {"in_progress"}}), http.StatusForbidden)
	wantStatus(t, viewer.post(t, path+"/notes", url.Values{"body": {"hi"}}), http.StatusForbidden)

	// The owner of the Payments team works the ticket.
	page = owner.get(t, path)
	wantBody(t, page, "Start work", `name="progress" value="complete"`, `name="body"`)
	wantNot(t, page, "Confirm closure", "Close by override")
	wantBody(t, followed(t, owner, owner.post(t, path+"/applications/"+w.portal.ID+"/progress", url.Values{"progress": {"complete"}})),
		"Progress saved.", "Complete")
	empty := owner.post(t, path+"/notes", url.Values{"body": {"  "}})
	wantStatus(t, empty, http.StatusUnprocessableEntity)
	wantBody(t, empty, "is required")
	wantBody(t, followed(t, owner, owner.post(t, path+"/notes", url.Values{"body": {"Gateway team is on it."}})),
		"Note added.", "Gateway team is on it.")
	wantBody(t, followed(t, owner, owner.post(t, path+"/transitions", url.Values{"to": {"in_progress"}})),
		tk.Key()+" is now In progress.")

	// The gateway follows its tracker: a change manager cannot resolve by hand.
	conflict := cm.post(t, path+"/transitions", url.Values{"to": {"resolved"}})
	wantStatus(t, conflict, http.StatusConflict)
	wantBody(t, conflict, "tracker issues are done")
	if _, err := w.tickets.Transition(t.Context(), w.sys, tk.Number, ticketRequest("resolved")); err != nil {
		t.Fatal(err)
	}
	page = cm.get(t, path)
	wantBody(t, page, "Confirm closure", "Resolved")
	wantBody(t, followed(t, cm, cm.post(t, path+"/transitions", url.Values{"to": {"closed"}})), tk.Key()+" is now Closed.")
	page = cm.get(t, path)
	wantNot(t, page, "Confirm closure", "Close by override", `name="progress"`)
	wantBody(t, page, "Resolved → <strong>Closed</strong>")
}

func TestTicketOverrideForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	w := newTicketWorld(t, e)
	tk := w.create(t, "Visa endpoint change")
	path := "/tickets/" + tk.Key()
	cm := e.signIn(auth.RoleChangeManager)
	wantBody(t, cm.get(t, path), "Close by override", "Start work", "Mark resolved")
	wantNot(t, w.ownerWithTeam.get(t, path), "Close by override")
	wantStatus(t, w.ownerWithTeam.post(t, path+"/transitions", url.Values{"to": {"closed"}, "override": {"1"},
		"reason": {"The vendor withdrew the notice."}}), http.StatusForbidden)

	short := cm.post(t, path+"/transitions", url.Values{"to": {"closed"}, "override": {"1"}, "reason": {"withdrawn"}})
	wantStatus(t, short, http.StatusUnprocessableEntity)
	wantBody(t, short, "at least 20 characters", ">withdrawn</textarea>")
	early := cm.post(t, path+"/transitions", url.Values{"to": {"closed"}})
	wantStatus(t, early, http.StatusConflict)
	wantBody(t, early, "only a resolved ticket can be confirmed closed")

	done := followed(t, cm, cm.post(t, path+"/transitions", url.Values{"to": {"closed"}, "override": {"1"},
		"reason": {"The vendor withdrew the notice by phone."}}))
	wantBody(t, done, tk.Key()+" is now Closed.", "closed by manual override", "The vendor withdrew the notice by phone.", "manual_override")
	wantBody(t, cm.get(t, "/tickets?status=closed"), tk.Key(), "override")
	wantStatus(t, cm.get(t, "/tickets/VS-0042"), http.StatusNotFound)
	wantStatus(t, cm.get(t, "/tickets/not-a-ticket"), http.StatusNotFound)
}
