package triage

import (
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// museumSnap is a registry of one tier_2 vendor with two products and a
// CDN, for the rules first met on the museum group's mail.
func museumSnap() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{
			{ID: "v-archivo", Name: "Archivo", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"archivo.example"},
				Aliases: []string{"Archivo Cloud", "Archivo Image API"}},
			{ID: "v-edgely", Name: "Edgely", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"edgely.example"},
				Aliases: []string{"Edgely CDN"}},
			{ID: "v-ledgo", Name: "Ledgo", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"ledgo.example"}},
		},
		Applications: []registry.Application{
			{ID: "app-coll", Name: "CollectionsDB", IsActive: true, VendorIDs: []string{"v-archivo"},
				Description: "The collections database, run on Archivo Cloud."},
			{ID: "app-guide", Name: "AudioTour", IsActive: true, VendorIDs: []string{"v-edgely"},
				Description: "The audio tour app. Audio files are downloaded by the app from the Edgely CDN."},
			{ID: "app-site", Name: "Website", IsActive: true, VendorIDs: []string{"v-edgely"},
				Description: "The museum's public website, delivered via Edgely."},
			{ID: "app-books", Name: "Books", IsActive: true, VendorIDs: []string{"v-ledgo"},
				Description: "Finance: bank statements are imported through Ledgo bank feeds."},
		},
	}
}

// TestSupportCaseClosedIsInformational: a vendor's reply that closes a
// support case asks nothing; the same words outside a case's mail do not
// make a notice informational.
func TestSupportCaseClosedIsInformational(t *testing.T) {
	snap := museumSnap()
	e := Email{MessageID: "case@archivo.example", FromAddress: "support@archivo.example", Date: testNow,
		Subject: "Re: [Case AR-20417] Thumbnails missing in the object export",
		Body: "Hello,\n\nThe thumbnails are back in the export since last night's release. As the problem is solved, " +
			"we are closing case AR-20417. Reply to this email if anything still looks wrong.\n\nArchivo Support"}
	if d := decideOffline(t, e, snap); d.Classification != Informational || len(d.AffectedApplicationIDs) != 0 {
		t.Errorf("case reply: %s %v, want informational\n%s", d.Classification, d.AffectedApplicationIDs, d.Reasoning)
	}
	e.Subject = "Archivo Image API v1 retirement"
	e.Body = "Archivo Image API v1 will be retired on 30 November 2027; after that, requests to v1 are rejected. " +
		"Once you have moved to v2, tell your account manager and we will close the ticket we opened for your migration."
	if d := decideOffline(t, e, snap); d.Classification != Actionable {
		t.Errorf("a retirement that mentions closing a ticket: %s, want actionable\n%s", d.Classification, d.Reasoning)
	}
}

// TestAdvisoryForCustomersWhoRunAnotherProduct: an advisory whose action
// is for the customers who run a product no application uses, and that
// says the product the applications run is not affected, is
// informational.
func TestAdvisoryForCustomersWhoRunAnotherProduct(t *testing.T) {
	snap := museumSnap()
	e := Email{MessageID: "adv@archivo.example", FromAddress: "security@archivo.example", Date: testNow,
		Subject: "Security advisory ASA-2027-09: Archivo Server",
		Body: "A path traversal vulnerability was found in Archivo Server 9.0 to 9.4. Customers who run Archivo Server " +
			"must install 9.4.2 within 14 days.\n\nArchivo Cloud is not affected."}
	if d := decideOffline(t, e, snap); d.Classification != Informational || len(d.AffectedApplicationIDs) != 0 {
		t.Errorf("offline: %s %v, want informational\n%s", d.Classification, d.AffectedApplicationIDs, d.Reasoning)
	}
	// Without the statement that what the applications run is spared,
	// the advisory may be for everyone.
	e.Body = "A path traversal vulnerability was found in Archivo Server 9.0 to 9.4. Customers who run Archivo Server " +
		"must install 9.4.2 within 14 days."
	if d := decideOffline(t, e, snap); d.Classification != Actionable {
		t.Errorf("without a product spared: %s, want actionable\n%s", d.Classification, d.Reasoning)
	}
}

// TestContentDownloadedFromACDNIsServedThroughIt: an application whose
// users download its files from a CDN is reached by the CDN's network
// changes.
func TestContentDownloadedFromACDNIsServedThroughIt(t *testing.T) {
	e := Email{MessageID: "ips@edgely.example", FromAddress: "netops@edgely.example", Date: testNow,
		Subject: "New origin-pull IP ranges",
		Body: "From 1 March 2028, Edgely edge servers connect to your origin servers from new IP ranges only. " +
			"If your origin firewall allows only Edgely addresses, add the new ranges before then."}
	d := decideOffline(t, e, museumSnap())
	if !slices.Equal(sorted(d.AffectedApplicationIDs), []string{"app-guide", "app-site"}) {
		t.Errorf("applications %v, want app-guide and app-site\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestSwitchOffInTheActiveVoiceIsBreaking: "we will switch off version
// 1", "connections will stop importing statements" say what stops.
func TestSwitchOffInTheActiveVoiceIsBreaking(t *testing.T) {
	e := Email{MessageID: "feeds@ledgo.example", FromAddress: "notifications@ledgo.example", Date: testNow,
		Subject: "Ledgo Bank Feeds v1",
		Body: "On 3 March 2028 we will switch off version 1 of the Ledgo Bank Feeds API. Bank connections that still use v1 " +
			"will stop importing statements on that day. Reconnect each of them under Settings > Bank feeds."}
	d := decideOffline(t, e, museumSnap())
	if !d.IsBreaking || d.Severity.Rank() < registry.SeverityHigh.Rank() {
		t.Errorf("breaking %v, severity %s; want a breaking change, at least high\n%s", d.IsBreaking, d.Severity, d.Reasoning)
	}
}
