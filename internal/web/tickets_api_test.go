package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// apiTicket is a ticket as the API returns it.
type apiTicket struct {
	Key              string `json:"key"`
	Number           int64  `json:"number"`
	Status           string `json:"status"`
	IsManualOverride bool   `json:"is_manual_override"`
	CloseReason      string `json:"close_reason"`
	Reasoning        string `json:"reasoning"`
	Decision         map[string]any
	VendorName       string `json:"vendor_name"`
	OwnerTeamName    string `json:"owner_team_name"`
	Applications     []struct {
		Name        string `json:"name"`
		UsesTracker bool   `json:"uses_tracker"`
		Progress    string `json:"progress"`
	} `json:"applications"`
	Events []struct {
		Kind  string   `json:"kind"`
		From  string   `json:"from"`
		To    string   `json:"to"`
		Flags []string `json:"flags"`
		Body  string   `json:"body"`
	} `json:"events"`
	AllowedTransitions []string `json:"allowed_transitions"`
	CanOverride        bool     `json:"can_override"`
}

// TestTicketTransitionMatrixAPI drives the lifecycle through HTTP as every
// role: 403 when the role may not, 409 when the state does not allow it,
// 422 for bad input.
func TestTicketTransitionMatrixAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			w := newTicketWorld(t, e)
			tk := w.create(t, "Visa endpoint change")
			path := "/api/v1/tickets/" + tk.Key() + "/transitions"
			move := func(key, to string, want int) {
				t.Helper()
				wantStatus(t, e.do(http.MethodPost, path, key, map[string]any{"to": to}), want)
			}
			steps := []struct {
				who, key, to string
				want         int
			}{
				{"viewer starts work", w.viewer, "in_progress", http.StatusForbidden},
				{"owner of no team starts work", w.stranger, "in_progress", http.StatusForbidden},
				{"change manager confirms an open ticket", w.cm, "closed", http.StatusConflict},
				{"nobody marks breached by hand", e.key, "breached", http.StatusForbidden},
				{"unknown state", w.cm, "done", http.StatusUnprocessableEntity},
			}
			for _, s := range steps {
				t.Run(s.who, func(t *testing.T) { move(s.key, s.to, s.want) })
			}
			res := w.ownerWithTeam.api(t, http.MethodPost, path, map[string]any{"to": "in_progress", "reason": "Starting"})
			wantStatus(t, res, http.StatusOK)
			var got apiTicket
			res.JSON(t, &got)
			if got.Status != "in_progress" || got.Key != tk.Key() {
				t.Errorf("after start: %+v", got)
			}
			move(w.cm, "resolved", http.StatusOK)
			move(w.cm, "closed", http.StatusForbidden) // the last transitioner cannot confirm
			wantStatus(t, w.ownerWithTeam.api(t, http.MethodPost, path, map[string]any{"to": "closed"}), http.StatusForbidden)
			move(w.viewer, "closed", http.StatusForbidden)
			move(w.cm2, "closed", http.StatusOK)
			move(e.key, "in_progress", http.StatusConflict) // closed is terminal

			// Manual override close.
			tk2 := w.create(t, "Visa certificate rotation")
			path2 := "/api/v1/tickets/" + tk2.Key() + "/transitions"
			short := e.do(http.MethodPost, path2, w.cm, map[string]any{"to": "closed", "override": true, "reason": "withdrawn"})
			wantProblem(t, short, http.StatusUnprocessableEntity)
			var p problemBody
			short.JSON(t, &p)
			if diff := cmp.Diff([]string{"body.reason"}, p.locations()); diff != "" {
				t.Errorf("problem locations (-want +got):\n%s", diff)
			}
			reason := "Vendor withdrew the change notice on the phone."
			wantProblem(t, e.do(http.MethodPost, path2, w.stranger, map[string]any{"to": "closed", "override": true, "reason": reason}), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodPost, path2, w.cm, `{"to": "closed", "override": "yes"}`), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodPost, path2, w.cm, `{"to": "closed", "colour": "red"}`), http.StatusUnprocessableEntity)
			res = e.do(http.MethodPost, path2, w.cm, map[string]any{"to": "closed", "override": true, "reason": reason})
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &got)
			if !got.IsManualOverride || got.CloseReason != reason || got.Status != "closed" {
				t.Errorf("override: %+v", got)
			}
			var detail apiTicket
			e.do(http.MethodGet, "/api/v1/tickets/"+tk2.Key(), w.viewer, nil).JSON(t, &detail)
			last := detail.Events[len(detail.Events)-1]
			if last.Kind != "transition" || last.To != "closed" || !cmp.Equal(last.Flags, []string{"manual_override"}) || last.Body != reason {
				t.Errorf("last event = %+v", last)
			}
		})
	}
}

func TestTicketReadAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			w := newTicketWorld(t, e)
			tk := w.create(t, "Visa endpoint change", w.portal, w.gwApp)
			w.create(t, "Visa TLS deprecation")

			var byKey, byNumber apiTicket
			res := e.do(http.MethodGet, "/api/v1/tickets/VS-0001", w.viewer, nil)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &byKey)
			e.do(http.MethodGet, "/api/v1/tickets/1", w.viewer, nil).JSON(t, &byNumber)
			if diff := cmp.Diff(byKey, byNumber); diff != "" {
				t.Errorf("VS-0001 and 1 differ:\n%s", diff)
			}
			if byKey.VendorName != "Visa" || byKey.OwnerTeamName != "Payments" || byKey.Reasoning == "" || byKey.Decision["vendor"] != "Visa" {
				t.Errorf("detail = %+v", byKey)
			}
			if len(byKey.Applications) != 2 || byKey.Applications[0].Name != "Card gateway" || !byKey.Applications[0].UsesTracker {
				t.Errorf("applications = %+v", byKey.Applications)
			}
			if len(byKey.Events) != 1 || byKey.Events[0].Kind != "created" {
				t.Errorf("events = %+v", byKey.Events)
			}
			if len(byKey.AllowedTransitions) != 0 || byKey.CanOverride {
				t.Errorf("a viewer may: %v %v", byKey.AllowedTransitions, byKey.CanOverride)
			}
			var asCM apiTicket
			e.do(http.MethodGet, "/api/v1/tickets/"+tk.Key(), w.cm, nil).JSON(t, &asCM)
			if !cmp.Equal(asCM.AllowedTransitions, []string{"in_progress"}) || !asCM.CanOverride {
				t.Errorf("a change manager may: %v %v", asCM.AllowedTransitions, asCM.CanOverride)
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/tickets/VS-0099", w.viewer, nil), http.StatusNotFound)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/tickets/banana", w.viewer, nil), http.StatusNotFound)
			// Another tenant's numbers name nothing here.
			_, keyB := e.newTenant("other")
			wantProblem(t, e.do(http.MethodGet, "/api/v1/tickets/VS-0001", keyB, nil), http.StatusNotFound)
			var pageB page[apiTicket]
			e.do(http.MethodGet, "/api/v1/tickets", keyB, nil).JSON(t, &pageB)
			if len(pageB.Items) != 0 {
				t.Errorf("tenant B lists %d tickets", len(pageB.Items))
			}

			list := func(query string) []string {
				t.Helper()
				res := e.do(http.MethodGet, "/api/v1/tickets"+query, w.viewer, nil)
				wantStatus(t, res, http.StatusOK)
				var pg page[apiTicket]
				res.JSON(t, &pg)
				var keys []string
				for _, it := range pg.Items {
					keys = append(keys, it.Key)
				}
				return keys
			}
			for query, want := range map[string][]string{
				"":                                   {"VS-0001", "VS-0002"},
				"?status=open&severity=critical":     {"VS-0001", "VS-0002"},
				"?status=closed":                     nil,
				"?vendor_id=" + w.visa.ID:            {"VS-0001", "VS-0002"},
				"?team=" + w.pay.ID:                  {"VS-0001", "VS-0002"},
				"?team=nobody":                       nil,
				"?q=tls":                             {"VS-0002"},
				"?q=VS-0001":                         {"VS-0001"},
				"?due_before=2000-01-01":             nil,
				"?due_before=2999-01-01":             {"VS-0001", "VS-0002"},
				"?due_before=2999-01-01T00:00:00Z":   {"VS-0001", "VS-0002"},
				"?limit=1&q=" + strings.ToLower("V"): {"VS-0001"},
			} {
				if diff := cmp.Diff(want, list(query)); diff != "" {
					t.Errorf("GET /api/v1/tickets%s (-want +got):\n%s", query, diff)
				}
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/tickets?due_before=soon", w.viewer, nil), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/tickets?status=done", w.viewer, nil), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/tickets?cursor=zzz", w.viewer, nil), http.StatusUnprocessableEntity)
		})
	}
}

func TestTicketNotesAndProgressAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			w := newTicketWorld(t, e)
			tk := w.create(t, "Visa endpoint change", w.portal)
			notes := "/api/v1/tickets/" + tk.Key() + "/notes"
			wantProblem(t, e.do(http.MethodPost, notes, w.viewer, map[string]any{"body": "hi"}), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodPost, notes, w.stranger, map[string]any{"body": "  "}), http.StatusUnprocessableEntity)
			wantStatus(t, e.do(http.MethodPost, notes, w.stranger, map[string]any{"body": "Vendor confirmed by phone."}), http.StatusCreated)

			progress := "/api/v1/tickets/" + tk.Key() + "/applications/" + w.portal.ID + "/progress"
			wantProblem(t, e.do(http.MethodPost, progress, w.viewer, map[string]any{"progress": "complete"}), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodPost, progress, w.stranger, map[string]any{"progress": "complete"}), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodPost, progress, w.cm, map[string]any{"progress": "finished"}), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/tickets/"+tk.Key()+"/applications/"+w.gwApp.ID+"/progress", w.cm,
				map[string]any{"progress": "complete"}), http.StatusNotFound)
			res := w.ownerWithTeam.api(t, http.MethodPost, progress, map[string]any{"progress": "complete"})
			wantStatus(t, res, http.StatusOK)
			var got apiTicket
			res.JSON(t, &got)
			if got.Status != "resolved" || got.Applications[0].Progress != "complete" {
				t.Errorf("after progress: %+v", got)
			}
			var detail apiTicket
			e.do(http.MethodGet, "/api/v1/tickets/"+tk.Key(), w.cm, nil).JSON(t, &detail)
			var kinds []string
			for _, ev := range detail.Events {
				kinds = append(kinds, ev.Kind+" "+ev.To)
			}
			want := []string{"created open", "note ", "progress ", "transition in_progress", "transition resolved"}
			if diff := cmp.Diff(want, kinds); diff != "" {
				t.Errorf("timeline (-want +got):\n%s", diff)
			}
			if !cmp.Equal(detail.AllowedTransitions, []string{"closed"}) {
				t.Errorf("a change manager may now: %v", detail.AllowedTransitions)
			}
			// Tracker applications are not marked by hand.
			tk2 := w.create(t, "Gateway change", w.gwApp)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/tickets/"+tk2.Key()+"/applications/"+w.gwApp.ID+"/progress", w.cm,
				map[string]any{"progress": "complete"}), http.StatusConflict)
		})
	}
}
