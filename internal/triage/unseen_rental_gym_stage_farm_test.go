package triage

import (
	"slices"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// The rules first met on the car-rental company's, the gym chain's, the
// theatre group's and the dairy co-operative's mail.

// stageSnap is a registry of one tier_2 vendor that runs in the cloud
// for the one application linked to it; another application runs a
// server of its own.
func stageSnap() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-sk", Name: "Skifto", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"skifto.example"},
			Aliases: []string{"Skifto Cloud", "Skifto Server"}}},
		Applications: []registry.Application{
			{ID: "app-hr", Name: "PeoplePay", IsActive: true, VendorIDs: []string{"v-sk"},
				Description: "HR and payroll on Skifto HR in Skifto Cloud. HR staff sign in with StaffID via SAML."},
			{ID: "app-weigh", Name: "Weighbridge", IsActive: true,
				Description: "Grain intake at the weighbridges; tickets go to the ERP through the intake server at each site."},
		},
	}
}

// TestAdvisoryForAServerNoApplicationRuns: an advisory for the vendor's
// on-premises server, whose cloud is not affected, is informational
// even when an application of another vendor names a server of its own;
// so is one that tells "Cue Server customers: install version 3.4.2".
func TestAdvisoryForAServerNoApplicationRuns(t *testing.T) {
	for _, body := range []string{
		"Skifto Cloud is not affected and Skifto Cloud customers do not need to do anything.\n\n" +
			"Customers who run Skifto Server on their own infrastructure must upgrade to 9.4.2 by 16 March 2028.",
		"Skifto Cloud is not affected: the service was patched on 20 June 2028.\n\n" +
			"Skifto Server customers: install version 3.4.2 by July 21, 2028.",
		"Betroffen: Skifto Server 7.0 bis 7.9.3 (On-Premises)\nNicht betroffen: Skifto Cloud\n\n" +
			"Kunden, die Skifto Server 7.x betreiben, müssen bis zum 30.06.2028 auf Version 7.9.4 aktualisieren. Für Skifto Cloud ist nichts zu tun.",
	} {
		e := Email{MessageID: "a@skifto.example", FromAddress: "security@skifto.example", Date: testNow,
			Subject: "Security advisory SSA-2028-02: Skifto Server (on-premises)", Body: body}
		if d := decideOffline(t, e, stageSnap()); d.Classification != Informational || len(d.AffectedApplicationIDs) > 0 {
			t.Errorf("%q: %s %v, want informational with no application\n%s", body, d.Classification, d.AffectedApplicationIDs, d.Reasoning)
		}
	}
}

// TestNoActionRequiredInItsOwnWordsIsNoBreakingChange: "nessuna azione
// richiesta" holds "azione richiesta" (action required), which asks for
// none.
func TestNoActionRequiredInItsOwnWordsIsNoBreakingChange(t *testing.T) {
	e := Email{MessageID: "m@skifto.example", FromAddress: "operations@skifto.example", Date: testNow,
		Subject: "Manutenzione programmata domenica 20 febbraio 2028 - nessuna azione richiesta",
		Body: "Domenica 20 febbraio 2028, dalle 01:00 alle 05:00, eseguiremo interventi di manutenzione programmata.\n\n" +
			"Non è richiesta alcuna azione da parte vostra: configurazioni, integrazioni e credenziali restano invariate."}
	if d := decideOffline(t, e, stageSnap()); d.Classification != Informational {
		t.Errorf("%s, want informational\n%s", d.Classification, d.Reasoning)
	}
}

// TestInformationalInMoreEuropeanWords: a price list, release notes, a
// renewal at the same price with nothing to sign, a support request
// resolved, a customer day to register for and a newsletter with its
// unsubscribe link, in Italian, Danish, German, French, Finnish and
// Swedish, are informational.
func TestInformationalInMoreEuropeanWords(t *testing.T) {
	for _, c := range []struct{ subject, body string }{
		{"Pagalto: listino commissioni 2028", "È disponibile il listino commissioni per il 2028. Le nuove commissioni si applicano " +
			"automaticamente. Non è necessaria alcuna modifica alle vostre integrazioni."},
		{"Penninga: nye priser fra 1. februar 2028", "Vores prisliste for 2028 er nu offentliggjort. De nye priser anvendes automatisk. " +
			"Der er intet, I skal ændre i jeres integration."},
		{"Sampliq LIMS 2028.1 - udgivelsesnoter", "Version 2028.1 rulles ud til alle kunder i uge 7.\nNyt\n- Nyt dashboard.\n" +
			"Opdateringen kræver ingen ændringer i jeres opsætning og ingen handling fra jeres side."},
		{"Rinnovo 2028 - nessuna novità", "Il contratto si rinnova automaticamente il 1° febbraio 2028 alle stesse condizioni e allo " +
			"stesso prezzo. Non c'è nulla da firmare e nulla da fare."},
		{"Ihre Verlängerung 2029", "Ihr Vertrag verlängert sich am 1. Januar 2029 um zwölf Monate. Es bleibt alles beim Alten: " +
			"gleicher Preis, gleicher Support-Plan. Sie müssen nichts unterschreiben."},
		{"Re: [Ticket #BL-40917] Estratto conto duplicato", "Abbiamo rilasciato una correzione. Poiché dal nostro lato è tutto a " +
			"posto, chiudo il ticket BL-40917. Se notate altro, rispondete a questa email entro 7 giorni."},
		{"[Strapontix #48213] Résolu : places absentes du plan", "Votre demande (48213) a été résolue.\nNous avons corrigé le " +
			"rattachement ce matin. Je passe la demande au statut « Résolu ». Répondez dans les 7 jours pour la rouvrir."},
		{"Tervetuloa asiakaspäiville 6.–7.4.2028", "Tervetuloa asiakaspäiville Seinäjoelle 6.–7.4.2028! Ilmoittaudu 10.3.2028 " +
			"mennessä. Nähdään Seinäjoella!"},
		{"Sendola Nytt: RCS i Sverige", "Kampanjkalendern 2029\nKundcase: en padelkedja i Uppsala.\nTräffa oss på Nordic " +
			"Fitness Expo den 23-24 november 2028.\nAvregistrera dig: https://www.sendola.example/avregistrera"},
		{"Sadamixi uudiskiri – mai 2028", "Kliendipäev Tallinnas\nOotame teid Sadamixi kliendipäevale 7. septembril 2028. " +
			"Registreerumine avatakse juunis."},
		{"Lojalix Loyalty Forum 2028 Rīgā", "Aicinām jūs uz Lojalix Loyalty Forum 2028, kas notiks 2028. gada 14. septembrī Rīgā.\n" +
			"Reģistrēties (https://forum.lojalix.example/2028)\nUz tikšanos Rīgā!"},
		{"Obnova smlouvy na rok 2029", "Vaše předplatné se 1. ledna 2029 automaticky prodlouží. Cena i podmínky podpory " +
			"zůstávají stejné a nemusíte nic podepisovat ani posílat."},
		{"Re: [Werkbaan #WB-40217] Loonbrieven in het Engels", "Dat is sinds gisteravond rechtgezet. Omdat alles er nu goed " +
			"uitziet, sluit ik ticket WB-40217 af. Antwoord binnen 7 dagen als er toch nog iets niet klopt."},
		{"Uw tarieven per 1 januari 2029", "Per 1 januari 2029 gelden de volgende nieuwe tarieven. De nieuwe tarieven worden " +
			"automatisch toegepast. U hoeft niets aan te passen aan uw koppelingen."},
		{"Quick note before your renewal", "Your subscription renews on July 1 with nothing changing: same buildings, same price, " +
			"same support. There's no paperwork unless you want to add a building."},
		{"What's new - October 2028", "New\n- Quick reorder.\nFixed\n- Diacritics in packing slips.\n" +
			"All of this is live in your shop now. Nothing needs to be changed on your side."},
	} {
		e := Email{MessageID: c.subject + "@skifto.example", FromAddress: "news@skifto.example", Date: testNow, Subject: c.subject, Body: c.body}
		if d := decideOffline(t, e, stageSnap()); d.Classification != Informational {
			t.Errorf("%q: %s, want informational\n%s", c.subject, d.Classification, d.Reasoning)
		}
	}
}

// TestDeadlineSetsSeverityWithoutBreakingWords: a change that needs
// action by a deadline under 30 days is critical and one of 30 to 90
// days high, breaking words or not; a forward's deadline counts from the
// day the forwarded message was sent.
func TestDeadlineSetsSeverityWithoutBreakingWords(t *testing.T) {
	for _, c := range []struct {
		days int
		want registry.Severity
	}{{14, registry.SeverityCritical}, {45, registry.SeverityHigh}, {120, registry.SeverityLow}} {
		if sev, why := severityFloor(facts{classification: Actionable, tier: registry.Tier3, deadline: true, days: c.days, apps: 1}); sev != c.want {
			t.Errorf("tier_3, %d days: %s (%s), want %s", c.days, sev, why, c.want)
		}
	}
	fwd := Email{Date: time.Date(2027, 11, 2, 9, 0, 0, 0, time.UTC), Body: "Please register our sender ID.\n\n" +
		"---------- Forwarded message ---------\nFrom: Recadia <avisos@mail.recadia.example>\nDate: Thu, Oct 28, 2027 at 3:05 PM\n" +
		"Subject: Registo obrigatório\n\nOs operadores vão bloquear as mensagens a partir do final do próximo mês."}
	if got := countFrom(fwd, DateOf(fwd.Date, time.UTC), time.UTC); got.String() != "2027-10-28" {
		t.Errorf("a forward's deadline counts from %s, want 2027-10-28", got)
	}
}

// TestOpeningAConsoleWithTheSignInIsSigningIn: "the fleet desk opens the
// Telemo Cloud console with StaffID through OpenID Connect" signs in
// through StaffID: a change to its OpenID Connect signing keys reaches it.
func TestOpeningAConsoleWithTheSignInIsSigningIn(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-s", Name: "Clavo", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"clavo.example"}}},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "StaffID", IsActive: true, VendorIDs: []string{"v-s"},
				Description: "Staff sign-in built on Clavo, which signs staff in to the other applications over SAML 2.0 and OpenID Connect."},
			{ID: "app-fleet", Name: "FleetTrack", IsActive: true,
				Description: "Vehicle tracking in Telemo Cloud. The fleet desk opens the Telemo Cloud console with StaffID through OpenID Connect."},
		},
	}
	e := Email{MessageID: "k@clavo.example", FromAddress: "notify@clavo.example", Date: testNow,
		Subject: "OpenID Connect signing key rotation on 30 June 2028",
		Body:    "The key Clavo signs OpenID Connect ID tokens with is rotated on 30 June 2028. Applications that pin the key must be updated before then."}
	if d := decideOffline(t, e, snap); !slices.Contains(d.AffectedApplicationIDs, "app-fleet") {
		t.Errorf("OpenID Connect keys rotated: %v, want app-fleet among them\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestSignInReachWhateverTheOwnUseIsSpared: an HR application that pushes
// starters through the identity vendor's SCIM API, which the email says
// is not touched, still signs in through the identity application over
// SAML: a SAML signing certificate change reaches it.
func TestSignInReachWhateverTheOwnUseIsSpared(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-c", Name: "Clavo", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"clavo.example"},
			Aliases: []string{"Clavo Workforce", "Clavo SCIM API"}}},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "StaffID", IsActive: true, VendorIDs: []string{"v-c"},
				Description: "Staff sign-in built on Clavo Workforce, which signs staff in to the other applications with SAML 2.0."},
			{ID: "app-hr", Name: "StaffHub", IsActive: true, VendorIDs: []string{"v-c"},
				Description: "HR and payroll. Managers sign in through StaffID with SAML. New starters are pushed to StaffID through the Clavo SCIM API."},
		},
	}
	e := Email{MessageID: "c@clavo.example", FromAddress: "notify@clavo.example", Date: testNow,
		Subject: "Your SAML signing certificate is rotated on 2 March 2028",
		Body: "The signing key and certificate Clavo Workforce signs SAML assertions with are replaced on 2 March 2028. Upload the new certificate to every " +
			"service provider before then, or sign-ins will fail.\n\nOpenID Connect clients and the SCIM API are not touched by this change."}
	if d := decideOffline(t, e, snap); !slices.Contains(d.AffectedApplicationIDs, "app-hr") {
		t.Errorf("SAML certificate: %v, want app-hr among them\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestRefusalsAndRulesInMoreWords: calls refused with an HTTP status,
// "will start refusing", a Swedish "slutar … (…) att fungera" with an
// aside and "besvaras med HTTP 401" are breaking; a rule that names "the
// SMS or Mail APIs" names the vendor's Mail API.
func TestRefusalsAndRulesInMoreWords(t *testing.T) {
	for _, body := range []string{
		"From 30 June 2028 uploads from SDK 4.x are refused with HTTP 426 and no damage report is produced.",
		"On 2028-07-15 the tile service will start refusing requests from the Maps SDK that use an unrestricted key.",
		"Den 15 mars 2029 slutar de gamla kontonycklarna (som börjar med \"sk_acct_\") att fungera i Mail API.",
		"Anrop med en sådan nyckel besvaras då med HTTP 401.",
	} {
		if s := readBreaking(Email{Subject: "Notice", Body: body}); !s.strong() {
			t.Errorf("%q: breaking signal %v, want strong", body, s)
		}
	}
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-s", Name: "Sendo", Tier: registry.Tier3, IsActive: true, EmailDomains: []string{"sendo.example"},
			Aliases: []string{"Sendo Mail API", "Sendo SMS"}}},
		Applications: []registry.Application{{ID: "app-msg", Name: "MemberMessaging", IsActive: true, VendorIDs: []string{"v-s"},
			Description: "E-mail to members through the Sendo Mail API with an account key."}},
		Rules: []registry.Rule{{ID: "r-msg", Name: "Member messaging", Severity: registry.SeverityHigh, IsActive: true, VendorID: "v-s",
			Text: "Sendo changes to the SMS or Mail APIs are high: class cancellations reach members through Sendo."}},
	}
	e := Email{MessageID: "k@sendo.example", FromAddress: "produkt@sendo.example", Date: testNow, Subject: "Behörighetsstyrda API-nycklar i Sendo Mail API",
		Body: "Den 15 mars 2029 slutar de gamla kontonycklarna att fungera i Sendo Mail API. Byt ut nycklarna senast den 15 mars 2029."}
	if d := decideOffline(t, e, snap); d.Severity != registry.SeverityHigh {
		t.Errorf("Mail API keys: %s, want high from the rule\n%s", d.Severity, d.Reasoning)
	}
}

// TestBreweryFerryWords: a Czech stop with words in between and a date
// written "15. 9. 2028", "stops delivering", a Finnish webinar whose
// registration closes (not a support end), and a Latvian status page
// ("Statuss: Izmeklējam") under way.
func TestBreweryFerryWords(t *testing.T) {
	for _, body := range []string{
		"Brána přestane certifikáty vydané autoritou Accizo Client CA 2025 přijímat 15. 9. 2028.",
		"From 2028-09-01, the Push API stops delivering notifications to installations on an SDK older than 6.0.",
	} {
		if s := readBreaking(Email{Subject: "Notice", Body: body}); !s.strong() {
			t.Errorf("%q: breaking signal %v, want strong", body, s)
		}
	}
	sent := time.Date(2028, 8, 1, 9, 0, 0, 0, time.UTC)
	if fd, ok := extractDate("Notice", "Brána přestane certifikáty přijímat 15. 9. 2028.", "x@vendor.example", "", sent, DateOf(sent, time.UTC), time.UTC); !ok || fd.date.String() != "2028-09-15" {
		t.Errorf("15. 9. 2028: %+v, want 2028-09-15", fd)
	}
	webinar := Email{MessageID: "w@skifto.example", FromAddress: "akatemia@skifto.example", Date: testNow, Subject: "Tilinpäätös sujuvammin",
		Body: "Tervetuloa webinaariin keskiviikkona 15.3.2028 klo 14.00.\nIlmoittautuminen päättyy 13.3.2028.\nIlmoittaudu: https://akatemia.skifto.example\nNähdään verkossa!"}
	if d := decideOffline(t, webinar, stageSnap()); d.Classification != Informational {
		t.Errorf("Finnish webinar: %s, want informational\n%s", d.Classification, d.Reasoning)
	}
	status := Email{MessageID: "s@skifto.example", FromAddress: "statuss@skifto.example", Date: testNow, Subject: "[Skifto] Izmeklējam: veidlapas netiek iesniegtas",
		Body: "SKIFTO STATUSS - INCIDENTS\nStatuss:  Izmeklējam\n\nDaļa apmeklētāju saņem kļūdu, un iesniegumi netiek saglabāti."}
	if !incidentUnderWay(status) {
		t.Error("a Latvian status page investigating is not read as an incident under way")
	}
}

// TestSignInFlowsAndServiceMessages: PKCE made mandatory for OpenID
// Connect apps reaches what signs in through the identity application
// over OpenID Connect; sessions "refused with the error …" are a
// breaking change; a service message's "cannot be unsubscribed" is no
// newsletter's unsubscribe link.
func TestSignInFlowsAndServiceMessages(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-k", Name: "Keylo", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"keylo.example"}}},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "BrewID", IsActive: true, VendorIDs: []string{"v-k"},
				Description: "Staff sign-in built on Keylo, which signs staff in to the other applications over OpenID Connect."},
			{ID: "app-tanks", Name: "TankWatch", IsActive: true,
				Description: "Fermentation tank sensors. Brewers open the dashboard with BrewID through OpenID Connect."},
		},
	}
	e := Email{MessageID: "p@keylo.example", FromAddress: "notify@keylo.example", Date: testNow, Subject: "PKCE becomes mandatory for OpenID Connect apps",
		Body: "From 2028-06-01 PKCE becomes mandatory for every OpenID Connect app of your tenant. Sign-ins without it will be refused."}
	if d := decideOffline(t, e, snap); !slices.Contains(d.AffectedApplicationIDs, "app-tanks") {
		t.Errorf("PKCE: %v, want app-tanks among them\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
	if s := readBreaking(Email{Subject: "Return URLs", Body: "Checkout sessions with an unregistered return URL are refused with the error return_url_not_registered."}); !s.strong() {
		t.Errorf("refused with the error: %v, want strong", s)
	}
	footer := Email{Subject: "Return URLs", Body: "Register your return URLs in the Dashboard.\n\nThis service message was sent to you because you are an " +
		"administrator. Service messages about your account cannot be unsubscribed."}
	if s := informationalSignal(footer); slices.Contains(s.found, `"unsubscribe"`) {
		t.Errorf("a service message read as a newsletter: %v", s)
	}
}
