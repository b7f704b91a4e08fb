package triage

import (
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

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

// TestIncidentAtOneProduct: an incident under way at the product the
// subject names, with the vendor's name, does not reach an application
// that names only other products of the vendor.
func TestIncidentAtOneProduct(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-farely", Name: "Farely", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"farely.example"}, Aliases: []string{"Farely Tap", "Farely Ticketing API", "Farely Inc."}}},
		Applications: []registry.Application{
			{ID: "app-app", Name: "RideApp", IsActive: true, IsCritical: true, VendorIDs: []string{"v-farely"},
				Description: "Mobile app for tickets; riders check in by tapping their phone on Farely Tap validators."},
			{ID: "app-tvm", Name: "Vending", IsActive: true, VendorIDs: []string{"v-farely"},
				Description: "Ticket vending machines. Tickets are issued through the Farely Ticketing API."},
		},
	}
	checkReach(t, snap, "noreply@status.farely.example", []reachCase{{"Tap incident", "[Identified] Farely Tap: check-ins not confirmed",
		"Incident status: Identified\n\nContactless check-ins on Farely Tap validators are not confirmed. We have identified a faulty gateway node and are replacing it.",
		[]string{"app-app"}, []string{"app-tvm"}}})
}

// TestBusinessDayOfMonth: the first or last business day of a month is
// its first or last day from Monday to Friday.
func TestBusinessDayOfMonth(t *testing.T) {
	dc := dateContext{sent: DateOf(testNow, time.UTC)}
	for line, want := range map[string]string{
		"The old ranges will be retired on the last business day of October 2027.": "2027-10-29",
		"Cut-over on the first working day of May 2027.":                           "2027-05-03",
		"by the last business day of July 2027":                                    "2027-07-30",
		"on the last business day of September":                                    "2027-09-30",
	} {
		got := ""
		for _, f := range businessDaysOfMonth(line, dc, gatesOf(line)) {
			if f.ok {
				got = f.date.String()
			}
		}
		if got != want {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
}

// TestDeadlineNamesTheStep: a deadline that names a step of the timeline
// ("before v2 is retired") takes that step's date, not an earlier step's
// that also breaks something.
func TestDeadlineNamesTheStep(t *testing.T) {
	body := "Version 2 will be retired on the following schedule:\n\n" +
		"  06/01/2027  v2 deprecated; no new integrations on v2\n" +
		"  09/15/2027  v2 becomes read-only (ticket issuing calls return 410)\n" +
		"  11/30/2027  v2 retired; all v2 requests are rejected\n\n" +
		"Every integration that issues or validates tickets through v2 must move to v3 before v2 is retired.\n"
	fd, ok := extractDate("Ticketing API v2 retirement", body, "dev@farely.example", "en-US", testNow, DateOf(testNow, time.UTC), time.UTC)
	if !ok || fd.date.String() != "2027-11-30" {
		t.Errorf("%s %v (%q), want 2027-11-30", fd.date, ok, fd.text)
	}
}
