package triage

import (
	"testing"
	"time"
)

// TestGermanDates: German mail's written dates, deadline words, relative
// forms and forwarded messages are read as a German reader reads them.
func TestGermanDates(t *testing.T) {
	sent := time.Date(2027, 4, 6, 8, 0, 0, 0, time.UTC) // a Tuesday
	checkDates(t, "Hinweis", "service@anbieter.example", sent, DateOf(sent, time.UTC), []dateCase{
		{"a deadline with bis zum", "Die alte Schnittstelle wird bis zum 30. April 2027 abgeschaltet.", "2027-04-30"},
		{"a start with ab dem", "Ab dem 2. Juni 2027 werden nur noch Verbindungen mit TLS 1.3 angenommen.", "2027-06-02"},
		{"an abbreviated month", "Der Dienst wird am 3. Nov. 2027 eingestellt.", "2027-11-03"},
		{"no year given", "Bitte tauschen Sie die Schlüssel spätestens am 14. Mai aus.", "2027-05-14"},
		{"within days", "Bitte erneuern Sie die Zugangsdaten innerhalb von 14 Tagen.", "2027-04-20"},
		{"in weeks, spelled out", "Die Version 2 wird in zwei Wochen abgeschaltet.", "2027-04-20"},
		{"next weekday", "Die alten Schlüssel werden nächsten Montag gesperrt.", "2027-04-12"},
		{"an English month after a dotted day", "Legacy tokens are refused from 1. September 2027.", "2027-09-01"},
		// Look-alikes: a download date, a test environment and a
		// webinar are not the change's date.
		{"a download date before the deadline", "Das neue Zertifikat steht ab dem 1. Mai 2027 im Portal bereit. Importieren Sie es bis zum 30. Juni 2027.", "2027-06-30"},
		{"a test environment before production", "In der Testumgebung gilt die Änderung ab dem 1. Mai 2027.\n\nIn Produktion gilt sie ab dem 1. Juli 2027.", "2027-07-01"},
		{"a webinar", "Melden Sie sich zu unserem Webinar am 12. Mai 2027 an. Die alte API wird am 30. September 2027 abgeschaltet.", "2027-09-30"},
		{"a step number is no date", "Schritt 3. Apr-Konfiguration prüfen. Die Umstellung erfolgt bis zum 15. Oktober 2027.", "2027-10-15"},
	})
	t.Run("a German forward's relative date counts from its Gesendet line", func(t *testing.T) {
		forwarded := time.Date(2027, 6, 9, 7, 30, 0, 0, time.UTC)
		body := "Zur Info.\n\n________________________________\nVon: Anbieter Support <support@anbieter.example>\n" +
			"Gesendet: Montag, 7. Juni 2027 10:15\nAn: IT <it@kunde.example>\nBetreff: Schlüsselwechsel\n\n" +
			"Bitte rotieren Sie Ihre API-Schlüssel innerhalb von 10 Tagen.\n"
		fd, ok := extractDate("WG: Schlüsselwechsel", body, "it@kunde.example", "", forwarded, DateOf(forwarded, time.UTC), time.UTC)
		if !ok || fd.date.String() != "2027-06-17" {
			t.Errorf("date %s from %q (%s), want 2027-06-17", fd.date, fd.text, fd.note)
		}
	})
	t.Run("a German quote line is no date of the change", func(t *testing.T) {
		body := "Am 7. Juni 2027 um 10:15 schrieb Anbieter Support <support@anbieter.example>:\n> Die Umstellung erfolgt bis zum 30. Juni 2027.\n"
		fd, ok := extractDate("AW: Umstellung", body, "it@kunde.example", "", sent, DateOf(sent, time.UTC), time.UTC)
		if !ok || fd.date.String() != "2027-06-30" {
			t.Errorf("date %s from %q (%s), want 2027-06-30", fd.date, fd.text, fd.note)
		}
	})
}
