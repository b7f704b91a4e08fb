package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestDocs: every signed-in person can read how VendorSync works, and the
// roles chapter shows the permission table the server enforces.
func TestDocs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	res := e.signIn(auth.RoleViewer).get(t, "/docs")
	wantStatus(t, res, http.StatusOK)
	body := string(res.Body)
	for _, want := range []string{
		"How triage decides", "Ticket lifecycle and SLA", "Escalations and notifications", "Issue trackers (Jira)",
		"Roles", "Configuration", `<a href="#02-lifecycle">`, "<table>", "<code>work_tickets</code>",
		"two-person close", "D-1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/docs lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("the documentation carries an inline script")
	}
	if out := e.do("GET", "/docs", "", nil); !strings.Contains(string(out.Body), "Sign in to VendorSync") {
		t.Error("signed out, /docs did not lead to the sign-in page")
	}
}
