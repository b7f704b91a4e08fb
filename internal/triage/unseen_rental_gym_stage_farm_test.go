package triage

import (
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// The rules first met on the car-rental company's, the gym chain's, the
// theatre group's and the dairy co-operative's mail.

// stageSnap is a registry of one tier_2 vendor that runs in the cloud
// for the one application linked to it; another application runs a
// server of its own.
func stageSnap() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-sk", Name: "Skifto", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"skifto.example"},
			Aliases: []string{"Skifto Cloud", "Skifto Server"}}},
		Applications: []registry.Application{
			{ID: "app-hr", Name: "PeoplePay", IsActive: true, VendorIDs: []string{"v-sk"},
				Description: "HR and payroll on Skifto HR in Skifto Cloud. HR staff sign in with StaffID via SAML."},
			{ID: "app-weigh", Name: "Weighbridge", IsActive: true,
				Description: "Grain intake at the weighbridges; tickets go to the ERP through the intake server at each site."},
		},
	}
}

// TestAdvisoryForAServerNoApplicationRuns: an advisory for the vendor's
// on-premises server, whose cloud is not affected, is informational
// even when an application of another vendor names a server of its own;
// so is one that tells "Cue Server customers: install version 3.4.2".
func TestAdvisoryForAServerNoApplicationRuns(t *testing.T) {
	for _, body := range []string{
		"Skifto Cloud is not affected and Skifto Cloud customers do not need to do anything.\n\n" +
			"Customers who run Skifto Server on their own infrastructure must upgrade to 9.4.2 by 16 March 2028.",
		"Skifto Cloud is not affected: the service was patched on 20 June 2028.\n\n" +
			"Skifto Server customers: install version 3.4.2 by July 21, 2028.",
	} {
		e := Email{MessageID: "a@skifto.example", FromAddress: "security@skifto.example", Date: testNow,
			Subject: "Security advisory SSA-2028-02: Skifto Server (on-premises)", Body: body}
		if d := decideOffline(t, e, stageSnap()); d.Classification != Informational || len(d.AffectedApplicationIDs) > 0 {
			t.Errorf("%q: %s %v, want informational with no application\n%s", body, d.Classification, d.AffectedApplicationIDs, d.Reasoning)
		}
	}
}

// TestNoActionRequiredInItsOwnWordsIsNoBreakingChange: "nessuna azione
// richiesta" holds "azione richiesta" (action required), which asks for
// none.
func TestNoActionRequiredInItsOwnWordsIsNoBreakingChange(t *testing.T) {
	e := Email{MessageID: "m@skifto.example", FromAddress: "operations@skifto.example", Date: testNow,
		Subject: "Manutenzione programmata domenica 20 febbraio 2028 - nessuna azione richiesta",
		Body: "Domenica 20 febbraio 2028, dalle 01:00 alle 05:00, eseguiremo interventi di manutenzione programmata.\n\n" +
			"Non è richiesta alcuna azione da parte vostra: configurazioni, integrazioni e credenziali restano invariate."}
	if d := decideOffline(t, e, stageSnap()); d.Classification != Informational {
		t.Errorf("%s, want informational\n%s", d.Classification, d.Reasoning)
	}
}
