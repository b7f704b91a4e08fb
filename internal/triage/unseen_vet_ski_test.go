package triage

import (
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// The rules first met on the veterinary chain's and the ski resorts' mail.

// resortSnap is a registry of one tier_2 vendor with one application.
func resortSnap() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-pk", Name: "Pistro", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"pistro.example"}}},
		Applications: []registry.Application{{ID: "app-pms", Name: "StayDesk", IsActive: true, VendorIDs: []string{"v-pk"},
			Description: "Hotel bookings on the Pistro PMS."}},
	}
}

// TestMoreInvitationsAndFeeSchedules: a German customer day with an
// early-bird price, and a fee schedule with nothing to sign, are
// informational.
func TestMoreInvitationsAndFeeSchedules(t *testing.T) {
	for _, c := range []struct{ subject, body string }{
		{"Pistro Kundentag 2028", "Wir laden Sie herzlich zum Pistro Kundentag 2028 ein: am 20. und 21. April 2028 in Innsbruck.\n" +
			"Frühbucherpreis: EUR 390 bis zum 31.01.2028.\nAnmeldung: https://events.pistro.example/kundentag"},
		{"Your fee schedule for 2028", "Your fee schedule for 2028 is now available. From 1 January 2028 the following list prices apply to your contract. " +
			"There is nothing to sign and nothing to change in your integration."},
	} {
		e := Email{MessageID: c.subject + "@pistro.example", FromAddress: "news@pistro.example", Date: testNow, Subject: c.subject, Body: c.body}
		if d := decideOffline(t, e, resortSnap()); d.Classification != Informational {
			t.Errorf("%q: %s, want informational\n%s", c.subject, d.Classification, d.Reasoning)
		}
	}
}

// TestIncidentsUnderWayInFrenchAndGerman: a French or German status page
// update of an incident under way at a tier_2 vendor is high.
func TestIncidentsUnderWayInFrenchAndGerman(t *testing.T) {
	for _, c := range []struct{ subject, body string }{
		{"Incident en cours : lenteurs sur le PMS", "Investigation en cours - 16:38\nDepuis 16:05, une partie des établissements constate des erreurs 502 dans le PMS."},
		{"Störung: Verzögerte Übermittlung", "Status: Ursache identifiziert\nAktualisierung 09:45 MEZ\nBefunde erreichen die Empfangssysteme mit bis zu 90 Minuten Verspätung."},
	} {
		e := Email{MessageID: c.subject + "@status.pistro.example", FromAddress: "noreply@status.pistro.example", Date: testNow, Subject: c.subject, Body: c.body}
		if d := decideOffline(t, e, resortSnap()); d.Classification != Actionable || d.Severity != registry.SeverityHigh {
			t.Errorf("%q: %s %s, want actionable high\n%s", c.subject, d.Classification, d.Severity, d.Reasoning)
		}
	}
}

// TestMoreRefusalsAndStops: Italian, French and English words for what a
// reader who does not act loses.
func TestMoreRefusalsAndStops(t *testing.T) {
	for _, body := range []string{
		"Da quel momento le postazioni non potranno più sincronizzare noleggi e magazzino.",
		"Dopo quella data, il Sistema di Interscambio scarterà le fatture con i codici non più validi.",
		"À compter du 01/04/2028, nos serveurs n'accepteront plus les connexions des lecteurs 2.x.",
		"After February 15th, 2028 statements from these accounts will stop arriving in Balantra Finance.",
	} {
		if s := readBreaking(Email{Subject: "Notice", Body: body}); !s.strong() {
			t.Errorf("%q: breaking signal %v, want strong", body, s)
		}
	}
}

// TestDateFormsOfResortMail: quarters in other languages, a webinar in French, the
// old relays' remaining life in German and the step at which a new
// signing certificate takes over.
func TestDateFormsOfResortMail(t *testing.T) {
	sent := time.Date(2027, 8, 16, 11, 0, 0, 0, time.UTC)
	checkDates(t, "Avviso", "notices@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"an Italian quarter", "Entro la fine del primo trimestre 2028 ogni società deve aggiornare i codici IVA.", "2028-03-31"},
		{"a French quarter", "La version 1 sera arrêtée au deuxième trimestre 2028.", "2028-06-30"},
		{"a French webinar", "La version 2 sera arrêtée le 1er février 2028.\nNous présenterons la v3 lors d'un webinaire le 9 novembre 2027.", "2028-02-01"},
		{"the old relays' remaining life", "Ab dem 08.11.2027 verbinden sich die Gateways nur noch mit den neuen Relays.\n" +
			"Die bisherigen Relays (91.214.60.0/24) bleiben bis zum 06.12.2027 für bestehende Verbindungen erreichbar.", "2027-11-08"},
		{"a new signing certificate takes over", "The certificate that signs your SAML responses expires on 2 November 2027.\n" +
			"Monday 16 August 2027 | Successor certificate added to the metadata\n" +
			"Tuesday 14 September 2027 | SAML responses are signed with the successor certificate only\n" +
			"Tuesday 12 October 2027 | Current certificate removed from the metadata", "2027-09-14"},
	})
}
