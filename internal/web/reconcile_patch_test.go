package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestPatchMappingAndException: the seed's PATCH routes change a mapping
// (another ERP item or unit, scored again, audited, read by the next run)
// and an exception (assignee, status, note as the actions they stand
// for, all or nothing), and its action log pages; bad input answers 422
// naming the field, and the permission matrix holds.
func TestPatchMappingAndException(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			analyst := e.newKey(e.tenant, auth.RoleProcurementAnalyst)
			viewer := e.newKey(e.tenant, auth.RoleViewer)
			contractID, _ := reconciledContract(e, e.key)
			price := firstException(e, e.key, contractID, "PRICE_MISMATCH")

			// The mapping A-1 → BOLT-1 (1.40) is moved to BOLT-2 (1.50, also sold by the box of 10).
			var maps struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			}
			e.do(http.MethodGet, "/api/v1/item-mappings?q=A-1", e.key, nil).JSON(t, &maps)
			if len(maps.Items) != 1 {
				t.Fatalf("mappings: %+v", maps)
			}
			mapping := "/api/v1/item-mappings/" + maps.Items[0].ID
			conn := created(e, e.key, "/api/v1/erp-connectors", map[string]any{"name": "Second catalog", "provider": "csv"})
			wantStatus(t, e.postCSV(e.key, "/api/v1/erp-connectors/"+conn+"/catalog",
				"item_number,description,uom,price,alt_uom,factor\nBOLT-2,Bolt zinc,EA,1.50,BX,10\n"), http.StatusOK)
			var items struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			}
			e.do(http.MethodGet, "/api/v1/erp-items?q=BOLT-2", e.key, nil).JSON(t, &items)
			if len(items.Items) != 1 {
				t.Fatalf("BOLT-2: %+v", items)
			}
			bolt2 := items.Items[0].ID

			for _, c := range []struct {
				body  map[string]any
				field string
			}{
				{map[string]any{}, "erp_item_id"},
				{map[string]any{"erp_item_id": "no-such-item"}, "erp_item_id"},
				{map[string]any{"erp_item_id": nil}, "erp_item_id"},
				{map[string]any{"erp_item_id": bolt2, "erp_uom": "CS"}, "erp_uom"},
				{map[string]any{"erp_uom": ""}, "erp_uom"},
			} {
				res := e.do(http.MethodPatch, mapping, e.key, c.body)
				wantProblem(t, res, http.StatusUnprocessableEntity)
				if !strings.Contains(string(res.Body), `"location":"body.`+c.field+`"`) && !strings.Contains(string(res.Body), `"`+c.field+`"`) {
					t.Errorf("PATCH mapping %v: the problem does not name %s: %s", c.body, c.field, res.Body)
				}
			}
			wantProblem(t, e.do(http.MethodPatch, mapping, viewer, map[string]any{"erp_item_id": bolt2}), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodPatch, "/api/v1/item-mappings/nope", e.key, map[string]any{"erp_item_id": bolt2}), http.StatusNotFound)
			res := e.do(http.MethodPatch, mapping, analyst, map[string]any{"erp_item_id": bolt2})
			wantStatus(t, res, http.StatusOK)
			for _, want := range []string{`"id":"` + maps.Items[0].ID + `"`, `"erp_item_number":"BOLT-2"`, `"erp_uom":"EA"`, `"method":"manual"`} {
				if !strings.Contains(string(res.Body), want) {
					t.Errorf("changed mapping lacks %s: %s", want, res.Body)
				}
			}
			res = e.do(http.MethodPatch, mapping, analyst, map[string]any{"erp_uom": "bx"})
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"erp_uom":"BX"`) || !strings.Contains(string(res.Body), `"erp_item_number":"BOLT-2"`) {
				t.Errorf("unit change: %s", res.Body)
			}
			wantStatus(t, e.do(http.MethodPatch, mapping, analyst, map[string]any{"erp_uom": "EA"}), http.StatusOK)
			entries, _, err := e.db.ListAudit(t.Context(), e.tenant.ID, audit.Filter{EntityType: "item_mapping"})
			if err != nil {
				t.Fatal(err)
			}
			updates := 0
			for _, en := range entries {
				if en.Action == "item_mapping.update" && en.EntityID == maps.Items[0].ID && strings.Contains(en.After, "BOLT-2") {
					updates++
				}
			}
			if updates != 3 {
				t.Errorf("audit log has %d item_mapping.update entries of the mapping, want 3", updates)
			}
			// The next run reads the new mapping: 1.50 against 1.50 clears the price exception.
			rerun(e, e.key, contractID)
			res = e.do(http.MethodGet, "/api/v1/exceptions/"+price, e.key, nil)
			if !strings.Contains(string(res.Body), `"action_type":"cleared"`) {
				t.Errorf("the run after the change did not clear the price exception: %s", res.Body)
			}

			// PATCH an exception: assign, resolve with a note, in one go.
			missing := firstException(e, e.key, contractID, "MISSING_MAPPING")
			exc := "/api/v1/exceptions/" + missing
			for _, c := range []struct {
				body  map[string]any
				field string
			}{
				{map[string]any{}, "status"},
				{map[string]any{"status": "open"}, "status"},
				{map[string]any{"status": "closed", "note": "done"}, "status"},
				{map[string]any{"status": "overridden", "note": "too short"}, "note"},
				{map[string]any{"assigned_to": "no-such-user"}, "assigned_to"},
			} {
				res := e.do(http.MethodPatch, exc, e.key, c.body)
				wantProblem(t, res, http.StatusUnprocessableEntity)
				if !strings.Contains(string(res.Body), c.field) {
					t.Errorf("PATCH exception %v: the problem does not name %s: %s", c.body, c.field, res.Body)
				}
			}
			// POST …/actions names the assignee assigned_to as well; its
			// former name assign_to is still read, and a problem names
			// the field as the client spelled it.
			act := exc + "/actions"
			for _, c := range []struct {
				body  map[string]any
				field string
			}{
				{map[string]any{"action_type": "assign", "assigned_to": "no-such-user"}, "body.assigned_to"},
				{map[string]any{"action_type": "assign", "assign_to": "no-such-user"}, "body.assign_to"},
				{map[string]any{"action_type": "assign", "assigned_to": e.admin.ID, "assign_to": e.admin.ID}, "body.assign_to"},
			} {
				res := e.do(http.MethodPost, act, e.key, c.body)
				wantProblem(t, res, http.StatusUnprocessableEntity)
				var p struct {
					Errors []struct{ Location string }
				}
				res.JSON(t, &p)
				if len(p.Errors) != 1 || p.Errors[0].Location != c.field {
					t.Errorf("POST actions %v: the problem names %+v, want %s: %s", c.body, p.Errors, c.field, res.Body)
				}
			}
			for _, name := range []string{"assigned_to", "assign_to"} {
				res := e.do(http.MethodPost, act, analyst, map[string]any{"action_type": "assign", name: e.admin.ID})
				wantStatus(t, res, http.StatusOK)
				if !strings.Contains(string(res.Body), `"assigned_to":"`+e.admin.ID+`"`) {
					t.Errorf("assign with %s: %s", name, res.Body)
				}
				wantStatus(t, e.do(http.MethodPost, act, analyst, map[string]any{"action_type": "assign", name: ""}), http.StatusOK)
			}
			wantProblem(t, e.do(http.MethodPatch, exc, viewer, map[string]any{"note": "Looks off."}), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodPatch, exc, analyst, map[string]any{"status": "overridden",
				"note": "The vendor's price includes freight this year."}), http.StatusForbidden)
			wantStatus(t, e.do(http.MethodPatch, exc, analyst, map[string]any{"note": "Asked the vendor."}), http.StatusOK)
			res = e.do(http.MethodPatch, exc, analyst, map[string]any{"assigned_to": e.admin.ID, "status": "resolved", "note": "Item added to P21."})
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"status":"resolved"`) || !strings.Contains(string(res.Body), `"assigned_to":"`+e.admin.ID+`"`) {
				t.Errorf("after PATCH: %s", res.Body)
			}
			// All or nothing: unassigning and resolving again is refused whole.
			wantProblem(t, e.do(http.MethodPatch, exc, analyst, map[string]any{"assigned_to": nil, "status": "resolved"}), http.StatusConflict)
			res = e.do(http.MethodGet, "/api/v1/exceptions/"+missing, viewer, nil)
			if !strings.Contains(string(res.Body), `"assigned_to":"`+e.admin.ID+`"`) {
				t.Errorf("a refused PATCH changed the assignee: %s", res.Body)
			}

			// The action log, a page at a time, oldest first.
			var got []string
			cursor := ""
			for range 10 {
				var page struct {
					Items []struct {
						Type string `json:"action_type"`
						Note string `json:"note"`
					} `json:"items"`
					Next string `json:"next_cursor"`
				}
				res := e.do(http.MethodGet, exc+"/actions?limit=1&cursor="+cursor, viewer, nil)
				wantStatus(t, res, http.StatusOK)
				res.JSON(t, &page)
				for _, a := range page.Items {
					got = append(got, a.Type+":"+a.Note)
				}
				if cursor = page.Next; cursor == "" {
					break
				}
			}
			want := []string{"assign:", "assign:", "assign:", "assign:", "comment:Asked the vendor.", "assign:", "resolve:Item added to P21."}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("action log pages = %q, want %q", got, want)
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/exceptions/nope/actions", e.key, nil), http.StatusNotFound)
			wantProblem(t, e.do(http.MethodGet, exc+"/actions?cursor=garbage", e.key, nil), http.StatusUnprocessableEntity)
		})
	}
}
