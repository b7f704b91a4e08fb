package triage

import (
	"slices"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// The rules first met on the dental clinic chain's and the water
// utility's mail.

// clinicSnap is a registry of a tier_2 imaging vendor with a cloud and an
// on-premise product, and a tier_3 telephony vendor.
func clinicSnap() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{
			{ID: "v-radix", Name: "Radix", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"radix.example"},
				Aliases: []string{"Radix PACS Cloud"}},
			{ID: "v-ringo", Name: "Ringo", Tier: registry.Tier3, IsActive: true, EmailDomains: []string{"ringo.example"}},
		},
		Applications: []registry.Application{
			{ID: "app-img", Name: "Imaging", IsActive: true, VendorIDs: []string{"v-radix"},
				Description: "X-ray images are stored in Radix PACS Cloud."},
			{ID: "app-phones", Name: "Phones", IsActive: true, VendorIDs: []string{"v-ringo"},
				Description: "Desk phones and softphones on Ringo Voice."},
		},
	}
}

// TestAdvisoryListsAffectedProductsNoApplicationRuns: an advisory whose
// list of affected products names none an application runs, beside a
// list of what is not affected, is informational; one that says it
// applies to the reader, or lists a product run as the registry says, is
// not.
func TestAdvisoryListsAffectedProductsNoApplicationRuns(t *testing.T) {
	snap := clinicSnap()
	advisory := "Radix Security Advisory RX-SA-2027-04\nSeverity: High\n\nAffected products\n  Radix PACS On-Premise 7.0 to 7.3\n\n" +
		"Not affected\n  Radix PACS Cloud (all regions)\n\nRemediation\nInstall 7.3.2 or later within 14 days.\n"
	e := Email{MessageID: "adv@radix.example", FromAddress: "security@radix.example", Date: testNow,
		Subject: "Radix Security Advisory RX-SA-2027-04", Body: advisory}
	if d := decideOffline(t, e, snap); d.Classification != Informational {
		t.Errorf("an advisory for the on-premise product: %s, want informational\n%s", d.Classification, d.Reasoning)
	}
	e.Body = "The advisory applies to your estate.\n\n" + advisory
	if d := decideOffline(t, e, snap); d.Classification != Actionable {
		t.Errorf("an advisory that applies to the reader: %s, want actionable\n%s", d.Classification, d.Reasoning)
	}
	// Run on premises as the registry says: the advisory is for it.
	snap.Applications[0].Description = "X-ray images are stored in Radix PACS on two on-premises servers."
	e.Body = advisory
	if d := decideOffline(t, e, snap); d.Classification != Actionable {
		t.Errorf("with the product run on premises: %s, want actionable\n%s", d.Classification, d.Reasoning)
	}
	// A sentence that starts with "affected" is no list.
	snap = clinicSnap()
	e.Body = "Calls to the Radix Image API must use the new host before 1 December 2027; the old host is switched off then. " +
		"Image viewers are not\naffected, and no app update is needed."
	if d := decideOffline(t, e, snap); d.Classification != Actionable {
		t.Errorf("a host change: %s, want actionable\n%s", d.Classification, d.Reasoning)
	}
}

// TestAdvisoryForCustomersWhoRunItOnTheirOwnInfrastructure: "customers who
// run X on their own infrastructure must upgrade" beside a cloud service
// spared asks nothing of the cloud service's customers.
func TestAdvisoryForCustomersWhoRunItOnTheirOwnInfrastructure(t *testing.T) {
	e := Email{MessageID: "adv2@radix.example", FromAddress: "security@radix.example", Date: testNow,
		Subject: "Security advisory: Radix Gateway Server",
		Body: "Customers who run Radix Gateway Server on their own infrastructure must upgrade to 7.3.5 within 14 days. " +
			"The Radix PACS Cloud service does not use the affected component. Cloud customers do not need to do anything."}
	if d := decideOffline(t, e, clinicSnap()); d.Classification != Informational {
		t.Errorf("%s, want informational\n%s", d.Classification, d.Reasoning)
	}
}

// TestMoreWaysOfSayingNothingToDo: Danish, Portuguese and Italian ways of
// saying that nothing is to be done or changes, a denied loss, what is
// off only by default, and a vendor's user conference.
func TestMoreWaysOfSayingNothingToDo(t *testing.T) {
	snap := clinicSnap()
	for _, c := range []struct{ name, subject, body string }{
		{"Danish maintenance", "Planlagt vedligeholdelse: Ringo Voice 9. december",
			"Vi opgraderer platformen natten til torsdag den 9. december 2027. I skal ikke foretage jer noget. Konfigurationen ændres ikke."},
		{"Portuguese renewal", "Renovação da subscrição Ringo - sem alterações",
			"A subscrição renova automaticamente a 1 de outubro de 2027, nas mesmas condições e com o mesmo preço. Não é preciso fazerem nada."},
		{"Italian note", "Un saluto da Ringo",
			"Il contratto resta invariato fino alla scadenza di aprile 2029: non c'è nulla da fare da parte vostra."},
		{"a loss denied", "Planned maintenance, 21 November 2027",
			"We will upgrade the media servers on Sunday 21 November 2027. Calls in progress will not be dropped. No action is required."},
		{"features off by default", "Ringo release 27.10 is live",
			"New endpoint /v3/usage for daily usage. Features that change how your staff work are switched off by default. No action is needed."},
		{"a user conference", "Ringo Connect 2027 - Lisbon, 18-19 November",
			"Ringo Connect, our user conference, comes to Lisbon on 18-19 November 2027. Early-bird registration is open until 30 September 2027. See you in Lisbon!"},
	} {
		e := Email{MessageID: c.name + "@ringo.example", FromAddress: "hello@ringo.example", Date: testNow, Subject: c.subject, Body: c.body}
		if d := decideOffline(t, e, snap); d.Classification != Informational {
			t.Errorf("%s: %s, want informational\n%s", c.name, d.Classification, d.Reasoning)
		}
	}
	// A loss that is not denied stays a loss.
	e := Email{MessageID: "drop@ringo.example", FromAddress: "hello@ringo.example", Date: testNow, Subject: "SIP over UDP",
		Body: "From 1 February 2028, registrations over UDP will be dropped. Move every phone to TLS."}
	if d := decideOffline(t, e, snap); d.Classification != Actionable || !d.IsBreaking {
		t.Errorf("a loss: %s breaking %v, want actionable and breaking\n%s", d.Classification, d.IsBreaking, d.Reasoning)
	}
}

// TestMoreWaysOfSayingWhatStops: Swedish, Danish and Polish words for a
// product phased out, shut off, made mandatory or blocked; and English
// "stops importing".
func TestMoreWaysOfSayingWhatStops(t *testing.T) {
	for _, body := range []string{
		"Nu avvecklar vi v1. Den 31 januari 2028 stängs v1 av helt.",
		"Fredagen den 10 december 2027 slutar statiska API-nycklar att fungera.",
		"Kryptering bliver obligatorisk på Ringo Voice fra 1. februar 2028.",
		"Od 1 marca 2028 r. wiadomości z niezarejestrowaną nazwą nadawcy będą blokowane przez operatorów.",
		"Once a consent has expired, Bank Connect stops importing transactions for those accounts.",
	} {
		if s := readBreaking(Email{Subject: "Notice", Body: body}); !s.strong() {
			t.Errorf("%q: breaking signal %v, want strong", body, s)
		}
	}
}

// TestTimelineDeadlineRepeatedWins: of a timeline's steps, the day the
// email gives again as the deadline for what the reader must do wins
// over an earlier step given once, whatever the language.
func TestTimelineDeadlineRepeatedWins(t *testing.T) {
	sent := time.Date(2027, 9, 14, 11, 0, 0, 0, time.UTC)
	checkDates(t, "Open API v1", "dev@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"English", "We retire v1 in two steps:\n  - Starting 1 November 2027 you can no longer create API keys for v1.\n" +
			"  - On 31 January 2028 v1 is switched off.\nMove every integration to v2 before 31 January 2028.", "2028-01-31"},
		{"Swedish", "Nu avvecklar vi v1 i två steg:\n  - Från och med den 1 november 2027 går det inte att skapa nya API-nycklar.\n" +
			"  - Den 31 januari 2028 stängs v1 av helt.\nFlytta alla integrationer till v2 före den 31 januari 2028.", "2028-01-31"},
		// Given once each, the soonest still wins.
		{"two steps, each once", "Starting 1 November 2027 new keys are refused. Old keys are refused from 31 January 2028.", "2027-11-01"},
	})
}

// TestBusinessDaysAndMonthEnds: "within 20 business days of this notice",
// "10 working days after the date of this notice" and "by the end of next
// month" count from the email's date.
func TestBusinessDaysAndMonthEnds(t *testing.T) {
	sent := time.Date(2027, 12, 14, 16, 40, 0, 0, time.UTC) // a Tuesday
	checkDates(t, "Notice", "notices@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"business days of this notice", "Within 20 business days of this notice, payments from old SDKs will fail.", "2028-01-11"},
		{"working days after", "Legacy tokens will stop working 10 working days after the date of this notice.", "2027-12-28"},
		{"the end of next month", "We will accept claims only in schema 2.4 by the end of next month.", "2028-01-31"},
		{"the end of this month", "Old keys are refused after the end of this month.", "2027-12-31"},
	})
}

// TestFailuresAheadAndRefusalsInMoreLanguages: what fails for a reader who
// does not act, and refusals in French, Portuguese and Danish, are
// breaking changes.
func TestFailuresAheadAndRefusalsInMoreLanguages(t *testing.T) {
	for _, body := range []string{
		"Requests from the new ranges that your origin refuses will reach your visitors as HTTP 502 errors.",
		"Change the callback URL before the end of February 2028, or your system will stop learning when a patient has signed.",
		"From the end of February 2028, plain HTTP callback URLs are no longer called.",
		"L'API Résultats v1 sera définitivement arrêtée le 14 janvier 2028.",
		"Les exports automatiques qui s'appuient sur la v1 ne recevront plus aucun résultat.",
		"A partir dessa data, as mensagens enviadas com um remetente não registado serão bloqueadas pelos operadores.",
		"Fra den 01.03.2028 afviser vi kald til Map Tiles med browsernøgler, der ikke er begrænset.",
	} {
		if s := readBreaking(Email{Subject: "Notice", Body: body}); !s.strong() {
			t.Errorf("%q: breaking signal %v, want strong", body, s)
		}
	}
}

// TestRulesMatchMailInOtherLanguages: a rule written in English about
// sender IDs applies to Portuguese mail about "remetentes".
func TestRulesMatchMailInOtherLanguages(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-avis", Name: "Avisa", Tier: registry.Tier3, IsActive: true, EmailDomains: []string{"avisa.example"}}},
		Applications: []registry.Application{{ID: "app-sms", Name: "Alerts", IsActive: true, VendorIDs: []string{"v-avis"},
			Description: "SMS alerts to customers sent through Avisa SMS with the sender ID AQUA."}},
		Rules: []registry.Rule{{ID: "rule-sms", Name: "Customer SMS alerts", Severity: registry.SeverityHigh, IsActive: true, VendorID: "v-avis",
			Text: "Avisa changes to sender IDs, the Alerts API or its keys are high: customers are warned by SMS."}},
	}
	e := Email{MessageID: "reg@avisa.example", FromAddress: "apoio@avisa.example", Date: testNow,
		Subject: "Registo obrigatório de remetentes até ao final de março de 2028",
		Body: "Todos os remetentes alfanuméricos de SMS têm de estar inscritos no registo nacional até ao final de março de 2028. " +
			"A partir dessa data, as mensagens com um remetente não registado serão bloqueadas."}
	d := decideOffline(t, e, snap)
	if len(d.MatchedRuleIDs) != 1 || d.Severity != registry.SeverityHigh {
		t.Errorf("rules %v, severity %s; want rule-sms, high\n%s", d.MatchedRuleIDs, d.Severity, d.Reasoning)
	}
}

// TestStatusPageNotAffectedHeading: a status page whose "Not affected"
// list follows an affected sign-in component does not say that signing
// in is spared: an incident at the push approval every sign-in goes
// through reaches every application that signs in through the identity
// application.
func TestStatusPageNotAffectedHeading(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-lock", Name: "Lockly", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"lockly.example"}, Aliases: []string{"Lockly Workforce", "Lockly Approve", "Lockly Patient ID"}}},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "StaffID", IsActive: true, IsCritical: true, VendorIDs: []string{"v-lock"},
				Description: "Staff sign-in, built on Lockly Workforce. Every sign-in is approved with a push notification in the Lockly Approve app."},
			{ID: "app-pay", Name: "Payroll", IsActive: true, VendorIDs: []string{},
				Description: "Payroll on Lonny. Payroll staff sign in with StaffID via SAML."},
			{ID: "app-app", Name: "PatientApp", IsActive: true, VendorIDs: []string{"v-lock"},
				Description: "The patient app. Patients log in with Lockly Patient ID."},
		},
	}
	e := Email{MessageID: "inc@status.lockly.example", FromAddress: "noreply@status.lockly.example", Date: testNow,
		Subject: "[Lockly Status] Delayed push notifications in Lockly Approve (EU)",
		Body: "Status: Investigating\n\nWe are investigating reports that Lockly Approve push notifications for Workforce sign-ins " +
			"arrive late. Users may be unable to finish signing in.\n\nAffected components\n  - Lockly Workforce (EU) - sign-in with push approval\n" +
			"Not affected\n  - Lockly Patient ID\n  - Lockly Workforce (US, APAC)\n\nWe will post the next update within 30 minutes."}
	d := decideOffline(t, e, snap)
	if !slices.Equal(sorted(d.AffectedApplicationIDs), []string{"app-pay", "app-sso"}) {
		t.Errorf("applications %v, want app-pay and app-sso\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestStatusFieldIsNotWhatIsSpared: a status page's "Affected: <CDN> -
// Stockholm" line is not part of the "working normally" sentence after
// it, so what goes through the CDN is reached.
func TestStatusFieldIsNotWhatIsSpared(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{
			{ID: "v-nim", Name: "Nimbo", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"nimbo.example"},
				Aliases: []string{"Nimbo CDN", "Nimbo Edge"}},
			{ID: "v-slot", Name: "Slotty", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"slotty.example"}},
		},
		Applications: []registry.Application{
			{ID: "app-book", Name: "OnlineBooking", IsActive: true, VendorIDs: []string{"v-slot", "v-nim"},
				Description: "Online appointment booking, run on Slotty Booking: patients choose a time on book.clinic.example, " +
					"Slotty's hosted booking pages under our own domain, fronted by the Nimbo CDN. Reception staff manage the calendars in Slotty Admin."},
			{ID: "app-web", Name: "Website", IsActive: true, VendorIDs: []string{"v-nim"},
				Description: "The public website clinic.example, delivered via Nimbo."},
		},
	}
	e := Email{MessageID: "arn@status.nimbo.example", FromAddress: "status@nimbo.example", Date: testNow,
		Subject: "Elevated 5xx errors at the Stockholm (ARN) edge",
		Body: "NIMBO STATUS - INCIDENT\nStatus: Investigating\n\nWe are seeing elevated rates of 502 and 504 responses for requests\n" +
			"served from our Stockholm (ARN) point of presence. Visitors may see errors or slow page loads on sites and apps served\n" +
			"through Nimbo. We have begun shifting traffic to Copenhagen while we investigate.\n\n" +
			"Affected: Nimbo CDN - Stockholm (ARN)\nDashboard, API and purge are working normally.\n\nNext update: 14:15 UTC\n"}
	if d := decideOffline(t, e, snap); !slices.Equal(sorted(d.AffectedApplicationIDs), []string{"app-book", "app-web"}) {
		t.Errorf("applications %v, want app-book and app-web\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestIncidentNamingAnotherProductFailing: an incident at one product
// that says another of the vendor's products fails too reaches the
// applications that use that one.
func TestIncidentNamingAnotherProductFailing(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-rad", Name: "Radix", Tier: registry.Tier2, IsActive: true,
			EmailDomains: []string{"radix.example"}, Aliases: []string{"Radix PACS Cloud", "Radix DICOMweb API"}}},
		Applications: []registry.Application{
			{ID: "app-img", Name: "Imaging", IsActive: true, VendorIDs: []string{"v-rad"},
				Description: "The imaging archive on Radix PACS Cloud."},
			{ID: "app-rec", Name: "Records", IsActive: true, VendorIDs: []string{"v-rad"},
				Description: "Patient records. X-ray images are shown in the chart by querying the archive through the Radix DICOMweb API."},
		},
	}
	e := Email{MessageID: "euc@status.radix.example", FromAddress: "status@radix.example", Date: testNow,
		Subject: "Radix PACS Cloud - Identified: slow image retrieval",
		Body: "Status: Identified\n\nOpening studies in the web viewer and retrieving images through the DICOMweb API currently take several minutes or time out. " +
			"One storage node is degraded; we are moving its volumes."}
	if d := decideOffline(t, e, snap); !slices.Equal(sorted(d.AffectedApplicationIDs), []string{"app-img", "app-rec"}) {
		t.Errorf("applications %v, want app-img and app-rec\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}
