package triage

import (
	"context"
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestDependencyReach: an incident or a credential change at a vendor that
// other applications sign in with, take tokens from or are served through
// reaches every application whose description says it uses the vendor,
// not only those linked to it or named in the email; a routine API change
// does not.
func TestDependencyReach(t *testing.T) {
	snap := testRegistry()
	snap.Applications = append(snap.Applications,
		registry.Application{ID: "app-checkout", Name: "Checkout", IsActive: true, VendorIDs: []string{"v-stripe"},
			Description: "Customer checkout web app. Customers sign in with Okta (OIDC) and pay through Stripe Elements."},
		registry.Application{ID: "app-portal", Name: "PartnerPortal", IsActive: true,
			Description: "Partner self-service portal; partners authenticate with tokens from Auth0 and it is served through CloudFront."},
		registry.Application{ID: "app-wiki", Name: "Wiki", IsActive: true, Description: "Internal wiki for the engineering teams."},
	)
	incident := Email{MessageID: "i@okta.com", FromAddress: "security@okta.com", Date: testNow,
		Subject: "Okta security incident: rotate session tokens and API credentials",
		Body: "We detected unauthorized access to a support system. Out of caution, revoke and rotate your API tokens " +
			"and client credentials, and review sign-in logs. Session tokens issued before March 1 will be revoked."}
	d, err := (&Agent{}).Decide(context.Background(), incident, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"app-idgw", "app-checkout", "app-portal"} {
		if !slices.Contains(d.AffectedApplicationIDs, want) {
			t.Errorf("incident: %s not affected; got %v\n%s", want, d.AffectedApplicationIDs, d.Reasoning)
		}
	}
	if slices.Contains(d.AffectedApplicationIDs, "app-wiki") {
		t.Errorf("an application that does not use Okta was added: %v", d.AffectedApplicationIDs)
	}

	routine := Email{MessageID: "r@okta.com", FromAddress: "developers@okta.com", Date: testNow,
		Subject: "Okta Management API: the /api/v1/groups endpoint will be removed on 2027-06-30",
		Body: "The legacy groups listing endpoint of the Okta Management API (SCIM provisioning) will be removed; " +
			"migrate to /api/v1/groups/search before June 30, 2027."}
	d, err = (&Agent{}).Decide(context.Background(), routine, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(d.AffectedApplicationIDs, "app-checkout") || slices.Contains(d.AffectedApplicationIDs, "app-portal") {
		t.Errorf("a routine API change reached every user of Okta: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}
