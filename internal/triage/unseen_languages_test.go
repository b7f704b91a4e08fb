package triage

import (
	"testing"
	"time"
)

// TestDatesInOtherLanguages: Dutch, French, Spanish and Italian mail
// writes its dates and deadline words in its own language; they are read
// as their English forms are, and a deadline word beats a "from" that
// names an earlier step.
func TestDatesInOtherLanguages(t *testing.T) {
	sent := time.Date(2027, 2, 10, 9, 0, 0, 0, time.UTC)
	cases := []struct{ name, lang, body, want string }{
		{"Dutch, before beats from", "nl-NL", "U kunt de vervangende gateways vanaf 01-03-2027 bestellen. Vervang deze uiterlijk op 31-05-2027 door de TG-300.", "2027-05-31"},
		{"a Dutch month name", "nl-NL", "Pas de controle van de handtekening aan, vóór 1 juni 2027.", "2027-06-01"},
		{"a Spanish date", "es-ES", "A partir del 1 de abril de 2027, los tokens de la API v1 dejarán de funcionar.", "2027-04-01"},
		{"a Spanish deadline beats an availability", "es-ES", "El nuevo portal estará disponible desde el 15 de febrero de 2027. Genere un token nuevo antes del 1 de abril de 2027.", "2027-04-01"},
		{"the end of a French month", "fr-FR", "Mettez à jour la configuration avant la fin juin 2027.", "2027-06-30"},
		{"a French ordinal", "fr-FR", "L'ancienne adresse sera désactivée à partir du 1er avril 2027.", "2027-04-01"},
		{"an Italian date", "it-IT", "Aggiornate il certificato entro il 30 giugno 2027.", "2027-06-30"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fd, ok := extractDate("Notice", c.body, "notices@vendor.example", c.lang, sent, DateOf(sent, time.UTC), time.UTC)
			if !ok || fd.date.String() != c.want {
				t.Errorf("date %s from %q (%s), want %s", fd.date, fd.text, fd.note, c.want)
			}
		})
	}
	t.Run("English words that name a foreign month are no date", func(t *testing.T) {
		if got := inEnglish("Mars rover update 2027: mai tai at 5"); got != "Mars rover update 2027: mai tai at 5" {
			t.Errorf("rewritten to %q", got)
		}
	})
}

// TestMoreRelativeDates: "this Friday" and "the end of the month" count
// from the email's date; the step that swaps a certificate ("rollover")
// or starts a change ("begins") beats the old one's later expiry or
// retirement in a timeline; a validation environment's row loses to
// production's.
func TestMoreRelativeDates(t *testing.T) {
	sent := time.Date(2027, 2, 9, 21, 0, 0, 0, time.UTC) // a Tuesday
	cases := []struct{ name, body, want string }{
		{"this Friday", "We will revoke all Email API keys created before 8 February 2027 this Friday at 12:00 UTC.", "2027-02-12"},
		{"the end of the month", "Your SCIM token expires at the end of the month. Create a replacement before then.", "2027-02-28"},
		{"a rollover row", "Step | Date\nNew certificate published | January 20th, 2027\nRollover: assertions signed only with the new certificate | March 3rd, 2027\nCurrent certificate expires | April 14th, 2027\nImport the new certificate before the rollover.", "2027-03-03"},
		{"a row that begins the change", "Milestone | Date\nNew ranges published | 2027-01-28\nOrigin connections from the new ranges begin | 2027-05-03\nLegacy range retired | 2027-07-31\nAllow the new ranges before connections from them begin.", "2027-05-03"},
		{"a validation environment's row", "Environment   Old certificates refused from\nValidation (qa.vendor.example)   11 May 2027\nProduction (upload.vendor.example)   22 June 2027", "2027-06-22"},
	}
	wantDates(t, sent, cases)
}

// TestOtherLanguagesSayInformationalAndBreaking: a newsletter, survey,
// webinar or fee notice in Dutch, Spanish or French is informational as
// its English form is, and "no longer" in Dutch, Spanish and French is
// breaking-change language ("niet meer dan", "not more than", is not).
func TestOtherLanguagesSayInformationalAndBreaking(t *testing.T) {
	for _, c := range []struct{ name, body string }{
		{"a Dutch newsletter", "Thermisense Nieuwsbrief winter 2027\nNieuw in het portaal: rapporten als PDF.\nAfmelden"},
		{"a Dutch fee notice", "Per 1 april 2027 wijzigen onze tarieven. De nieuwe tarieven worden automatisch toegepast; u hoeft niets te doen."},
		{"a Spanish survey", "Responda a nuestra encuesta anual de satisfacción antes del 28 de febrero de 2027."},
		{"a French webinar", "Nous vous invitons à notre webinaire le jeudi 25 mars 2027. Inscription : https://www.vendor.example/webinaires"},
		{"English office hours", "Deliverability Office Hours - live on 4 March 2027. Register: https://vendor.example/events"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := Email{Subject: "Notice", Body: c.body}
			if s := informationalSignal(e); !s.strong() || breakingSignal(e).strong() {
				t.Errorf("informational %q (%d), breaking %q", s, s.score, breakingSignal(e))
			}
		})
	}
	for _, c := range []struct {
		name, body string
		breaking   bool
	}{
		{"Dutch geen … meer", "Gateways kunnen na 31-05-2027 geen meetwaarden en alarmen meer doorsturen.", true},
		{"Dutch niet meer", "De oude header wordt dan niet meer meegestuurd.", true},
		{"Dutch niet meer dan", "Een bericht mag niet meer dan 10 MB zijn.", false},
		{"Spanish dejarán de funcionar", "Los tokens de la API v1 dejarán de funcionar.", true},
		{"French ne pourront plus", "Vos apprenants ne pourront plus se connecter.", true},
		{"French sera désactivée", "L'ancienne adresse sera désactivée.", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := foreignNoLongerRE.MatchString(c.body); got != c.breaking {
				t.Errorf("breaking %v, want %v", got, c.breaking)
			}
		})
	}
}
