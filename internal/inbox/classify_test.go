package inbox_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// fieldsOf lists the fields an error names.
func fieldsOf(err error) []string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return out
}

func TestClassify(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		unknown := w.process(t, w.receive(t, demo(t, "10_unknown_logistics.eml")))
		if unknown.Status != inbox.Unknown {
			t.Fatalf("setup: %s", unknown.Status)
		}
		shipfast, err := w.registry.CreateVendor(ctx, w.admin, registry.Vendor{Name: "ShipFast", Tier: registry.Tier3,
			EmailDomains: []string{"shipfast-logistics.example"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("bad input is refused with its fields and changes nothing", func(t *testing.T) {
			_, err := w.svc.Classify(ctx, w.admin, unknown.ID, inbox.Classification{Severity: "urgent", SLADays: -2, EffectiveDate: "soon"})
			if diff := cmp.Diff([]string{"vendor_id", "sla_days"}, fieldsOf(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			_, err = w.svc.Classify(ctx, w.admin, unknown.ID, inbox.Classification{VendorID: shipfast.ID, Severity: "urgent",
				EffectiveDate: "soon", ApplicationIDs: []string{"ghost"}})
			if diff := cmp.Diff([]string{"effective_date", "severity"}, fieldsOf(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			_, err = w.svc.Classify(ctx, w.admin, unknown.ID, inbox.Classification{VendorID: shipfast.ID, Severity: registry.SeverityLow,
				ApplicationIDs: []string{"ghost"}, OwnerTeamID: "ghost-team"})
			if diff := cmp.Diff([]string{"owner_team_id", "application_ids"}, fieldsOf(err)); diff != "" {
				t.Errorf("reference fields (-want +got):\n%s", diff)
			}
			if got, _ := w.svc.Get(ctx, w.admin, unknown.ID); got.Status != inbox.Unknown {
				t.Errorf("a refused classification moved the email to %s", got.Status)
			}
		})
		t.Run("viewers and other tenants cannot", func(t *testing.T) {
			viewer := w.admin
			viewer.Role = auth.RoleViewer
			if _, err := w.svc.Classify(ctx, viewer, unknown.ID, inbox.Classification{}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("viewer: %v", err)
			}
			other := auth.System("another-tenant")
			if _, err := w.svc.Classify(ctx, other, unknown.ID, inbox.Classification{}); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("other tenant: %v", err)
			}
		})
		var rule *registry.Rule
		t.Run("classifying opens the ticket and saves a rule", func(t *testing.T) {
			res, err := w.svc.Classify(ctx, w.admin, unknown.ID, inbox.Classification{VendorID: shipfast.ID,
				ApplicationIDs: []string{w.appID("CustomerNotifications")}, Severity: registry.SeverityHigh,
				EffectiveDate: "2031-01-15", SaveAsRule: true})
			if err != nil {
				t.Fatal(err)
			}
			tk, e := res.Ticket, res.Email
			got := []any{e.Status, e.DecisionSource, e.TicketID, tk.EmailID, tk.SLADays, string(tk.EffectiveDate), tk.Severity}
			want := []any{inbox.Triaged, inbox.SourceManual, tk.ID, e.ID, 60, "2031-01-15", registry.SeverityHigh}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("email and ticket (-want +got):\n%s", diff)
			}
			if tk.OwnerTeamID == "" || tk.Topic != unknown.Subject {
				t.Errorf("defaults not filled: team %q, topic %q", tk.OwnerTeamID, tk.Topic)
			}
			// The same extractive summary as the offline triage's.
			if !strings.HasPrefix(tk.Summary, "The ShipFast shipment tracking API v1 will be shut down on ") ||
				!strings.HasSuffix(tk.Summary, "which requires OAuth 2.0 client credentials instead of static API keys.") ||
				contains(tk.Summary, "Hello partner") || contains(tk.Summary, "Partner Integrations") {
				t.Errorf("summary = %q", tk.Summary)
			}
			if rule = res.Rule; rule == nil || rule.VendorID != shipfast.ID || rule.Severity != registry.SeverityHigh ||
				!contains(rule.Text, "CustomerNotifications") || !contains(rule.Name, "ShipFast") {
				t.Fatalf("rule = %+v", rule)
			}
			if diff := cmp.Diff([]string{rule.ID}, tk.MatchedRuleIDs); diff != "" {
				t.Errorf("matched rules (-want +got):\n%s", diff)
			}
			rows, _, err := db.ListAudit(ctx, w.tenant.ID, audit.Filter{Action: "email.classify", EntityID: e.ID})
			if err != nil || len(rows) != 1 || rows[0].ActorLabel != "admin@acme.test" || !contains(rows[0].Before, `"status":"unknown"`) {
				t.Errorf("classify audit = %+v, %v", rows, err)
			}
		})
		t.Run("a classified email cannot be classified again", func(t *testing.T) {
			_, err := w.svc.Classify(ctx, w.admin, unknown.ID, inbox.Classification{VendorID: shipfast.ID, Severity: registry.SeverityLow})
			if !apperr.Is(err, apperr.Conflict) {
				t.Errorf("err = %v, want conflict", err)
			}
		})
		t.Run("the next such email is triaged automatically", func(t *testing.T) {
			raw := bytes.Replace(demo(t, "10_unknown_logistics.eml"), []byte("<demo-10-shipfast@"), []byte("<demo-10-again@"), 1)
			e := w.process(t, w.receive(t, raw))
			if e.Status != inbox.Triaged || w.ticketOf(t, e).VendorID != shipfast.ID {
				t.Errorf("second ShipFast email = %s", e.Status)
			}
		})
		t.Run("an informational email can be promoted; a taken rule name is a field error", func(t *testing.T) {
			info := w.process(t, w.receive(t, demo(t, "12_zendesk_newsletter.eml")))
			in := inbox.Classification{VendorID: w.vendorID("Zendesk"), Severity: registry.SeverityLow, SaveAsRule: true, RuleName: rule.Name}
			if _, err := w.svc.Classify(ctx, w.admin, info.ID, in); !cmp.Equal([]string{"rule_name"}, fieldsOf(err)) {
				t.Errorf("taken rule name: %v", err)
			}
			in.SaveAsRule = false
			res, err := w.svc.Classify(ctx, w.admin, info.ID, in)
			if err != nil || res.Email.Status != inbox.Triaged || res.Rule != nil || res.Ticket.SLADays != 60 {
				t.Errorf("promotion = %+v, %v", res, err)
			}
		})
	})
}
