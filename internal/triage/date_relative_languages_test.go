package triage

import (
	"testing"
	"time"
)

// TestRelativeDatesInOtherLanguages: "in N days, weeks or months" in the
// languages vendors write in counts from the email's date, as the English
// and German forms do.
func TestRelativeDatesInOtherLanguages(t *testing.T) {
	sent := time.Date(2027, 9, 14, 11, 0, 0, 0, time.UTC) // a Tuesday
	checkDates(t, "Notice", "support@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"Dutch, over", "Over 60 dagen stoppen we met de ondersteuning van sjablonen v1.", "2027-11-13"},
		{"Dutch, binnen weeks", "Zet uw koppeling binnen 2 weken over naar v2.", "2027-09-28"},
		{"French, dans", "L'ancienne API sera désactivée dans 30 jours.", "2027-10-14"},
		{"French, d'ici months", "Les clés actuelles seront révoquées d'ici 3 mois.", "2027-12-14"},
		{"Spanish, dentro de", "La versión 1 dejará de funcionar dentro de 45 días.", "2027-10-29"},
		{"Portuguese, no prazo de", "Atualize o certificado no prazo de 30 dias.", "2027-10-14"},
		{"Italian, entro", "Aggiornate le chiavi entro 14 giorni.", "2027-09-28"},
		{"Swedish, om", "Den gamla versionen stängs av om 30 dagar.", "2027-10-14"},
		{"Danish, inden for", "Skift nøglerne inden for 14 dage.", "2027-09-28"},
		{"Polish, w ciągu", "Prosimy o aktualizację w ciągu 30 dni.", "2027-10-14"},
		{"Czech, do", "Starou verzi vypneme do 30 dnů.", "2027-10-14"},
	})
	t.Run("a count that is not a time from now is no date", func(t *testing.T) {
		if fd, ok := extractDate("Notice", "Probeer het 30 dagen gratis.", "support@vendor.example", "", sent, DateOf(sent, time.UTC), time.UTC); ok {
			t.Errorf("date %s from %q", fd.date, fd.text)
		}
	})
}

// TestMonthEndsInOtherLanguages: the end of next month and of this month
// in the languages vendors write in are the last day of that month after
// the email's date; a walkthrough or a demo session is an event whose
// date loses to the change's.
func TestMonthEndsInOtherLanguages(t *testing.T) {
	sent := time.Date(2027, 10, 28, 15, 0, 0, 0, time.UTC)
	checkDates(t, "Aviso", "avisos@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"Portuguese, next month", "Os operadores vão bloquear as mensagens a partir do final do próximo mês.", "2027-11-30"},
		{"Portuguese, this month", "Registe o remetente até ao final deste mês.", "2027-10-31"},
		{"Spanish, next month", "La API v1 se apagará a finales del mes que viene.", "2027-11-30"},
		{"French, next month", "L'ancien certificat expire à la fin du mois prochain.", "2027-11-30"},
		{"Italian, next month", "Aggiornate le chiavi entro la fine del prossimo mese.", "2027-11-30"},
		{"German, next month", "Der alte Token läuft Ende nächsten Monats ab.", "2027-11-30"},
		{"German, this month", "Bitte stellen Sie bis Ende dieses Monats um.", "2027-10-31"},
		{"Dutch, next month", "De oude sleutels vervallen eind volgende maand.", "2027-11-30"},
		{"Swedish, next month", "Den gamla versionen stängs i slutet av nästa månad.", "2027-11-30"},
		{"Polish, next month", "Stary klucz wygaśnie do końca przyszłego miesiąca.", "2027-11-30"},
		{"a walkthrough is an event", "v1 forms stop accepting gifts on December 1st, 2027.\nWe're running a 30-minute walkthrough on November 20th for anyone who'd like to see it.", "2027-12-01"},
		{"a demo session is an event", "The old API is switched off on 15 December 2027. Book a demo session on 10 November 2027.", "2027-12-15"},
	})
}

// TestDeadlineNamesATableStep: "Allow outbound TCP 8883 to the new ranges
// before your gateways are moved" is the day of the timeline row that
// says the gateways are moved, not the first row (the new addresses go
// live) nor the last (the old ones are withdrawn).
func TestDeadlineNamesATableStep(t *testing.T) {
	sent := time.Date(2027, 10, 25, 9, 0, 0, 0, time.UTC)
	checkDates(t, "New MQTT broker IP ranges", "noc@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"the step's row", "Addresses change as follows:\n\nWhen | Step\n" +
			"Mon 8 Nov 2027 | New broker addresses 185.231.20.0/24 go live, alongside the current ones\n" +
			"Wed 1 Dec 2027 | All gateways are moved to the new addresses\n" +
			"Mon 17 Jan 2028 | Current addresses 91.198.44.0/24 withdrawn\n\n" +
			"Who needs to act: sites whose firewalls filter outbound traffic. Allow outbound TCP 8883 to the new ranges before your gateways are moved.", "2027-12-01"},
	})
}

// TestDatesInMoreWords: Finnish months in their cases, the end of a month
// in the Nordic languages, a new server ready beside the old one's end,
// "premier" and "1°" as the first of a month, ISO weeks with "i" and
// "van", business days and counts written out.
func TestDatesInMoreWords(t *testing.T) {
	sent := time.Date(2028, 3, 2, 17, 0, 0, 0, time.UTC) // a Thursday
	checkDates(t, "Notice", "support@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"Finnish, the end of a month and a year", "Laiteohjelmiston 2.x tuki päättyy toukokuun 2028 lopussa.", "2028-05-31"},
		{"Finnish, by the end of a month", "Päivittäkää terminaalit toukokuun loppuun mennessä.", "2028-05-31"},
		{"Finnish, a day of a month", "Vanha rajapinta suljetaan 15. kesäkuuta 2028.", "2028-06-15"},
		{"Finnish, a training is an event", "Päivittäkää toukokuun 2028 lopussa.\nJärjestämme maksuttoman verkkokoulutuksen 15.3.2028.", "2028-05-31"},
		{"Finnish, the end of next month", "Rekisteröimättömät lähettäjätunnukset estetään ensi kuun loppuun mennessä.", "2028-04-30"},
		{"Swedish, the end of a month beside a new server", "- Den nya servern är öppen från och med den 19 juni 2028.\n" +
			"- Den gamla servern stängs i slutet av september 2028.", "2028-09-30"},
		{"French, premier", "Migrez vos intégrations avant le premier avril 2028.", "2028-04-01"},
		{"Italian, 1°", "Dal 1° aprile 2028 l'API accetterà soltanto token OAuth 2.0.", "2028-04-01"},
		{"Danish, uge i", "Vejrly Forecast API v1 lukkes i uge 22 i 2028.", "2028-05-29"},
		{"Dutch, week van", "In week 23 van 2028 stopt de ondersteuning van versie 4.x.", "2028-06-05"},
		{"French, business days", "Votre clé d'API expire dans 10 jours ouvrés.", "2028-03-16"},
		{"Swedish, a count in words", "Samtyckena löper ut inom två veckor.", "2028-03-16"},
	})
}

// TestTakeOverRowOfARollover: the day the vendor signs with the successor
// certificate, or fetches from the new ranges only, is the change's:
// not the day the successor is published nor the day the old one is
// removed; in a plain-text table whose rows run together as well.
func TestTakeOverRowOfARollover(t *testing.T) {
	sent := time.Date(2028, 1, 18, 9, 0, 0, 0, time.UTC)
	checkDates(t, "Scheduled SAML certificate rollover", "ops@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"a table of steps", "Date | Step\n2028-02-08 | Successor certificate published in your SAML metadata\n" +
			"2028-03-14 | Authvero signs every SAML response with the successor certificate\n" +
			"2028-04-25 | Current certificate expires and is removed from the metadata\n\n" +
			"What to do: load the successor certificate into each service provider before the switch-over date in the table.", "2028-03-14"},
		{"new ranges only", "Date | Step\n2028-04-03 | New ranges published\n2028-05-16 | Edge servers fetch from your origins from the new ranges only\n" +
			"2028-06-13 | Current ranges removed from the published list\n\nAdd the new ranges before edge servers switch to them.", "2028-05-16"},
		{"rows run together", "Step                                                        Date (UTC)\n" +
			"New certificate published in metadata                       2028-02-12\n" +
			"Sigmora signs all SAML assertions with the new certificate  2028-03-18\n" +
			"Old certificate removed from metadata                       2028-04-01\n", "2028-03-18"},
	})
}

// TestNoDateFromDocumentsOrVersions: "the updated list … takes effect on
// 4 May 2028" under a subject about a sub-processor list is when the
// document applies, and "rule package GRD-2028.03.1" is a version.
func TestNoDateFromDocumentsOrVersions(t *testing.T) {
	sent := time.Date(2028, 3, 2, 9, 0, 0, 0, time.UTC)
	fd, ok := extractDate("Update to the Membrio sub-processor list (effective 4 May 2028)",
		"We are updating the list of sub-processors. The updated list is attached and takes effect on 4 May 2028.",
		"privacy@vendor.example", "", sent, DateOf(sent, time.UTC), time.UTC)
	if !ok || !fd.document {
		t.Errorf("sub-processor list: %+v, want a document's date", fd)
	}
	if fd, ok := extractDate("Investigating - Guard blocks forms", "Since 09:10 UTC the managed rule package GRD-2028.03.1 blocks form posts.",
		"status@vendor.example", "", sent, DateOf(sent, time.UTC), time.UTC); ok {
		t.Errorf("a version read as the date %s from %q", fd.date, fd.text)
	}
}

// TestBalticDates: Latvian, Lithuanian and Estonian dates, and the
// Lithuanian "Iki" (by) of a deadline repeated after a timeline.
func TestBalticDates(t *testing.T) {
	sent := time.Date(2028, 2, 1, 9, 0, 0, 0, time.UTC)
	checkDates(t, "Notice", "support@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"Latvian", "Vecā API versija tiks izslēgta 2028. gada 30. jūnijā.", "2028-06-30"},
		{"Lithuanian", "Senasis parašas nebus siunčiamas nuo 2028 m. gegužės 2 d.", "2028-05-02"},
		{"Estonian", "Vana sertifikaat kehtib kuni 14. märtsil 2028.", "2028-03-14"},
		{"Lithuanian deadline", "Svarbios datos\n- 2028 m. kovo 1 d. - siunčiami abu parašai.\n- 2028 m. gegužės 2 d. - senasis parašas nebesiunčiamas.\n\n" +
			"Iki 2028 m. gegužės 2 d. atnaujinkite visus webhook galinius taškus.", "2028-05-02"},
	})
}

// TestEffectiveImmediately: a change "effective immediately" with no date
// to come takes effect the day the email was sent; "ab sofort verfügbar"
// beside a deadline does not replace it.
func TestEffectiveImmediately(t *testing.T) {
	sent := time.Date(2028, 4, 25, 16, 40, 0, 0, time.FixedZone("EDT", -4*3600))
	checkDates(t, "API client secrets revoked, effective immediately", "security@vendor.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"immediately", "On April 24, 2028 we found secrets in a public repository. They are revoked, effective immediately.", "2028-04-25"},
		{"ab sofort beside a deadline", "Die neue Version steht ab sofort bereit. Ab dem 30. November 2028 werden ältere Versionen abgelehnt.", "2028-11-30"},
	})
}
