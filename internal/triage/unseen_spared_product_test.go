package triage

import (
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestSparedProductLeavesItsAPIAlone: an incident whose status fields
// say "Affected: Gatero Gate (EU)." and, going on to the next line,
// "Gatero Tickets and Gatero Pass sales are working normally" reaches the
// gates only: what uses the Gatero Pass API or the Gatero Tickets API is
// spared with its product. A retirement of the Gatero Tickets API whose
// email says "Gatero Tickets … are not affected" still reaches what calls
// that API.
func TestSparedProductLeavesItsAPIAlone(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-g", Name: "Gatero", Tier: registry.Tier1, IsActive: true, EmailDomains: []string{"gatero.example"},
			Aliases: []string{"Gatero Tickets", "Gatero Pass", "Gatero Gate"}}},
		Applications: []registry.Application{
			{ID: "app-tickets", Name: "DayTickets", IsActive: true, VendorIDs: []string{"v-g"},
				Description: "Online day tickets on Gatero Tickets; the group desk books groups by calling the Gatero Tickets API with an API key."},
			{ID: "app-passes", Name: "AnnualPass", IsActive: true, VendorIDs: []string{"v-g"},
				Description: "Annual passes on Gatero Pass. The photo stations upload holders' photos through the Gatero Pass API."},
			{ID: "app-gates", Name: "GateScan", IsActive: true, VendorIDs: []string{"v-g"},
				Description: "Turnstile scanning: Gatero Gate scanners get allow-lists from Gatero Gate Manager."},
		},
	}
	incident := Email{MessageID: "i@gatero.example", FromAddress: "noreply@status.gatero.example", Date: testNow,
		Subject: "[Gatero Status] Identified - Gate scanners rejecting valid passes",
		Body: "Identified - The overnight sync published an incomplete allow-list. Scanners reject a share of valid passes.\n\n" +
			"Affected: Gatero Gate (EU). Gatero Tickets and Gatero Pass sales\nare working normally.\n"}
	if d := decideOffline(t, incident, snap); !slices.Equal(d.AffectedApplicationIDs, []string{"app-gates"}) {
		t.Errorf("incident at the gates: %v, want [app-gates]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
	retired := Email{MessageID: "r@gatero.example", FromAddress: "developers@gatero.example", Date: testNow,
		Subject: "Gatero Tickets API v2 is retired on 30 June 2028",
		Body: "Version 2 of the Gatero Tickets API stops answering on 30 June 2028. Move your integration to v3 before then.\n\n" +
			"Gatero Tickets (the web shop and box office screens) and Gatero Pass are not affected."}
	if d := decideOffline(t, retired, snap); !slices.Contains(d.AffectedApplicationIDs, "app-tickets") {
		t.Errorf("Tickets API retired: %v, want app-tickets among them\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}
