package triage

import (
	"testing"
	"time"
)

// TestDatesInMoreLanguages: Hungarian, Romanian, Finnish, Slovenian,
// Croatian, Slovak, Estonian, Norwegian and Danish mail writes its dates
// and deadline words in its own language; they are read as their English
// forms are, and a deadline word beats a date that only says when
// something became available.
func TestDatesInMoreLanguages(t *testing.T) {
	sent := time.Date(2027, 6, 8, 9, 0, 0, 0, time.UTC)
	cases := []struct{ name, body, want string }{
		{"Hungarian, year first", "Az SMS API v1 végpont 2027. szeptember 30-án megszűnik.", "2027-09-30"},
		{"Hungarian -ig beats -tól", "A v2 végpont 2027. július 1-jétől elérhető. Kérjük, állítsák át integrációikat 2027. szeptember 30-ig.", "2027-09-30"},
		{"Hungarian előtt", "Az új felület 2027. július 1-jétől érhető el. Frissítse a beállításokat 2027. október 15. előtt.", "2027-10-15"},
		{"Romanian", "Noul format este disponibil din 1 august 2027. Actualizați șabloanele înainte de 1 noiembrie 2027.", "2027-11-01"},
		{"Finnish", "Uusi versio on käytössä 1. heinäkuuta 2027. Siirtykää uuteen versioon viimeistään 31. lokakuuta 2027.", "2027-10-31"},
		{"Slovenian", "Nova potrdila bodo na voljo 1. julija 2027. Do 15. oktobra 2027 dodajte korenski certifikat.", "2027-10-15"},
		{"Croatian, with the year's dot", "Novi ključ objavljen je 1. srpnja 2027. Dodajte novi otisak prije 15. rujna 2027.", "2027-09-15"},
		{"Slovak", "Rozhranie v2 je dostupné od 1. júla 2027. Prejdite na v2 najneskôr do 30. novembra 2027.", "2027-11-30"},
		{"Estonian elative and partitive", "Alates 1. detsembrist 2027 saadame veebikonksud ainult HTTPS-aadressidele. Muutke seadistust enne 1. detsembrit 2027.", "2027-12-01"},
		{"Estonian adessive", "Vana liides suletakse 1. detsembril 2027.", "2027-12-01"},
		{"Norwegian", "Nye IP-adresser tas i bruk 1. juli 2027. Oppdater brannmuren innen 1. desember 2027.", "2027-12-01"},
		{"Danish", "Den nye nøgle er tilgængelig fra 1. juli 2027. Skift nøglen senest 1. marts 2028.", "2028-03-01"},
	}
	wantDates(t, sent, cases)
	t.Run("Polish listopada stays November", func(t *testing.T) {
		if got := inEnglish("do 15 listopada 2027"); got != "do 15 November 2027" {
			t.Errorf("rewritten to %q", got)
		}
	})
	t.Run("a Hungarian ending that says from", func(t *testing.T) {
		if got := inEnglish("2027. október 1-jétől"); got != "from 1 October 2027" {
			t.Errorf("rewritten to %q", got)
		}
	})
}

// TestBreakingWordsInMoreLanguages: the words those languages use for
// "will no longer work", "will be switched off", "will be refused" and
// "is retired" are breaking-change language; a sentence that only says
// what changes is not. French "ne prendra plus en charge" and "sera
// refusée" are read too.
func TestBreakingWordsInMoreLanguages(t *testing.T) {
	breaking := map[string]string{
		"Hungarian":  "Az SMS API v1 végpont 2027. szeptember 30-án megszűnik.",
		"Romanian":   "Rapoartele în formatul vechi vor fi respinse de la această dată.",
		"Finnish":    "Hallintapaneelin vanha versio poistuu käytöstä 31.10.2027.",
		"Slovenian":  "Naprave, ki novemu overitelju ne zaupajo, se ne bodo mogle povezati s storitvijo.",
		"Croatian":   "Stari RSA ključ bit će uklonjen istog dana.",
		"Slovak":     "Dňa 30. novembra 2027 bude rozhranie v1 vypnuté.",
		"Estonian":   "Saatmine HTTP-aadressidele lõpetatakse samal päeval.",
		"Norwegian":  "Den gamle API-en vil ikke lenger fungere etter 1. desember.",
		"Danish":     "Forespørgsler med den gamle nøgle afvises fra 1. marts.",
		"French":     "Bilanzo ne prendra plus en charge les assertions signées avec SHA-1.",
		"French too": "Toute connexion dont l'assertion est signée en SHA-1 sera refusée.",
	}
	for lang, text := range breaking {
		if s := breakingSignal(Email{Subject: "Notice", Body: text}); len(s.found) == 0 {
			t.Errorf("%s: %q read as no breaking change", lang, text)
		}
	}
	plain := map[string]string{
		"Hungarian": "Az új kezelőfelület 2027. szeptember 30-tól érhető el.",
		"Croatian":  "Novi ključ bit će objavljen 1. rujna.",
		"Estonian":  "Vormide täitmine ja vastuste vaatamine ei muutu.",
		"Danish":    "Den nye nøgle er tilgængelig fra 1. juli.",
	}
	for lang, text := range plain {
		if s := breakingSignal(Email{Subject: "Notice", Body: text}); len(s.found) != 0 {
			t.Errorf("%s: %q read as a breaking change (%v)", lang, text, s.found)
		}
	}
}

// wantDates checks that each case's body, in an email sent at sent, has
// the effective date it wants.
func wantDates(t *testing.T, sent time.Time, cases []struct{ name, body, want string }) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fd, ok := extractDate("Notice", c.body, "notices@vendor.example", "", sent, DateOf(sent, time.UTC), time.UTC)
			if !ok || fd.date.String() != c.want {
				t.Errorf("date %s from %q (%s), want %s", fd.date, fd.text, fd.note, c.want)
			}
		})
	}
}
