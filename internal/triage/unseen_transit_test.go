package triage

import "testing"

// TestInformationalInMoreLanguages: an invitation to a vendor's user
// meeting in German, a renewal on the same terms in Dutch, and a support
// case closed with nothing to do in Spanish are informational.
func TestInformationalInMoreLanguages(t *testing.T) {
	cases := []struct{ name, subject, body string }{
		{"German user meeting", "Einladung: Kestrel Anwendertreffen am 15. September 2027",
			"Wir laden Sie herzlich zum Kestrel Anwendertreffen in Bremen ein. Die Anmeldung ist bis zum 31. Juli 2027 möglich."},
		{"Dutch renewal", "Verlenging onderhoudscontract",
			"Jullie onderhoudscontract loopt op 1 oktober 2027 af en wordt automatisch verlengd, onder dezelfde voorwaarden en prijzen. Er verandert dus niets."},
		{"Spanish case closed", "RE: [Caso 48213] Intercambio de turnos",
			"Le confirmo que el problema está resuelto. No es necesaria ninguna acción por su parte. Cerramos el caso; si vuelve a ocurrir, puede responder a este correo."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := Email{MessageID: "l@kestrelid.example", FromAddress: "team@kestrelid.example", Date: testNow, Subject: c.subject, Body: c.body}
			if d := decideOffline(t, e, identityProductsRegistry()); d.Classification != Informational {
				t.Errorf("%s, want informational\n%s", d.Classification, d.Reasoning)
			}
		})
	}
}

// TestResolvedStatusUpdate: a status update that labels an incident
// resolved and asks nothing is informational; one still under way is not.
func TestResolvedStatusUpdate(t *testing.T) {
	resolved := Email{MessageID: "r@kestrelid.example", FromAddress: "noreply@status.kestrelid.example", Date: testNow,
		Subject: "[Resolved] Kestrel Verify: push approvals delayed",
		Body: "Resolved - 10:32 UTC\nThis incident has been resolved. Push approvals have been delivered normally since 09:05 UTC.\n\n" +
			"Monitoring - 09:10 UTC\nA fix has been deployed and we are monitoring the results."}
	if d := decideOffline(t, resolved, identityProductsRegistry()); d.Classification != Informational {
		t.Errorf("resolved: %s, want informational\n%s", d.Classification, d.Reasoning)
	}
	open := resolved
	open.Subject, open.Body = "[Monitoring] Kestrel Verify: push approvals delayed", "Monitoring - 09:10 UTC\nA fix has been deployed and we are monitoring the results of this incident."
	if d := decideOffline(t, open, identityProductsRegistry()); d.Classification != Actionable {
		t.Errorf("monitoring: %s, want actionable\n%s", d.Classification, d.Reasoning)
	}
}
