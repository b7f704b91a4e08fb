package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// emailJSON is the part of an email answer the tests read.
type emailJSON struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	MessageID   string   `json:"message_id"`
	TicketKey   string   `json:"ticket_key"`
	DuplicateOf string   `json:"duplicate_of"`
	TextBody    string   `json:"text_body"`
	Reason      string   `json:"reason"`
	ParseErrors []string `json:"parse_errors"`
	Decision    struct {
		Reasoning string `json:"reasoning"`
		Severity  string `json:"severity"`
		Overrides []any  `json:"overrides"`
	} `json:"decision"`
	From struct {
		Address string `json:"address"`
	} `json:"from"`
}

func TestEmailAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			e.loadDemoRegistry(t)
			cm, viewer := e.newKey(e.tenant, auth.RoleChangeManager), e.newKey(e.tenant, auth.RoleViewer)
			visa := demoEmail(t, "01_visa_endpoint.eml")

			res := e.uploadEmail(cm, "message/rfc822", visa)
			wantStatus(t, res, http.StatusAccepted)
			var up emailJSON
			res.JSON(t, &up)
			if up.ID == "" || up.Status != "received" || up.MessageID != "demo-01-visa-endpoint@notices.visa.com" {
				t.Fatalf("upload answer = %+v", up)
			}
			res = e.uploadEmail(cm, "message/rfc822; charset=utf-8", visa)
			wantStatus(t, res, http.StatusAccepted)
			var dup emailJSON
			res.JSON(t, &dup)
			if dup.Status != "duplicate" || dup.ID == up.ID {
				t.Errorf("second upload = %+v", dup)
			}
			wantProblem(t, e.uploadEmail(cm, "application/json", visa), http.StatusUnsupportedMediaType)
			wantProblem(t, e.uploadEmail(cm, "message/rfc822", nil), http.StatusUnprocessableEntity)
			wantProblem(t, e.uploadEmail(cm, "message/rfc822", []byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f")), http.StatusUnprocessableEntity)
			wantProblem(t, e.uploadEmail(viewer, "message/rfc822", visa), http.StatusForbidden)
			wantProblem(t, e.uploadEmail(cm, "message/rfc822", bytes.Repeat([]byte("x"), 27<<20)), http.StatusRequestEntityTooLarge)

			wantStatus(t, e.uploadEmail(cm, "message/rfc822", demoEmail(t, "10_unknown_logistics.eml")), http.StatusAccepted)
			e.process(t)

			var page struct {
				Items []emailJSON `json:"items"`
			}
			res = e.do(http.MethodGet, "/api/v1/emails?status=triaged", viewer, nil)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].ID != up.ID || page.Items[0].TicketKey != "VS-0001" || page.Items[0].TextBody != "" {
				t.Fatalf("triaged emails = %+v", page.Items)
			}
			res = e.do(http.MethodGet, "/api/v1/emails?q=shipfast", viewer, nil)
			res.JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].Status != "unknown" || !strings.Contains(page.Items[0].Reason, "no vendor") {
				t.Fatalf("search = %+v", page.Items)
			}
			unknown := page.Items[0].ID
			wantProblem(t, e.do(http.MethodGet, "/api/v1/emails?status=lost", viewer, nil), http.StatusUnprocessableEntity)
			res = e.do(http.MethodGet, "/api/v1/emails?limit=2", viewer, nil)
			var first struct {
				Items      []emailJSON `json:"items"`
				NextCursor string      `json:"next_cursor"`
			}
			res.JSON(t, &first)
			if len(first.Items) != 2 || first.NextCursor == "" {
				t.Errorf("first page = %d items, cursor %q", len(first.Items), first.NextCursor)
			}

			res = e.do(http.MethodGet, "/api/v1/emails/"+up.ID, viewer, nil)
			wantStatus(t, res, http.StatusOK)
			var got emailJSON
			res.JSON(t, &got)
			if got.Status != "triaged" || got.TicketKey != "VS-0001" || got.Decision.Severity != "critical" ||
				!strings.Contains(got.Decision.Reasoning, "sender domain visa.com") || !strings.Contains(got.TextBody, "auth.api.visa.com") ||
				got.From.Address != "developer-notices@visa.com" {
				t.Errorf("email = %+v", got)
			}
			res = e.do(http.MethodGet, "/api/v1/emails/"+up.ID+"/raw", viewer, nil)
			wantStatus(t, res, http.StatusOK)
			if !bytes.Equal(res.Body, visa) || res.Header.Get("Content-Type") != "message/rfc822" {
				t.Errorf("raw = %s (%d bytes), want the upload (%d bytes)", res.Header.Get("Content-Type"), len(res.Body), len(visa))
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/emails/"+missingID, viewer, nil), http.StatusNotFound)

			// Classify the unknown email once its vendor is in the registry.
			vendor := created(e, cm, "/api/v1/vendors", map[string]any{"name": "ShipFast", "tier": "tier_3",
				"email_domains": []string{"shipfast-logistics.example"}})
			body := map[string]any{"vendor_id": vendor, "severity": "high", "effective_date": "2031-02-01", "save_as_rule": true}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/emails/"+unknown+"/classify", viewer, body), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/emails/"+unknown+"/classify", cm, map[string]any{"vendor": vendor}), http.StatusUnprocessableEntity)
			bad := e.do(http.MethodPost, "/api/v1/emails/"+unknown+"/classify", cm, map[string]any{"vendor_id": vendor, "severity": "urgent"})
			wantProblem(t, bad, http.StatusUnprocessableEntity)
			if !strings.Contains(string(bad.Body), "body.severity") {
				t.Errorf("bad severity answer names no field: %s", bad.Body)
			}
			res = e.do(http.MethodPost, "/api/v1/emails/"+unknown+"/classify", cm, body)
			wantStatus(t, res, http.StatusOK)
			var cl struct {
				TicketKey string    `json:"ticket_key"`
				RuleID    string    `json:"rule_id"`
				Email     emailJSON `json:"email"`
			}
			res.JSON(t, &cl)
			if cl.TicketKey != "VS-0002" || cl.RuleID == "" || cl.Email.Status != "triaged" || cl.Email.TicketKey != "VS-0002" {
				t.Errorf("classified = %+v", cl)
			}
			wantStatus(t, e.do(http.MethodGet, "/api/v1/rules/"+cl.RuleID, viewer, nil), http.StatusOK)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/emails/"+unknown+"/classify", cm, body), http.StatusConflict)
		})
	}
}
