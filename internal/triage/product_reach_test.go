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
	cases := []reachCase{
		{"a client certificate of one API", "Talvo Acquirer API: new client certificate required",
			"From June 30, 2027 the Talvo Acquirer API will reject connections that present a client certificate issued before 2026. Authorisation requests over those connections will be declined. Action required: install the new client certificate.",
			[]string{"app-auth", "app-gates"}, []string{"app-pay", "app-web", "app-ledger"}},
		{"versions of the other API", "Talvo Checkout API: versions before 2025 will be retired",
			"Checkout API versions released before 2025 will be retired on June 30, 2027; calls that pin them will be rejected. Upgrade your integration to a current version.",
			[]string{"app-pay", "app-web"}, []string{"app-auth", "app-gates", "app-ledger"}},
	}
	checkReach(t, snap, "notices@talvo.example", cases)
}

// reachCase is an email and the applications it must and must not reach.
type reachCase struct {
	name, subject, body string
	want, not           []string
}

// checkReach decides each case's email from the sender and checks the
// applications it reaches.
func checkReach(t *testing.T, snap registry.Snapshot, from string, cases []reachCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := Email{MessageID: "r@" + from, FromAddress: from, Date: testNow, Subject: c.subject, Body: c.body}
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

// TestProductReachOnModelPath: the guardrails add the applications whose
// card authorisations go through one the model chose, and only those.
func TestProductReachOnModelPath(t *testing.T) {
	agent, _ := openAIAgent(t, modelAnswer(t, map[string]any{"vendor_id": "v-talvo", "affected_application_ids": []string{"app-auth"},
		"matched_rule_ids": []string{}, "owner_team": "", "alert_channel": ""}))
	e := Email{MessageID: "m@talvo.example", FromAddress: "notices@talvo.example", Date: testNow,
		Subject: "Talvo Acquirer API: new client certificate required",
		Body:    "From June 30, 2027 authorisation requests from connections with a client certificate issued before 2026 will be declined."}
	d, err := agent.Decide(context.Background(), e, productRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.AffectedApplicationIDs, "app-gates") || slices.Contains(d.AffectedApplicationIDs, "app-ledger") {
		t.Errorf("got %v, want GateLine added and not FareLedger\n%v", d.AffectedApplicationIDs, d.Overrides)
	}
}

// tenantRegistry is a port authority's registry: staff and customer
// tenants at one identity provider, and applications that sign in
// through each.
func tenantRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-idp", Name: "Keyvale", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"keyvale.example"}, Aliases: []string{"Keyvale Staff", "Keyvale Customer"}}},
		Applications: []registry.Application{
			{ID: "app-staff", Name: "CrewSSO", IsActive: true, VendorIDs: []string{"v-idp"},
				Description: "Staff single sign-on on Keyvale Staff (tenant harbour.keyvale.example) with SAML 2.0 and OpenID Connect."},
			{ID: "app-cust", Name: "ShipperID", IsActive: true, VendorIDs: []string{"v-idp"},
				Description: "Shipper sign-in on Keyvale Customer (tenant harbour-shippers.keyvale.example) with passwords and passkeys."},
			{ID: "app-booking", Name: "BerthBook", IsActive: true, VendorIDs: []string{"v-idp"},
				Description: "Berth booking website for shipping lines. Shippers sign in with ShipperID."},
			{ID: "app-yard", Name: "YardDesk", IsActive: true, VendorIDs: []string{"v-cranes"},
				Description: "Container yard planning. Planners sign in with CrewSSO through SAML."},
			{ID: "app-gate", Name: "GateCam", IsActive: true, VendorIDs: []string{"v-cams"},
				Description: "Gate cameras. Operators sign in to the camera console with CrewSSO through OpenID Connect."},
			{ID: "app-tally", Name: "TallyBook", IsActive: true, VendorIDs: []string{},
				Description: "Tally reports. Sign-in events are exported from CrewSSO every night."},
		},
	}
}

// TestTenantReach: mail about one tenant at the identity provider reaches
// the applications that sign in through that tenant, directly or through
// another application, not those of the other tenant; a change to the
// SAML signing certificate does not reach what signs in over OpenID
// Connect, nor what only receives an export.
func TestTenantReach(t *testing.T) {
	snap := tenantRegistry()
	cases := []reachCase{
		{"an incident at the customer tenant", "Keyvale security incident: rotate client secrets",
			"During a security incident, client secrets and API tokens of the tenant harbour-shippers.keyvale.example were exposed. Rotate them within 14 days; after that we will revoke them and sign-ins that use them will fail.",
			[]string{"app-cust", "app-booking"}, []string{"app-staff", "app-yard", "app-gate", "app-tally"}},
		{"the SAML signing certificate of the staff tenant", "Keyvale: SAML signing certificate rotation",
			"The SAML signing certificate of your tenant harbour.keyvale.example will be rotated on June 30, 2027. Service providers that trust only the current certificate will reject the assertions. OpenID Connect applications are not affected.",
			[]string{"app-staff", "app-yard"}, []string{"app-cust", "app-booking", "app-gate", "app-tally"}},
	}
	checkReach(t, snap, "security@keyvale.example", cases)
}

// TestNewsletterActionItemReach: a newsletter that also retires an API
// reaches the applications that use the API, not those of the products
// its other items are about.
func TestNewsletterActionItemReach(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-kestrel", Name: "Kestrel", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"kestrel.example"}, Aliases: []string{"Kestrel Web Banking", "Kestrel Deposit API"}}},
		Applications: []registry.Application{
			{ID: "app-web", Name: "WebBank", IsActive: true, VendorIDs: []string{"v-kestrel"},
				Description: "Kestrel Web Banking for savers at web.example.org: balances, transfers and statements."},
			{ID: "app-app", Name: "SaverApp", IsActive: true, VendorIDs: []string{"v-kestrel"},
				Description: "The savers' phone app; cheque deposits are sent through the Kestrel Deposit API."},
		},
	}
	checkReach(t, snap, "news@kestrel.example", []reachCase{{"newsletter with an API retirement", "Kestrel Quarterly: statements and a Deposit API change",
		"Here is what's new in Kestrel Web Banking this quarter.\n\nStatements. Savers can now download statements as PDF, with no configuration needed.\n\n" +
			"ACTION REQUIRED: Deposit API v1 will be retired on June 30, 2027. Deposits sent to v1 after that are refused; move to v2.\n\n" +
			"Our client conference takes place on May 4, 2027. Register now. Unsubscribe.",
		[]string{"app-app"}, []string{"app-web"}}})
}

// exchangeRegistry is a wholesaler's registry: an EDI translator on a
// network provider, one application that exchanges its messages through
// the translator and one that only sends it data.
func exchangeRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-net", Name: "Parvane", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"parvane.example"}, Aliases: []string{"Parvane Network"}}},
		Applications: []registry.Application{
			{ID: "app-edi", Name: "TradeBridge", IsActive: true, VendorIDs: []string{"v-net"},
				Description: "EDI translator that exchanges orders and invoices with 40 retailers through the Parvane Network over AS2."},
			{ID: "app-replen", Name: "RestockPlan", IsActive: true, VendorIDs: []string{"v-net"},
				Description: "Replenishment planning for 6 retailers, exchanging stock reports through the Parvane Network via TradeBridge."},
			{ID: "app-stock", Name: "BinTrack", IsActive: true, VendorIDs: []string{},
				Description: "Warehouse stock. Shipment confirmations are sent to TradeBridge every hour."},
		},
	}
}

// TestExchangeReach: a change to the network reaches the applications
// that exchange their messages through the translator it reaches, on the
// offline path and on the model's, not one that only sends it data.
func TestExchangeReach(t *testing.T) {
	snap := exchangeRegistry()
	subject, body := "Parvane Network: new AS2 certificate on June 30, 2027",
		"From June 30, 2027 we sign every message with a new AS2 certificate. Messages will fail verification at stations that only trust the old one; TradeBridge must install it."
	checkReach(t, snap, "noc@parvane.example", []reachCase{{"offline", subject, body,
		[]string{"app-edi", "app-replen"}, []string{"app-stock"}}})
	agent, _ := openAIAgent(t, modelAnswer(t, map[string]any{"vendor_id": "v-net", "affected_application_ids": []string{"app-edi"},
		"matched_rule_ids": []string{}, "owner_team": "", "alert_channel": ""}))
	d, err := agent.Decide(context.Background(), Email{MessageID: "x@parvane.example", FromAddress: "noc@parvane.example",
		Date: testNow, Subject: subject, Body: body}, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.AffectedApplicationIDs, "app-replen") || slices.Contains(d.AffectedApplicationIDs, "app-stock") {
		t.Errorf("model path: got %v, want RestockPlan added and not BinTrack\n%v", d.AffectedApplicationIDs, d.Overrides)
	}
}

// TestInformationalRuleOnBreakingChange: the rule that says which mail is
// informational does not apply to a breaking change that shares its
// words, and still applies to a maintenance notice.
func TestInformationalRuleOnBreakingChange(t *testing.T) {
	snap := exchangeRegistry()
	snap.Rules = []registry.Rule{{ID: "rule-info", Name: "Notices", Severity: registry.SeverityLow, IsActive: true, OwnerTeamID: "team-vendors",
		Text: "Newsletters, webinars, surveys and maintenance notices that need no action are informational: low severity."}}
	decide := func(subject, body string) Decision {
		t.Helper()
		d, err := (&Agent{}).Decide(context.Background(), Email{MessageID: "n@parvane.example", FromAddress: "noc@parvane.example",
			Date: testNow, Subject: subject, Body: body}, snap, testSettings())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := decide("Parvane Network: legacy AS2 endpoint retired after maintenance",
		"Notice: during the maintenance on June 30, 2027 the legacy AS2 endpoint will be retired; messages sent to it will be rejected. Action required: move TradeBridge to the new endpoint.")
	if slices.Contains(d.MatchedRuleIDs, "rule-info") || d.OwnerTeam == "team-vendors" {
		t.Errorf("breaking change: rules %v, owner %q\n%s", d.MatchedRuleIDs, d.OwnerTeam, d.Reasoning)
	}
	d = decide("Parvane Network: scheduled maintenance notice",
		"Scheduled maintenance on June 30, 2027 between 01:00 and 03:00 UTC. No action is required; maintenance notices like this need nothing from you.")
	if !slices.Contains(d.MatchedRuleIDs, "rule-info") {
		t.Errorf("maintenance notice: rules %v\n%s", d.MatchedRuleIDs, d.Reasoning)
	}
}
