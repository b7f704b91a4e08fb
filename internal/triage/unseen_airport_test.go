package triage

import (
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestActionOnlyForOthers: an advisory that asks action only of the
// customers who run a product no application uses is informational on
// both paths; when an application runs it, it is actionable.
func TestActionOnlyForOthers(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-scanly", Name: "Scanly", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"scanly.example"}, Aliases: []string{"Scanly Gateway", "Scanly Kiosk Suite"}}},
		Applications: []registry.Application{
			{ID: "app-lanes", Name: "LaneCheck", IsActive: true, IsCritical: true, VendorIDs: []string{"v-scanly"},
				Description: "Security lane boarding-pass checks on the Scanly Gateway."},
		},
	}
	e := Email{MessageID: "adv@scanly.example", FromAddress: "security@scanly.example", Date: testNow,
		Subject: "Security advisory SV-2027-07: Scanly Kiosk Suite",
		Body: "A vulnerability in Scanly Kiosk Suite 3.x allows an attacker on the local network to restart kiosks. " +
			"Customers running Kiosk Suite must install 3.8.2 within 14 days.\n\nScanly Gateway is not affected. " +
			"Customers who do not run Kiosk Suite need to take no action."}
	if d := decideOffline(t, e, snap); d.Classification != Informational || len(d.AffectedApplicationIDs) != 0 {
		t.Errorf("offline: %s %v, want informational with no application\n%s", d.Classification, d.AffectedApplicationIDs, d.Reasoning)
	}
	llm := Decision{Classification: Informational, VendorID: "v-scanly", Severity: registry.SeverityLow, Source: SourceLLM}
	if d := ApplyGuardrails(llm, e, snap, testSettings()); d.Classification != Informational {
		t.Errorf("guardrails: %s, want informational; overrides %+v", d.Classification, d.Overrides)
	}
	snap.Applications = append(snap.Applications, registry.Application{ID: "app-kiosk", Name: "SelfCheck", IsActive: true,
		VendorIDs: []string{"v-scanly"}, Description: "Self-service check-in kiosks running Scanly Kiosk Suite."})
	if d := decideOffline(t, e, snap); d.Classification != Actionable {
		t.Errorf("with a kiosk application: %s, want actionable\n%s", d.Classification, d.Reasoning)
	}
}
