package triage

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// identityProductsRegistry is a ferry company's registry: one identity
// vendor whose workforce product the staff sign in with and whose
// customer product the passengers' accounts are held in.
func identityProductsRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-kestrel", Name: "Kestrel", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"kestrelid.example"},
			Aliases:      []string{"Kestrel Workforce", "Kestrel Customer Accounts", "Kestrel Verify", "Kestrel Security Oy"}}},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "CrewID", IsActive: true, IsCritical: true, VendorIDs: []string{"v-kestrel"},
				Description: "Staff single sign-on built on Kestrel Workforce with SAML. Sign-ins are approved in the Kestrel Verify app."},
			{ID: "app-book", Name: "SailBook", IsActive: true, IsCritical: true, VendorIDs: []string{"v-kestrel"},
				Description: "Passenger booking site. Passengers sign in with accounts held in Kestrel Customer Accounts."},
			{ID: "app-mobile", Name: "SailApp", IsActive: true, VendorIDs: []string{"v-kestrel"},
				Description: "Passenger mobile app for tickets and boarding passes. It gets its tokens from Kestrel Customer Accounts."},
			{ID: "app-portal", Name: "PortalWeb", IsActive: true, VendorIDs: []string{"v-kestrel"},
				Description: "Passenger portal. Passengers sign in with accounts held in Kestrel Customer Accounts; editors sign in with CrewID through OpenID Connect."},
			{ID: "app-roster", Name: "Roster", IsActive: true, VendorIDs: []string{},
				Description: "Crew rostering. Crew log in through CrewID (SAML)."},
		},
	}
}

// TestSignInWithAnotherProduct: a change to the vendor's workforce
// product (its sign-in certificate, its verification app) reaches what
// signs in with that product, not the application whose users sign in
// with its customer product (unless some of its users sign in through
// an application the change reaches); a change to the customer product reaches
// that one.
func TestSignInWithAnotherProduct(t *testing.T) {
	cases := []reachCase{
		{"workforce certificate", "Your SAML signing certificate is being replaced",
			"The certificate Kestrel Workforce signs SAML assertions with expires. Switch-over on 15 September 2027: upload the new certificate to every service provider before then.",
			[]string{"app-sso", "app-roster"}, []string{"app-book", "app-mobile", "app-portal"}},
		{"verification app incident", "[Investigating] Delayed push approvals in Kestrel Verify",
			"Investigating - We are investigating an incident that delays push approvals in Kestrel Verify. Sign-ins that wait for an approval may time out. Next update in 30 minutes.",
			[]string{"app-sso", "app-roster", "app-portal"}, []string{"app-book", "app-mobile"}},
		{"customer product", "Kestrel Customer Accounts: password reset links change",
			"From 1 October 2027 password reset links sent by Kestrel Customer Accounts expire after 15 minutes. Action required: update the text of your reset page.",
			[]string{"app-book", "app-mobile", "app-portal"}, []string{"app-sso", "app-roster"}},
	}
	checkReach(t, identityProductsRegistry(), "notify@kestrelid.example", cases)
}

// TestRuleNamesTheProduct: a vendor's rule that names one of its products
// applies to an email about that product, although the only word they
// share besides the vendor's name is in the product's name.
func TestRuleNamesTheProduct(t *testing.T) {
	snap := identityProductsRegistry()
	snap.Rules = []registry.Rule{{ID: "rule-id", Name: "Passenger and crew sign-in", Severity: registry.SeverityCritical,
		VendorID: "v-kestrel", IsActive: true,
		Text: "Kestrel changes to SAML certificates, the Verify app or Customer Accounts are critical: crew sign in through CrewID and passengers through SailBook."}}
	e := Email{MessageID: "p@kestrelid.example", FromAddress: "notify@kestrelid.example", Date: testNow,
		Subject: "Customer Accounts Management API v1 retires at the end of September 2027",
		Body:    "Version 1 of the Kestrel Customer Accounts Management API retires at the end of September 2027. Calls after that return 410 Gone. Move to version 2 before then."}
	d := decideOffline(t, e, snap)
	if d.Severity != registry.SeverityCritical || !slices.Contains(d.MatchedRuleIDs, "rule-id") {
		t.Errorf("severity %s, rules %v; want critical from rule-id\n%s", d.Severity, d.MatchedRuleIDs, d.Reasoning)
	}
}

// decideOffline decides one email with the offline triage.
func decideOffline(t *testing.T, e Email, snap registry.Snapshot) Decision {
	t.Helper()
	d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestIncidentUnderWayBreaksNow: an incident under way breaks what uses
// the vendor now, so the severity table reads it as a breaking change: a
// tier_2 vendor's incident is high, not the medium of a non-breaking
// change.
func TestIncidentUnderWayBreaksNow(t *testing.T) {
	sev, why := severityFloor(facts{classification: Actionable, tier: registry.Tier2, incident: true, apps: 1})
	if sev != registry.SeverityHigh || why != "incident under way from a tier_2 vendor" {
		t.Errorf("got %s (%s), want high from the tier_2 vendor's incident", sev, why)
	}
	sev, _ = severityFloor(facts{classification: Actionable, tier: registry.Tier3, incident: true, apps: 1})
	if sev != registry.SeverityMedium {
		t.Errorf("tier_3 incident: got %s, want medium", sev)
	}
}

// TestInformationalInOtherWords: a renewal on the same terms, a support
// case closed as resolved, a survey that asks a few quick questions, an
// issue of a vendor's news, and maintenance that needs nothing, in
// English, Norwegian, Danish and Finnish, are informational.
func TestInformationalInOtherWords(t *testing.T) {
	cases := []struct{ name, subject, body string }{
		{"renewal", "Your Kestrel renewal",
			"Your Kestrel Workforce subscription renews next month on the same terms. Nothing is needed from your side; the invoice follows as usual."},
		{"case closed", "Re: [Case 1182] Slow sign-ins",
			"The slow sign-ins were caused by a faulty cache node, which we replaced yesterday. We are closing the case as resolved; nothing needs to change on your side."},
		{"survey", "How is your season going?",
			"Answer four quick questions and help us plan next year's features: https://kestrelid.example/s/2027"},
		{"news issue", "Kestrel news: autumn 2027",
			"New in Kestrel Verify: number matching on watches. Tip: show your sign-in page's logo to make phishing harder."},
		{"Norwegian maintenance", "Planlagt vedlikehold 20.07.2027",
			"Vi oppgraderer maskinvaren natt til tirsdag 20.07.2027 mellom kl. 01.00 og 04.00. Dere trenger ikke gjøre noe."},
		{"Danish maintenance", "Planlagt vedligeholdelse 3. august 2027",
			"Vi opdaterer vores servere natten til tirsdag. I behøver ikke at gøre noget."},
		{"Finnish newsletter", "Kestrel uutiskirje – syyskuu 2027",
			"Uutta Kestrel Verify -sovelluksessa: tunnistus kellosta."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := Email{MessageID: "i@kestrelid.example", FromAddress: "news@kestrelid.example", Date: testNow, Subject: c.subject, Body: c.body}
			if d := decideOffline(t, e, identityProductsRegistry()); d.Classification != Informational {
				t.Errorf("%s, want informational\n%s", d.Classification, d.Reasoning)
			}
		})
	}
}

// TestForwardedSentInOtherLanguages: the date line of a message forwarded
// by a Norwegian, Swedish or Polish mail program is read, so that
// "within 30 days of this notice" counts from the day it was sent.
func TestForwardedSentInOtherLanguages(t *testing.T) {
	for line, want := range map[string]string{
		"Sendt: mandag 21. juni 2027 16:20":      "2027-06-21",
		"Skickat: den 21 juni 2027 16:20":        "2027-06-21",
		"Wysłano: poniedziałek, 21 czerwca 2027": "2027-06-21",
		"> Sendt: 21. juni 2027 kl. 16:20":       "2027-06-21",
	} {
		if d, ok := forwardedSent(line); !ok || d.String() != want {
			t.Errorf("%q: %s %v, want %s", line, d, ok, want)
		}
	}
}

// TestISOWeeks: a week of a year by its ISO number takes effect on its
// Monday; a week 53 of a year that has 52 is no date.
func TestISOWeeks(t *testing.T) {
	for line, want := range map[string]string{
		"clients must support TLS 1.3 from week 36, 2027": "2027-09-06",
		"controllers are refused from week 14 of 2028":    "2028-04-03",
		"Abschaltung in KW 14/2028":                       "2028-04-03",
		"retired in 2028-W14":                             "2028-04-03",
		"from week 1, 2027":                               "2027-01-04",
		"from week 53, 2026":                              "2026-12-28",
		"from week 53, 2027":                              "",
	} {
		got := ""
		for _, f := range isoWeeks(line, gatesOf(line)) {
			if f.ok {
				got = f.date.String()
			}
		}
		if got != want {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
}

// paymentPartsRegistry is a ferry company's registry: one payment vendor
// whose hosted checkout, webhooks and server-to-server API different
// applications use.
func paymentPartsRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-quaypay", Name: "Quaypay", Tier: registry.Tier2, IsActive: true,
			EmailDomains: []string{"quaypay.example"}, Aliases: []string{"Quaypay Checkout", "Quaypay Payments API", "Quaypay ApS"}}},
		Applications: []registry.Application{
			{ID: "app-shop", Name: "CabinShop", IsActive: true, VendorIDs: []string{"v-quaypay"},
				Description: "Cabin upgrades sold online. Passengers pay on the Quaypay Checkout hosted page, and orders are confirmed by Quaypay webhooks signed with a shared secret."},
			{ID: "app-slots", Name: "SlotPortal", IsActive: true, VendorIDs: []string{"v-quaypay"},
				Description: "Freight slot booking. Hauliers pay slot fees on the Quaypay Checkout hosted payment page."},
			{ID: "app-dues", Name: "HarbourDues", IsActive: true, VendorIDs: []string{"v-quaypay"},
				Description: "Invoicing of harbour dues. Agents pay by card through the Quaypay Payments API with a secret API key."},
			{ID: "app-fin", Name: "Books", IsActive: true, VendorIDs: []string{},
				Description: "Bookkeeping and annual accounts. Payouts from Quaypay are reconciled from the bank statements."},
		},
	}
}

// TestPaymentPartsLeftAlone: what the email says works normally or is
// not affected ("is working normally", Danish "er ikke berørt") reaches
// nothing; a product named after the vendor ("Quaypay Payments API") is a
// product, not a bare mention; and an application that names the part the
// email changes ("Quaypay webhooks") is reached although the products it
// names are left alone.
func TestPaymentPartsLeftAlone(t *testing.T) {
	cases := []reachCase{
		{"checkout down, API working", "Identified - Checkout payment page returns errors",
			"Incident status: Identified\n\nThe Quaypay Checkout hosted payment page returns an error for most card payments. We have identified a faulty deployment and are rolling it back. The Payments API for server-to-server payments is working normally.",
			[]string{"app-shop", "app-slots"}, []string{"app-dues", "app-fin"}},
		{"webhooks in Danish", "Vigtigt: Webhook-signaturer skifter til HMAC-SHA512",
			"Fra den 1. oktober 2027 bliver alle webhooks fra Quaypay signeret med HMAC-SHA512. Opdatér jeres webhook-modtager inden da. Betalingssiden (Quaypay Checkout) og Payments API'et er ikke berørt.",
			[]string{"app-shop"}, []string{"app-slots", "app-dues"}},
		{"API host, checkout and webhooks not affected", "New host for the Payments API",
			"The Quaypay Payments API moves to a new host, api2.quaypay.example. The old host will stop accepting requests on 31 August 2027. Change the base URL of your integration. The hosted Quaypay Checkout page and webhooks are not affected.",
			[]string{"app-dues"}, []string{"app-shop", "app-slots"}},
	}
	checkReach(t, paymentPartsRegistry(), "notices@quaypay.example", cases)
}

// TestForeignNetworkChange: new IP ranges, a firewall and origin servers
// named in Norwegian are a change to the network in front of every site
// served through the vendor.
func TestForeignNetworkChange(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-vik", Name: "Viknett", Tier: registry.Tier2, IsActive: true,
			EmailDomains: []string{"viknett.example"}, Aliases: []string{"Viknett Edge", "Viknett CDN"}}},
		Applications: []registry.Application{
			{ID: "app-book", Name: "FerryBook", IsActive: true, VendorIDs: []string{"v-vik"},
				Description: "Booking site for car ferries. The site is fronted by Viknett."},
			{ID: "app-web", Name: "PortWeb", IsActive: true, VendorIDs: []string{"v-vik"},
				Description: "Public website with timetables, delivered via Viknett CDN."},
			{ID: "app-slots", Name: "SlotDesk", IsActive: true, VendorIDs: []string{"v-vik"},
				Description: "Freight slot booking, served through Viknett Edge."},
			{ID: "app-img", Name: "Catalogue", IsActive: true, VendorIDs: []string{"v-vik"},
				Description: "Product catalogue. Product images are served to the shop and the app through Viknett CDN (img.example.com)."},
			{ID: "app-fin", Name: "Ledger", IsActive: true, VendorIDs: []string{"v-vik"},
				Description: "Finance downloads the Viknett invoices every month."},
		},
	}
	checkReach(t, snap, "kundeservice@viknett.example", []reachCase{{"new IP ranges in Norwegian", "Nye IP-adresser for kantnodene",
		"Viknett Edge tar i bruk nye IP-adresseområder. Fra 15. august 2027 kommer all trafikk til deres opprinnelsesservere fra disse områdene. Dersom brannmuren bare slipper inn de gamle adressene, må dere legge til de nye før 15. august 2027.",
		[]string{"app-book", "app-web", "app-slots", "app-img"}, []string{"app-fin"}}})
}

// TestPostIncidentReport: a report on an incident that is over, whose
// story names what broke, expired or was disabled, is informational on
// both paths (the guardrails do not read its story as a breaking change);
// one that asks the reader to act is not.
func TestPostIncidentReport(t *testing.T) {
	snap := identityProductsRegistry()
	report := Email{MessageID: "pir@kestrelid.example", FromAddress: "reliability@kestrelid.example", Date: testNow,
		Subject: "Post-incident report: sign-in failures on 2 October 2027",
		Body: "This is the post-incident report for the sign-in failures on 2 October 2027. An internal certificate expired " +
			"because its renewal job had been disabled during a migration. Sign-ins failed for 90 minutes.\n\n" +
			"What we are changing: certificate expiry is now monitored.\n\nNo action is required from you."}
	if d := decideOffline(t, report, snap); d.Classification != Informational {
		t.Errorf("offline: %s, want informational\n%s", d.Classification, d.Reasoning)
	}
	llm := Decision{Classification: Informational, VendorID: "v-kestrel", Severity: registry.SeverityLow, Source: SourceLLM}
	if d := ApplyGuardrails(llm, report, snap, testSettings()); d.Classification != Informational || d.IsBreaking {
		t.Errorf("guardrails: %s breaking=%v, want informational; overrides %+v", d.Classification, d.IsBreaking, d.Overrides)
	}
	asks := report
	asks.Body = strings.Replace(report.Body, "No action is required from you.",
		"As a precaution, you must rotate the API keys of your tenant before 15 October 2027; keys not rotated by then will be revoked.", 1)
	if d := decideOffline(t, asks, snap); d.Classification != Actionable {
		t.Errorf("a report that asks for action: %s, want actionable\n%s", d.Classification, d.Reasoning)
	}
}

// TestMoreNoActionForms: "none of these changes require any action", "does
// not require any action", "nothing is required on your side" and a
// support case marked as resolved say that no action is needed; a
// subject that names a monthly issue is a newsletter's.
func TestMoreNoActionForms(t *testing.T) {
	for _, text := range []string{
		"New regions are live. None of these changes require any action on your part.",
		"The fix is deployed and does not require any action from you.",
		"We shipped a fix on 2 July; nothing is required on your side.",
		"I'm marking this case as resolved. Reply to reopen it.",
		"The fix is live. Customers who do not run the kiosk software need to take no action.",
	} {
		if s := informationalSignal(Email{Subject: "Update", Body: text}); !s.strong() {
			t.Errorf("%q: %+v, want a strong informational signal", text, s)
		}
	}
	if s := informationalSignal(Email{Subject: "Kestrel Monthly - July 2027", Body: "New points of presence."}); !s.strong() {
		t.Errorf("monthly issue: %+v", s)
	}
	if s := informationalSignal(Email{Subject: "Kestrel Insider - June 2027", Body: "Tip of the month: use completeness rules."}); !s.strong() {
		t.Errorf("insider issue: %+v", s)
	}
}

// TestMustOrFails: what the reader must do, "or" what fails if not, is a
// breaking change.
func TestMustOrFails(t *testing.T) {
	for _, text := range []string{
		"Relying parties that pinned the key must add the new key before then, or their users will not be able to sign in.",
		"You need to renew the certificate by 1 May, or else uploads will be rejected.",
		"Upload the new certificate before then. Otherwise your supervisors will not be able to sign in with SSO.",
		"The new package format ships in May. Player 2.x cannot read it; upgrade your players before then.",
		"Please add the new ranges by the end of June 2027. Calls routed through the new ranges will otherwise fail or have no audio.",
	} {
		if s := breakingSignal(Email{Subject: "Key rotation", Body: text}); !s.strong() {
			t.Errorf("%q: %+v, want a breaking change", text, s)
		}
	}
	if s := breakingSignal(Email{Subject: "Survey", Body: "You must try the new dashboard, or you can keep the old one."}); s.strong() {
		t.Errorf("a choice: %+v, want no breaking change", s)
	}
}

// TestDeprecationIsAStepBeforeTheStop: in a retirement timeline, the day
// the old version is turned off beats the day it is only deprecated; a
// deprecation alone is still the date.
func TestDeprecationIsAStepBeforeTheStop(t *testing.T) {
	today := DateOf(testNow, time.UTC)
	for body, want := range map[string]string{
		"Timeline\n  09/15/2027  v3 generally available\n  11/30/2027  v2 deprecated: no new API keys are issued for v2\n  01/31/2028  v2 turned off: all v2 requests are rejected with HTTP 410\n": "2028-01-31",
		"Version 1 of the Export API is deprecated on 1 December 2027. Plan your move to version 2.":                                                                                                "2027-12-01",
	} {
		fd, ok := extractDate("API v2 is being retired", body, "dev@kestrelid.example", "en-US", testNow, today, time.UTC)
		if !ok || fd.date.String() != want {
			t.Errorf("%q: %s %v, want %s", body, fd.date, ok, want)
		}
	}
}

// donorRegistry is a charity's registry: a CRM vendor whose CRM the
// fundraisers use and whose Data API two other applications call with
// API keys; a rule names the CRM's application.
func donorRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-donorly", Name: "Donorly", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"donorly.example"}, Aliases: []string{"Donorly CRM", "Donorly Data API", "Donorly Ltd"}}},
		Applications: []registry.Application{
			{ID: "app-crm", Name: "DonorDesk", IsActive: true, IsCritical: true, VendorIDs: []string{"v-donorly"},
				Description: "Donor and gift records, kept in Donorly CRM. Fundraisers sign in with StaffID through SAML."},
			{ID: "app-form", Name: "GiveWeb", IsActive: true, VendorIDs: []string{"v-donorly"},
				Description: "Online donation form. Each gift is posted to Donorly's Data API with an API key so that it appears in DonorDesk."},
			{ID: "app-news", Name: "Rundbrief", IsActive: true, VendorIDs: []string{"v-donorly"},
				Description: "Newsletter tool. Subscribers are synced every night from the Donorly Data API with an API key."},
		},
		Rules: []registry.Rule{{ID: "rule-donors", Name: "Donor data", Severity: registry.SeverityCritical, VendorID: "v-donorly", IsActive: true,
			Text: "Donorly changes to the CRM or the Data API that need action, and any Donorly incident, are critical: gifts and receipts live in DonorDesk."}},
	}
}

// TestDataAPIAndCRM: a change to the API keys of a vendor's Data API
// reaches what calls it with them, not the application a rule names that
// only runs the vendor's CRM; an incident at the CRM that leaves the Data
// API alone reaches the CRM's application only; a product named with a
// possessive ("Donorly's Data API") is that product.
func TestDataAPIAndCRM(t *testing.T) {
	cases := []reachCase{
		{"legacy API keys", "Legacy API keys are being retired",
			"Donorly Data API access with legacy API keys will stop working at the end of October 2027. Please replace them before then; after that date, requests with a legacy key will be rejected with HTTP 401.",
			[]string{"app-form", "app-news"}, []string{"app-crm"}},
		{"CRM down, Data API fine", "[Identified] Donorly CRM web application unavailable",
			"Incident: Donorly CRM web application unavailable\nStatus: Identified\n\nUsers see an error page when they open the Donorly CRM web application. The Donorly Data API is not affected: API requests are being processed normally.",
			[]string{"app-crm"}, []string{"app-form", "app-news"}},
		{"Data API retired", "Donorly Data API v2 will be switched off on 2028-01-31",
			"Donorly Data API v2 will be switched off on 2028-01-31; requests to it then return HTTP 410. Move your integrations to v3 before then.",
			[]string{"app-form", "app-news"}, []string{"app-crm"}},
	}
	checkReach(t, donorRegistry(), "developers@donorly.example", cases)
}

// TestStopDayOfARelativeDate: a relative date has no cue word before it;
// the stop it is the day of ("will stop answering two weeks from today")
// beats a maintenance window's date.
func TestStopDayOfARelativeDate(t *testing.T) {
	sent := time.Date(2027, 8, 11, 15, 0, 0, 0, time.UTC)
	body := "Maintenance on 22 August 2027 between 01:00 and 03:00; the maintenance itself needs no action.\n\n" +
		"After the upgrade the API answers on api.eu.example.com. The old hostname will stop answering two weeks from today."
	fd, ok := extractDate("Data API: maintenance on 22 August and a new hostname", body, "ops@kestrelid.example", "", sent, DateOf(sent, time.UTC), time.UTC)
	if !ok || fd.date.String() != "2027-08-25" {
		t.Errorf("%s %v (%q), want 2027-08-25", fd.date, ok, fd.text)
	}
}

// TestProductInOtherWords: an application that says it sends "by SMS
// through Textly" uses the "Textly SMS API" the subject names; one that
// only downloads reports from the vendor's portal does not.
func TestProductInOtherWords(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-textly", Name: "Textly", Tier: registry.Tier2, IsActive: true,
			EmailDomains: []string{"textly.example"}, Aliases: []string{"Textly SMS API", "Textly Reports"}}},
		Applications: []registry.Application{
			{ID: "app-alerts", Name: "ControlRoom", IsActive: true, VendorIDs: []string{"v-textly"},
				Description: "Safety control room console: evacuation messages go out to stewards by SMS through Textly."},
			{ID: "app-gate", Name: "GatePass", IsActive: true, VendorIDs: []string{"v-textly"},
				Description: "Parking entry codes are texted to visitors through the Textly SMS API."},
			{ID: "app-usage", Name: "CostBoard", IsActive: true, VendorIDs: []string{"v-textly"},
				Description: "Telecom cost dashboard. The monthly usage file is downloaded from Textly Reports."},
		},
	}
	checkReach(t, snap, "developers@textly.example", []reachCase{{"SMS API v1 retired", "Textly SMS API v1 is retired on 31 January 2028",
		"Version 1 of the Textly SMS API is retired on 31 January 2028. After that date v1 requests are rejected with HTTP 410 and no messages are sent. Move to version 2 before then.",
		[]string{"app-alerts", "app-gate"}, []string{"app-usage"}}})
}
