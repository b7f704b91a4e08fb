package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// dateMoves counts the tenant's audit rows of moved effective dates.
func dateMoves(t *testing.T, e *env) int {
	t.Helper()
	entries, _, err := e.db.ListAudit(t.Context(), e.tenant.ID, audit.Filter{Action: "ticket.effective_date", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestEffectiveDateRefusals: PATCH /api/v1/tickets/{number} refuses a
// missing or malformed date or reason (422), a closed ticket (409), an
// unknown ticket or another tenant's (404) and roles without edit_tickets
// (403), with problem+json, changing nothing; a change manager moves the
// date and the due time follows.
func TestEffectiveDateRefusals(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			w := newTicketWorld(t, e)
			tk := w.create(t, "Visa endpoint change", w.portal)
			path := "/api/v1/tickets/" + tk.Key()
			ok := map[string]any{"effective_date": "2027-01-15", "reason": "Visa postponed the cut-over."}
			for name, body := range map[string]any{
				"no date":       map[string]any{"reason": "Visa postponed the cut-over."},
				"no reason":     map[string]any{"effective_date": "2027-01-15"},
				"blank reason":  map[string]any{"effective_date": "2027-01-15", "reason": "  \n "},
				"not a date":    map[string]any{"effective_date": "2027-02-30", "reason": "x"},
				"another shape": map[string]any{"effective_date": "15/01/2027", "reason": "x"},
				"long reason":   map[string]any{"effective_date": "2027-01-15", "reason": strings.Repeat("a", 2001)},
				"unknown field": map[string]any{"effective_date": "2027-01-15", "reason": "x", "due_at": "2027-01-01T00:00:00Z"},
				"empty object":  map[string]any{},
			} {
				res := e.do(http.MethodPatch, path, w.cm, body)
				if res.Status != http.StatusUnprocessableEntity && !(name == "unknown field" && res.Status == http.StatusBadRequest) {
					t.Errorf("%s: %d %s", name, res.Status, res.Body)
				}
				wantProblem(t, res, res.Status)
			}
			res := e.do(http.MethodPatch, path, w.cm, map[string]any{"effective_date": "2027-02-30", "reason": ""})
			for _, field := range []string{`"body.effective_date"`, `"body.reason"`} {
				if !strings.Contains(string(res.Body), field) {
					t.Errorf("422 does not name %s: %s", field, res.Body)
				}
			}
			for _, role := range []auth.Role{auth.RoleViewer, auth.RoleOwner, auth.RoleProcurementAnalyst} {
				wantProblem(t, e.do(http.MethodPatch, path, e.newKey(e.tenant, role), ok), http.StatusForbidden)
			}
			wantProblem(t, e.do(http.MethodPatch, "/api/v1/tickets/VS-0999", w.cm, ok), http.StatusNotFound)
			wantProblem(t, e.do(http.MethodPatch, "/api/v1/tickets/not-a-ticket", w.cm, ok), http.StatusNotFound)
			_, keyB := e.newTenant("other")
			theirs := ticketWallFixture(e, keyB)
			if theirs != "VS-0001" {
				t.Fatalf("tenant B's first ticket is %s", theirs)
			}
			// Tenant A's VS-0002 does not exist; B's VS-0001 is never A's.
			wantProblem(t, e.do(http.MethodPatch, "/api/v1/tickets/VS-0002", w.cm, ok), http.StatusNotFound)
			res = e.do(http.MethodGet, "/api/v1/tickets/"+theirs, keyB, nil)
			if !strings.Contains(string(res.Body), `"effective_date":""`) && strings.Contains(string(res.Body), "2027-01-15") {
				t.Errorf("tenant B's ticket moved: %s", res.Body)
			}
			if n := dateMoves(t, e); n != 0 {
				t.Fatalf("%d moves recorded by refused requests", n)
			}
			if got, _ := w.tickets.Get(t.Context(), w.sys, tk.Number); got.EffectiveDate != "" || !got.DueAt.Equal(tk.DueAt) {
				t.Fatalf("a refused request moved the ticket: %+v", got)
			}

			// A change manager moves it: the due time is the end of the day.
			res = e.do(http.MethodPatch, path, w.cm, ok)
			wantStatus(t, res, http.StatusOK)
			var out struct {
				EffectiveDate string    `json:"effective_date"`
				DueAt         time.Time `json:"due_at"`
			}
			res.JSON(t, &out)
			want, _ := ticket.Date("2027-01-15").EndOf(time.UTC)
			if tk.DueAt.Before(want) {
				want = tk.DueAt // created + SLA comes first
			}
			if out.EffectiveDate != "2027-01-15" || !out.DueAt.Equal(want) {
				t.Fatalf("after the move: %+v, want due %v", out, want)
			}
			// Closed: 409.
			if _, err := w.tickets.Transition(t.Context(), e.admin.Principal(), tk.Number, ticket.Request{To: ticket.Closed,
				Override: true, Reason: "The vendor withdrew the notice by phone."}); err != nil {
				t.Fatal(err)
			}
			wantProblem(t, e.do(http.MethodPatch, path, w.cm, map[string]any{"effective_date": "2027-03-01", "reason": "Moved again."}),
				http.StatusConflict)
			if n := dateMoves(t, e); n != 1 {
				t.Fatalf("%d moves recorded, want 1", n)
			}
		})
	}
}

// TestEffectiveDateForm: the ticket page offers the form to change
// managers (not to viewers or owners), keeps the input and shows the
// errors of a bad submission, and after a good one shows the new dates
// and the timeline entry.
func TestEffectiveDateForm(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			w := newTicketWorld(t, e)
			// Created now with 14 days of SLA: a date a week out moves the due day.
			date := time.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly)
			tk := w.create(t, "Visa endpoint change", w.portal)
			path := "/tickets/" + tk.Key()
			viewer, cm := e.signIn(auth.RoleViewer), e.signIn(auth.RoleChangeManager)
			wantNot(t, viewer.get(t, path), "Change effective date", `name="effective_date"`)
			wantNot(t, w.ownerWithTeam.get(t, path), "Change effective date")
			wantStatus(t, viewer.post(t, path+"/effective-date", url.Values{"effective_date": {date}, "reason": {"x"}}), http.StatusForbidden)

			page := cm.get(t, path)
			wantBody(t, page, "Change effective date", `action="/tickets/`+tk.Key()+`/effective-date"`, `type="date" name="effective_date"`)
			bad := cm.post(t, path+"/effective-date", url.Values{"effective_date": {"2027-02-30"}, "reason": {"Visa wrote again."}})
			wantStatus(t, bad, http.StatusUnprocessableEntity)
			wantBody(t, bad, "must be a date such as 2027-04-20", `value="2027-02-30"`, ">Visa wrote again.</textarea>")
			noReason := cm.post(t, path+"/effective-date", url.Values{"effective_date": {date}})
			wantStatus(t, noReason, http.StatusUnprocessableEntity)
			wantBody(t, noReason, "is required: say why the date moves")

			done := followed(t, cm, cm.post(t, path+"/effective-date", url.Values{"effective_date": {date}, "reason": {"Visa moved the cut-over forward."}}))
			wantBody(t, done, "The effective date of "+tk.Key()+" is now "+date, "<dt>Effective date</dt><dd>"+date+"</dd>",
				date+" 23:59 UTC", "effective date</span>", "Effective date none → "+date+": Visa moved the cut-over forward.")
			if n := dateMoves(t, e); n != 1 {
				t.Fatalf("%d moves recorded, want 1", n)
			}
		})
	}
}
