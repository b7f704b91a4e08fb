package triage

import (
	"context"
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// productRegistry is a ferry operator's registry: one processor with two
// products, each used by one in-house application that others depend on.
func productRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-talvo", Name: "Talvo Payments", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"talvo.example"}, Aliases: []string{"Talvo", "Talvo Acquirer API", "Talvo Checkout API"}}},
		Applications: []registry.Application{
			{ID: "app-auth", Name: "FareAuth", IsActive: true, IsCritical: true, VendorIDs: []string{"v-talvo"},
				Description: "In-house authorisation service for ticket cards. Every card authorisation reaches FareAuth over the Talvo Acquirer API with a client certificate."},
			{ID: "app-pay", Name: "PayDock", IsActive: true, IsCritical: true, VendorIDs: []string{"v-talvo"},
				Description: "Payment page where passengers pay fines with a card. Card payments are captured through the Talvo Checkout API with a secret key."},
			{ID: "app-gates", Name: "GateLine", IsActive: true, IsCritical: true, VendorIDs: []string{},
				Description: "Ticket gates at 9 piers. Boarding with a ticket card is authorised through FareAuth."},
			{ID: "app-web", Name: "FerryWeb", IsActive: true, IsCritical: true, VendorIDs: []string{},
				Description: "Passenger website. Fines paid with a card issued by another bank go through PayDock."},
			{ID: "app-ledger", Name: "FareLedger", IsActive: true, VendorIDs: []string{},
				Description: "Revenue accounting. Settled card authorisations arrive every night from FareAuth."},
		},
		Rules: []registry.Rule{{ID: "rule-talvo", Name: "Card acceptance", Severity: registry.SeverityCritical, VendorID: "v-talvo", IsActive: true,
			Text: "Talvo changes to the Acquirer API, the Checkout API, client certificates or keys are critical: every card authorisation through FareAuth and every fine paid through PayDock depends on them."}},
	}
}

// TestProductReach: a change to one of a vendor's products reaches the
// application that uses that product and the applications whose payments
// or authorisations go through it, not the application a rule lists for
// another product of the vendor, nor one that only receives data.
func TestProductReach(t *testing.T) {
	snap := productRegistry()
	cases := []struct {
		name, subject, body string
		want, not           []string
	}{
		{"a client certificate of one API", "Talvo Acquirer API: new client certificate required",
			"From June 30, 2027 the Talvo Acquirer API will reject connections that present a client certificate issued before 2026. Authorisation requests over those connections will be declined. Action required: install the new client certificate.",
			[]string{"app-auth", "app-gates"}, []string{"app-pay", "app-web", "app-ledger"}},
		{"versions of the other API", "Talvo Checkout API: versions before 2025 will be retired",
			"Checkout API versions released before 2025 will be retired on June 30, 2027; calls that pin them will be rejected. Upgrade your integration to a current version.",
			[]string{"app-pay", "app-web"}, []string{"app-auth", "app-gates", "app-ledger"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := Email{MessageID: "p@talvo.example", FromAddress: "notices@talvo.example", Date: testNow, Subject: c.subject, Body: c.body}
			d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range c.want {
				if !slices.Contains(d.AffectedApplicationIDs, id) {
					t.Errorf("%s not reached: %v\n%s", id, d.AffectedApplicationIDs, d.Reasoning)
				}
			}
			for _, id := range c.not {
				if slices.Contains(d.AffectedApplicationIDs, id) {
					t.Errorf("%s reached: %v\n%s", id, d.AffectedApplicationIDs, d.Reasoning)
				}
			}
		})
	}
}
