package web_test

import (
	"net/http"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestTicketDetailIsTheSameForAPIAndPage checks that the API's ticket detail
// and the ticket page show the same assembly: names of a vendor and team
// that were deactivated since, the timeline, and what the caller may do.
func TestTicketDetailIsTheSameForAPIAndPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	w := newTicketWorld(t, e)
	tk := w.create(t, "Visa endpoint change", w.portal)
	admin := e.admin.Principal()
	if _, err := w.registry.DeactivateVendor(t.Context(), admin, w.visa.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.auth.DeactivateTeam(t.Context(), admin, w.pay.ID); err != nil {
		t.Fatal(err)
	}

	var d apiTicket
	res := e.do(http.MethodGet, "/api/v1/tickets/"+tk.Key(), w.cm, nil)
	wantStatus(t, res, http.StatusOK)
	res.JSON(t, &d)
	if d.VendorName != "Visa" || d.OwnerTeamName != "Payments" || len(d.Events) != 1 ||
		len(d.AllowedTransitions) != 1 || d.AllowedTransitions[0] != "in_progress" || !d.CanOverride {
		t.Fatalf("API detail = %+v", d)
	}
	page := e.signIn(auth.RoleChangeManager).get(t, "/tickets/"+tk.Key())
	wantStatus(t, page, http.StatusOK)
	wantBody(t, page, `href="/vendors/`+w.visa.ID+`">Visa</a>`, "<dt>Owner team</dt><dd>Payments</dd>", "Ticket created", "Start work", "Close by override")
}
