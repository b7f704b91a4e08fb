package triage

import (
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestSpanishForwardedSent: the date line of a message forwarded by a
// Spanish mail program ("Enviado el:") is read.
func TestSpanishForwardedSent(t *testing.T) {
	if d, ok := forwardedSent("Enviado el: martes, 11 de mayo de 2027 16:12"); !ok || d.String() != "2027-05-11" {
		t.Errorf("%s %v, want 2027-05-11", d, ok)
	}
}

// TestGermanMaintenanceAndItalianRenewal: maintenance that needs "keine
// Maßnahme Ihrerseits" and a renewal on the same terms with nothing to
// sign are informational.
func TestGermanMaintenanceAndItalianRenewal(t *testing.T) {
	cases := []struct{ name, subject, body string }{
		{"German maintenance", "Geplante Wartung der Kestrel Cloud am 13.06.2027",
			"Am Sonntag, 13.06.2027, zwischen 02:00 und 04:00 Uhr führen wir Wartungsarbeiten an der Datenbankplattform durch. Es ist keine Maßnahme Ihrerseits erforderlich."},
		{"German renewal", "Ihre Kestrel-Verlängerung",
			"Ihr Vertrag verlängert sich am 30. September 2027 automatisch um weitere 12 Monate, zu unveränderten Konditionen und ohne Änderungen am Leistungsumfang."},
		{"Italian renewal", "Rinnovo contratto Kestrel 2028",
			"Il contratto scade il 31 dicembre 2027. Il rinnovo è automatico per dodici mesi alle stesse condizioni; non serve alcuna firma."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := Email{MessageID: "g@kestrelid.example", FromAddress: "team@kestrelid.example", Date: testNow, Subject: c.subject, Body: c.body}
			if d := decideOffline(t, e, identityProductsRegistry()); d.Classification != Informational {
				t.Errorf("%s, want informational\n%s", d.Classification, d.Reasoning)
			}
		})
	}
}

// TestRomanceStops: what stops, and "action required", in Portuguese,
// Spanish and Italian notices are a breaking change.
func TestRomanceStops(t *testing.T) {
	for _, text := range []string{
		"Em 30 de setembro de 2027 deixamos de enviar o cabeçalho antigo.",
		"El 1 de octubre de 2027 dejaremos de aceptar las claves antiguas.",
		"Dal 1° ottobre 2027 smetteremo di inviare le notifiche firmate con SHA-1.",
		"Ação necessária: atualize o certificado AS2 antes de 15 de julho de 2027.",
		"Die Version 2 wird am 15. Oktober 2027 abgeschaltet.",
		"Vanaf 1 oktober 2027 worden verzoeken met de oude tokens geweigerd.",
		"L'ancienne interface sera arrêtée le 30 juin 2028.",
	} {
		if s := breakingSignal(Email{Subject: "Aviso", Body: text}); !s.strong() {
			t.Errorf("%q: %+v, want a breaking change", text, s)
		}
	}
}

// TestRuleNamesAppOfAnotherAlias: a rule that names an application does
// not reach it when the email is about another of the vendor's products
// than the one (an alias, "Payvo hosted checkout") it uses.
func TestRuleNamesAppOfAnotherAlias(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-payvo", Name: "Payvo", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"payvo.example"}, Aliases: []string{"Payvo hosted checkout", "Payvo Payments API"}}},
		Applications: []registry.Application{
			{ID: "app-checkout", Name: "Checkout", IsActive: true, IsCritical: true, VendorIDs: []string{"v-payvo"},
				Description: "The payment step of the shop: customers pay by card on the Payvo hosted checkout."},
			{ID: "app-support", Name: "Helpdesk", IsActive: true, VendorIDs: []string{"v-payvo"},
				Description: "Customer support. Refunds are issued through the Payvo Payments API with a secret API key."},
		},
		Rules: []registry.Rule{{ID: "rule-pay", Name: "Payments", Severity: registry.SeverityCritical, VendorID: "v-payvo", IsActive: true,
			Text: "Payvo changes to API keys, merchant settings or the hosted checkout are critical: customers pay through Checkout."}},
	}
	checkReach(t, snap, "developers@payvo.example", []reachCase{{"legacy API keys", "Payvo Payments API: legacy secret keys will stop working",
		"Legacy secret keys of the Payvo Payments API will stop working on 31 October 2027. Replace them with restricted keys before then; requests with a legacy key will be refused.",
		[]string{"app-support"}, []string{"app-checkout"}}})
}

// TestDayOnTheNextLine: "bis zum" at the end of a line and "15. März
// 2028" at the start of the next are one deadline, not a list item; and
// a timeline's "retirement announced" row is a step before the
// retirement.
func TestDayOnTheNextLine(t *testing.T) {
	sent := time.Date(2027, 11, 2, 9, 0, 0, 0, time.UTC)
	for body, want := range map[string]string{
		"Die Version 7.0 steht ab dem 01.02.2028 im Kundenportal zum Download bereit.\n\n" +
			"Erforderliche Maßnahme: Aktualisieren Sie alle Handscanner bis zum\n15. März 2028 auf Stockhelm Mobile 7.0.": "2028-03-15",
		"Timeline\n11/02/2027 | Retirement announced\n11/30/2027 | v1 retired: all requests rejected\n": "2027-11-30",
	} {
		fd, ok := extractDate("Notice", body, "service@kestrelid.example", "", sent, DateOf(sent, time.UTC), time.UTC)
		if !ok || fd.date.String() != want {
			t.Errorf("%q: %s %v (%q), want %s", body, fd.date, ok, fd.text, want)
		}
	}
	if continues(strings.Repeat("x", 60)+" bis zum", "15. März 2028 auf Version 7.") != true {
		t.Error("a dotted day with a month's name after it is not a list item")
	}
	if continues(strings.Repeat("x", 60)+" the steps are", "2. Marketing consent is read") {
		t.Error("a numbered item whose word only starts like a month is a list item")
	}
}

// TestWebhookSecretsRotated: webhook signing secrets rotated on a
// schedule reach the application that receives the vendor's webhooks, not
// the one that calls its API with a key; exposed secrets reach both.
func TestWebhookSecretsRotated(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-routa", Name: "Routa", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"routa.example"}, Aliases: []string{"Routa Routing API"}}},
		Applications: []registry.Application{
			{ID: "app-dispatch", Name: "Dispatch", IsActive: true, VendorIDs: []string{"v-routa"},
				Description: "Rider dispatch: each order is posted to the Routa Routing API with an API key."},
			{ID: "app-notify", Name: "Notices", IsActive: true, VendorIDs: []string{"v-routa"},
				Description: "Order updates to customers. Rider events come in as Routa webhooks signed with a shared secret."},
		},
	}
	checkReach(t, snap, "developers@routa.example", []reachCase{
		{"scheduled rotation", "Webhook signing secrets rotate on May 3rd",
			"As part of our yearly secret rotation, webhook signing secrets rotate on the 3rd of May 2027. Reveal the new secret in the console and update your verification; events signed with the new secret will be rejected by endpoints that still use the old one.",
			[]string{"app-notify"}, []string{"app-dispatch"}},
		{"exposed secrets", "Security incident: rotate your webhook signing secrets",
			"A security incident exposed webhook signing secrets and API credentials. Rotate your webhook signing secrets and API keys within 5 days.",
			[]string{"app-notify", "app-dispatch"}, nil},
	})
}

// TestVendorFeaturesOfAnyText: the vendor's features are read from text
// whose lower case is longer than it ("İ"), and from text that ends with
// the vendor's name and spaces, without a panic.
func TestVendorFeaturesOfAnyText(t *testing.T) {
	v := registry.Vendor{ID: "v-visa", Name: "Visa"}
	for _, text := range []string{"İİİİİİİİİİİİ Visa ab", "The change is described by Visa   ", "Visa webhooks"} {
		_ = vendorFeatures(text, v)
	}
	if f := vendorFeatures("Confirmed by Visa webhooks.", v); f["webhook"] == "" {
		t.Errorf("features %v, want webhook", f)
	}
}

// TestForeignNoLongerGateSkipsEnglish: the words that gate the pattern
// for "no longer" in other languages are not common English ones ("ser"
// in "user", "refuse"), so English mail does not pay for it; the
// pattern still reads what it is for.
func TestForeignNoLongerGateSkipsEnglish(t *testing.T) {
	english := "The server will refuse requests from users whose browser sends an expired certificate; please renew it."
	if foreignNoLongerRE.mayMatch(strings.ToLower(english)) {
		t.Errorf("the gate passes English text: %q", foreignNoLongerRE.words)
	}
	for _, text := range []string{"Ya no será posible usar la versión 1.", "La version 1 sera refusée à partir du 1er mars.", "Die alte API wird nicht mehr unterstützt."} {
		if foreignNoLongerRE.FindString(text) == "" {
			t.Errorf("%q: not read", text)
		}
	}
}

// TestAccentedLastLetters: a form that ends with an accented letter
// ("sera refusé", "ei vaadi toimenpiteitä", "nincs teendő", "non sarà
// più", "przestanie działać") is read when
// a space or a full stop follows it: a word boundary after such a letter
// never matches, so these patterns end without one.
func TestAccentedLastLetters(t *testing.T) {
	if foreignNoLongerRE.FindString("Tout appel à la version 1 sera refusé à partir du 1er mars.") == "" {
		t.Error(`"sera refusé" not read`)
	}
	if romanceStopRE.FindString("L'ancienne interface sera arrêté le 30 juin.") == "" {
		t.Error(`"sera arrêté" not read`)
	}
	for _, text := range []string{"Päivitys ei vaadi toimenpiteitä.", "A karbantartás miatt nincs teendő."} {
		if moreNoActionRE.FindString(text) == "" {
			t.Errorf("%q: not read", text)
		}
	}
	for _, text := range []string{"La versione 1 non sarà più disponibile.", "Stara wersja przestanie działać 1 marca.",
		"Stare klucze odrzucą serwery.", "Wnioski budou odmítnuté od 1. března."} {
		if foreignNoLongerRE.FindString(text) == "" && moreNoLongerRE.FindString(text) == "" {
			t.Errorf("%q: not read", text)
		}
	}
	for _, text := range []string{"Nie wymaga to żadnych działań.", "Nie muszą Państwo nic robić."} {
		if foreignNoActionRE.FindString(text) == "" {
			t.Errorf("%q: not read", text)
		}
	}
}
