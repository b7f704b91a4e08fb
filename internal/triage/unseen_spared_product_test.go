package triage

import (
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestSparedProductLeavesItsAPIAlone: an incident whose status fields
// say "Affected: Gatero Gate (EU)." and, going on to the next line,
// "Gatero Tickets and Gatero Pass sales are working normally" reaches the
// gates only: what uses the Gatero Pass API or the Gatero Tickets API is
// spared with its product. A retirement of the Gatero Tickets API whose
// email says "Gatero Tickets … are not affected" still reaches what calls
// that API.
func TestSparedProductLeavesItsAPIAlone(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-g", Name: "Gatero", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"gatero.example"},
			Aliases: []string{"Gatero Tickets", "Gatero Pass", "Gatero Gate"}}},
		Applications: []registry.Application{
			{ID: "app-tickets", Name: "DayTickets", IsActive: true, VendorIDs: []string{"v-g"},
				Description: "Online day tickets on Gatero Tickets; the group desk books groups by calling the Gatero Tickets API with an API key."},
			{ID: "app-passes", Name: "AnnualPass", IsActive: true, VendorIDs: []string{"v-g"},
				Description: "Annual passes on Gatero Pass. The photo stations upload holders' photos through the Gatero Pass API."},
			{ID: "app-gates", Name: "GateScan", IsActive: true, VendorIDs: []string{"v-g"},
				Description: "Turnstile scanning: Gatero Gate scanners get allow-lists from Gatero Gate Manager."},
		},
	}
	incident := Email{MessageID: "i@gatero.example", FromAddress: "noreply@status.gatero.example", Date: testNow,
		Subject: "[Gatero Status] Identified - Gate scanners rejecting valid passes",
		Body: "Identified - The overnight sync published an incomplete allow-list. Scanners reject a share of valid passes.\n\n" +
			"Affected: Gatero Gate (EU). Gatero Tickets and Gatero Pass sales\nare working normally.\n"}
	if d := decideOffline(t, incident, snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-gates"}) {
		t.Errorf("incident at the gates: %v, want [app-gates]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
	retired := Email{MessageID: "r@gatero.example", FromAddress: "developers@gatero.example", Date: testNow,
		Subject: "Gatero Tickets API v2 is retired on 30 June 2028",
		Body: "Version 2 of the Gatero Tickets API stops answering on 30 June 2028. Move your integration to v3 before then.\n\n" +
			"Gatero Tickets (the web shop and box office screens) and Gatero Pass are not affected."}
	if d := decideOffline(t, retired, snap); !slices.Contains(d.AffectedApplicationIDs, "app-tickets") {
		t.Errorf("Tickets API retired: %v, want app-tickets among them\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestProvisioningTokensLeaveSignInsAlone: Directory Sync bearer tokens
// revoked reach the identity application that provisions staff with
// them, not the applications whose users sign in through it; a signing
// certificate change reaches those too.
func TestProvisioningTokensLeaveSignInsAlone(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-s", Name: "Sesamo", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"sesamo.example"},
			Aliases: []string{"Sesamo Workforce", "Sesamo Directory Sync"}}},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "StaffID", IsActive: true, VendorIDs: []string{"v-s"},
				Description: "Staff sign-in built on Sesamo Workforce, which signs staff in to the other applications over SAML 2.0. " +
					"A nightly job provisions joiners and leavers into the tenant through Sesamo Directory Sync (SCIM 2.0) with a bearer token."},
			{ID: "app-crm", Name: "MemberCRM", IsActive: true, Description: "Membership CRM. Staff log in with StaffID over SAML."},
		},
	}
	tokens := Email{MessageID: "t@sesamo.example", FromAddress: "notify@sesamo.example", Date: testNow,
		Subject: "Final notice: Directory Sync tokens without expiry will be revoked",
		Body: "We are retiring Directory Sync bearer tokens that were created without an expiry date.\n\n" +
			"Seven business days from the date of this email, tokens without an expiry date will be revoked. Any SCIM client still using one " +
			"will receive HTTP 401.\n\nCreate a replacement token with an expiry date and put it in your provisioning job."}
	if d := decideOffline(t, tokens, snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-sso"}) {
		t.Errorf("provisioning tokens revoked: %v, want [app-sso]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
	cert := Email{MessageID: "c@sesamo.example", FromAddress: "notify@sesamo.example", Date: testNow,
		Subject: "Your SAML signing certificate is rotated on 30 June 2028",
		Body: "The certificate Sesamo Workforce signs SAML assertions with is replaced on 30 June 2028. " +
			"Upload the new certificate to every service provider before then, or sign-ins will fail."}
	if d := decideOffline(t, cert, snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-sso", "app-crm"}) {
		t.Errorf("signing certificate rotated: %v, want [app-sso app-crm]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestDataVendorTokensLeaveSignInsAlone: API tokens of an HR vendor
// revoked ("how systems authenticate to the Lohnwerk API") reach the
// identity application that reads joiners and leavers from it, not the
// applications that sign in through that application (the HR vendor
// signs nobody in), nor the payroll that uses the vendor without its API;
// "unauthorised copying" in a legal footer exposes nothing.
func TestDataVendorTokensLeaveSignInsAlone(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{
			{ID: "v-idp", Name: "Authora", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"authora.example"}},
			{ID: "v-hr", Name: "Lohnwerk", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"lohnwerk.example"}},
		},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "StaffID", IsActive: true, VendorIDs: []string{"v-idp", "v-hr"},
				Description: "Staff sign-in built on Authora, which signs staff in to the other applications over SAML 2.0. " +
					"A nightly job reads joiners and leavers from the Lohnwerk API with an API token."},
			{ID: "app-crm", Name: "MemberCRM", IsActive: true, Description: "Membership CRM. Staff log in with StaffID over SAML."},
			{ID: "app-pay", Name: "StaffPay", IsActive: true, VendorIDs: []string{"v-hr"},
				Description: "Clock-ins in Lohnwerk Zeit and the monthly payroll runs in Lohnwerk Payroll; salary files go over SFTP to Lohnwerk BankLink."},
		},
	}
	e := Email{MessageID: "t@lohnwerk.example", FromAddress: "security@lohnwerk.example", Date: testNow,
		Subject: "Lohnwerk API: unscoped API tokens will be revoked",
		Body: "We are tightening how systems authenticate to the Lohnwerk API. Within 15 business days of this notice, tokens " +
			"without a scope will be revoked and requests made with them refused with HTTP 401.\n\n" +
			"Any unauthorised copying of this e-mail is prohibited."}
	if d := decideOffline(t, e, snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-sso"}) {
		t.Errorf("HR API tokens revoked: %v, want [app-sso]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestSparedInFieldsAndOtherWords: a status page's "Operating normally:"
// field, a "Not affected:" field whose list goes on to the next line (in
// the middle of a product's name too), and
// "… non cambiano" (do not change) spare what they name.
func TestSparedInFieldsAndOtherWords(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-p", Name: "Pagato", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"pagato.example"},
			Aliases: []string{"Pagato Smart POS", "Pagato Payments API", "Pagato Checkout"}}},
		Applications: []registry.Application{
			{ID: "app-book", Name: "BookOnline", IsActive: true, VendorIDs: []string{"v-p"},
				Description: "Online booking. Customers pay on Pagato Checkout, the hosted payment page."},
			{ID: "app-counter", Name: "CounterDesk", IsActive: true, VendorIDs: []string{"v-p"},
				Description: "Counter desks. Deposits are taken on Pagato Smart POS terminals; refunds go through the Pagato Payments API."},
		},
	}
	for _, body := range []string{
		"Investigating - Card payments on Pagato Checkout fail after 3-D Secure.\n\nAffected: Pagato Checkout\nOperating normally: Pagato Smart POS, the Payments API\n",
		"Investigating - Card payments on Pagato Checkout fail after 3-D Secure.\n\nNot affected: Smart POS terminals (card-present payments and deposit\npre-authorisations), the Payments API, webhook delivery.\n",
		"Dal 2 maggio 2028 la firma dei webhook di Pagato Checkout cambia e la vecchia firma non sarà più inviata.\n\nLa Payments API e i terminali Smart POS non cambiano.",
		"Investigating - Card payments on Pagato Checkout fail after 3-D Secure.\n\nNot affected: the Payments API (stored-card charges), Pagato\nSmart POS and webhook delivery.\n\nNext update by 20:15 CEST.",
		"Alates 14. märtsil 2028 allkirjastab Pagato Checkout kõik sõnumid uue sertifikaadiga.\n\nPagato Smart POS ja Payments API ei ole muudatusest mõjutatud; nende sertifikaadid jäävad samaks.",
		"No 2028. gada 14. marta Pagato Checkout paraksta visus ziņojumus ar jauno sertifikātu.\n\nPagato Smart POS un Payments API netiek ietekmēti.",
	} {
		e := Email{MessageID: "p@pagato.example", FromAddress: "status@pagato.example", Date: testNow, Subject: "Pagato Checkout", Body: body}
		if d := decideOffline(t, e, snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-book"}) {
			t.Errorf("%q: %v, want [app-book]\n%s", body, d.AffectedApplicationIDs, d.Reasoning)
		}
	}
}

// TestIncidentAtACamelCaseProduct: an incident whose subject names the
// vendor's product in camel case ("KeyShare: digital keys fail") reaches
// what uses KeyShare, not what uses only the vendor's cloud, which the
// email says is operating normally; a Polish notice that no change is
// needed to the Connect API clients spares them.
func TestIncidentAtACamelCaseProduct(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-t", Name: "Telemo", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"telemo.example"},
			Aliases: []string{"Telemo KeyShare", "Telemo Cloud", "Telemo Connect API"}}},
		Applications: []registry.Application{
			{ID: "app-counter", Name: "CounterDesk", IsActive: true, VendorIDs: []string{"v-t"},
				Description: "Rental counters. Out-of-hours collections are unlocked with Telemo KeyShare digital keys; fuel levels are read through the Telemo Connect API."},
			{ID: "app-fleet", Name: "FleetTrack", IsActive: true, VendorIDs: []string{"v-t"},
				Description: "Vehicle tracking. Every car carries a Telemo TB-7 unit that reports to Telemo Cloud over MQTT/TLS."},
		},
	}
	incident := Email{MessageID: "i@telemo.example", FromAddress: "status@telemo.example", Date: testNow,
		Subject: "KeyShare: digital keys fail to unlock vehicles (PL, IT, UK)",
		Body: "Status: Investigating\n\nWe are investigating failures of Telemo KeyShare digital keys: renters cannot open the vehicle they collected.\n\n" +
			"Vehicle tracking, the Telemo Cloud console and the Connect API are operating normally."}
	if d := decideOffline(t, incident, snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-counter"}) {
		t.Errorf("KeyShare incident: %v, want [app-counter]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
	certs := Email{MessageID: "c@telemo.example", FromAddress: "powiadomienia@telemo.example", Date: testNow,
		Subject: "Certyfikaty urządzeń TB-7",
		Body: "Od 15 marca 2028 r. Telemo Cloud będzie przyjmować połączenia wyłącznie od jednostek TB-7 z nowym certyfikatem.\n\n" +
			"Nie trzeba zmieniać klientów Telemo Connect API ani ustawień kluczy KeyShare."}
	if d := decideOffline(t, certs, snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-fleet"}) {
		t.Errorf("device certificates: %v, want [app-fleet]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestBilingualStatusUpdate: "Enquête en cours / Investigating" is an
// incident under way, not a survey, and the bilingual fields "Touchés /
// Affected" and "Non touchés / Not affected" (whose list goes on to the
// next line after a comma) say what it reaches.
func TestBilingualStatusUpdate(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-a", Name: "Avisto", Tier: registry.Tier3, IsActive: true, EmailDomains: []string{"avisto.example"},
			Aliases: []string{"Avisto SMS", "Avisto Mail", "Avisto Relay"}}},
		Applications: []registry.Application{
			{ID: "app-msg", Name: "AudienceMessaging", IsActive: true, VendorIDs: []string{"v-a"},
				Description: "Texts and e-mails to the audience through Avisto SMS and Avisto Mail."},
			{ID: "app-box", Name: "BoxOffice", IsActive: true, VendorIDs: []string{"v-a"},
				Description: "Ticket sales; confirmations go out through Avisto Relay."},
		},
	}
	e := Email{MessageID: "s@avisto.example", FromAddress: "status@avisto.example", Date: testNow,
		Subject: "[Enquête en cours / Investigating] SMS delivery delays to Belgium and France",
		Body: "[Enquête en cours / Investigating]\nRetards de livraison des SMS vers la Belgique et la France\n\n" +
			"Since 5:35 p.m. EDT, text messages sent to Belgian and French mobile numbers are delivered up to two hours late. " +
			"We are investigating with our European routing partner.\n\n" +
			"Touchés / Affected:        Avisto SMS (destinations BE, FR)\nNon touchés / Not affected: Avisto Mail,\n                            Avisto Relay\n"}
	d := decideOffline(t, e, snap)
	if d.Classification != Actionable || !slices.Equal(d.AffectedApplicationIDs, []string{"app-msg"}) {
		t.Errorf("%s %v, want actionable [app-msg]\n%s", d.Classification, d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestOneWordProductsSpared: "Not affected: Checkout (…), Payouts" spares
// what uses the vendor's Checkout or Payouts, products the registry names
// with one word after the vendor's name; the same words in lower case
// ("checkout and online payments are not affected") or an acronym at the
// start of a sentence ("SMS sent to … are not affected") spare nothing.
func TestOneWordProductsSpared(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-d", Name: "Debita", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"debita.example"},
			Aliases: []string{"Debita Checkout", "Debita Payouts", "Debita Mandates API", "Debita SMS"}}},
		Applications: []registry.Application{
			{ID: "app-debits", Name: "DirectDebits", IsActive: true, VendorIDs: []string{"v-d"},
				Description: "Membership fees by direct debit; mandates are created through the Debita Mandates API."},
			{ID: "app-join", Name: "JoinOnline", IsActive: true, VendorIDs: []string{"v-d"},
				Description: "Online sign-up; new members pay the joining fee on the Debita Checkout hosted payment page."},
			{ID: "app-trainers", Name: "TrainerMarket", IsActive: true, VendorIDs: []string{"v-d"},
				Description: "Trainers are paid out weekly through Debita Payouts."},
		},
	}
	incident := func(spared string) Email {
		return Email{MessageID: "i@debita.example", FromAddress: "status@debita.example", Date: testNow,
			Subject: "INVESTIGATING - Mandates API: mandate creation fails",
			Body:    "Since 08:40 UTC requests to create mandates through the Mandates API fail with HTTP 503.\n\n" + spared + "\n"}
	}
	if d := decideOffline(t, incident("Not affected: Checkout (including mandates given on the hosted payment page), Payouts and webhook delivery."), snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-debits"}) {
		t.Errorf("Checkout and Payouts spared: %v, want [app-debits]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
	if d := decideOffline(t, incident("Card terminals, checkout and payouts by bank transfer are not affected."), snap); !slices.Contains(d.AffectedApplicationIDs, "app-join") {
		t.Errorf("lower-case words spared a product: %v, want app-join among them\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestIncidentLeavesReportDownloadsAlone: an incident at a payment page
// does not reach the finance application that only downloads the
// vendor's settlement reports, unless the email says reports are hit.
func TestIncidentLeavesReportDownloadsAlone(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-p", Name: "Paylo", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"paylo.example"},
			Aliases: []string{"Paylo Checkout"}}},
		Applications: []registry.Application{
			{ID: "app-box", Name: "BoxOffice", IsActive: true, VendorIDs: []string{"v-p"},
				Description: "Ticket sales; buyers pay on Paylo Checkout, the hosted payment page."},
			{ID: "app-fin", Name: "Finance", IsActive: true, VendorIDs: []string{"v-p"},
				Description: "General ledger. Paylo settlement reports are downloaded every night from the Paylo reporting SFTP."},
		},
	}
	e := func(body string) Email {
		return Email{MessageID: "s@paylo.example", FromAddress: "status@paylo.example", Date: testNow,
			Subject: "Investigating - Checkout: card payments fail after 3-D Secure", Body: body}
	}
	if d := decideOffline(t, e("Status: Investigating\n\nA large share of card payments on Paylo Checkout fail after 3-D Secure."), snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-box"}) {
		t.Errorf("checkout incident: %v, want [app-box]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
	if d := decideOffline(t, e("Status: Investigating\n\nCard payments on Paylo Checkout fail, and yesterday's settlement reports are missing."), snap); !slices.Contains(d.AffectedApplicationIDs, "app-fin") {
		t.Errorf("reports hit too: %v, want app-fin among them\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestOperationalComponentsAreSpared: a SAML sign-in incident whose
// status page lists "OpenID Connect sign-in ...... Operational" does not
// reach what signs in through the identity application over OpenID
// Connect.
func TestOperationalComponentsAreSpared(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-t", Name: "Tessa", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"tessa.example"}}},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "LakeID", IsActive: true, VendorIDs: []string{"v-t"},
				Description: "Staff and student sign-in built on Tessa Launchpad, which signs users in to the other applications with SAML 2.0 or OpenID Connect."},
			{ID: "app-sis", Name: "StudentInfo", IsActive: true, Description: "Student records. Staff sign in with LakeID over SAML."},
			{ID: "app-meals", Name: "MealPay", IsActive: true, Description: "Cafeteria payments. Parents sign in with LakeID through OpenID Connect."},
		},
	}
	e := Email{MessageID: "s@tessa.example", FromAddress: "noreply@status.tessa.example", Date: testNow,
		Subject: "Tessa Status - SAML sign-ins failing for some tenants",
		Body: "IDENTIFIED - A configuration change to the SAML assertion service causes about 40% of SAML sign-ins to fail.\n\n" +
			"Components\n  Launchpad SAML 2.0 sign-in (US-East) ...... Partial outage\n  Launchpad OpenID Connect sign-in .......... Operational\n"}
	if d := decideOffline(t, e, snap); slices.Contains(d.AffectedApplicationIDs, "app-meals") || !slices.Contains(d.AffectedApplicationIDs, "app-sis") {
		t.Errorf("SAML incident: %v, want app-sis and not app-meals\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}
