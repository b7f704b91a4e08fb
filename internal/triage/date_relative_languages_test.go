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
