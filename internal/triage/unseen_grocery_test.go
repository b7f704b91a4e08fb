package triage

import "testing"

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
