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

// withApps is the test registry with more applications, each given as
// id, name, linked vendor and description.
func withApps(apps ...[4]string) registry.Snapshot {
	snap := testRegistry()
	for _, a := range apps {
		snap.Applications = append(snap.Applications, registry.Application{ID: a[0], Name: a[1], IsActive: true,
			VendorIDs: []string{a[2]}, Description: a[3]})
	}
	return snap
}

// decideApps decides e and returns its applications.
func decideApps(t *testing.T, snap registry.Snapshot, from, subject, body string) ([]string, string) {
	t.Helper()
	e := Email{MessageID: "m@" + from, FromAddress: from, Date: testNow, Subject: subject, Body: body}
	d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	return d.AffectedApplicationIDs, d.Reasoning
}

// TestReachThroughAnApplication: an incident at the identity provider
// behind the single sign-on reaches the applications that sign in through
// the single sign-on, not those that only mention it or have nothing to do
// with it; a routine change at the provider does not.
func TestReachThroughAnApplication(t *testing.T) {
	snap := withApps(
		[4]string{"app-sso", "StaffSSO", "v-okta", "Single sign-on for staff applications, with Okta as the identity provider."},
		[4]string{"app-hr", "HRSystem", "v-salesforce", "Human resources records. Staff sign in through StaffSSO."},
		[4]string{"app-docs", "DocsSite", "v-aws", "Public documentation; its page about StaffSSO explains how to reset a password."})
	apps, why := decideApps(t, snap, "security@okta.com", "Okta security incident: rotate your API credentials",
		"We detected unauthorized access to a support system. Rotate your client credentials by March 20, 2027.")
	if !slices.Contains(apps, "app-sso") || !slices.Contains(apps, "app-hr") || slices.Contains(apps, "app-docs") {
		t.Errorf("incident: want StaffSSO and HRSystem (not DocsSite), got %v\n%s", apps, why)
	}
	apps, _ = decideApps(t, snap, "developers@okta.com", "Okta Management API: the /api/v1/groups endpoint will be removed on 2027-06-30",
		"The legacy groups listing endpoint will be removed; migrate to /api/v1/groups/search before June 30, 2027.")
	if slices.Contains(apps, "app-hr") {
		t.Errorf("a routine change reached the applications behind the single sign-on: %v", apps)
	}
}

// TestIntegrationNamedByUse: an application linked to another vendor is
// affected when the email is about the sentence of its description that
// names the sender (its integration), not when it merely mentions the
// sender elsewhere.
func TestIntegrationNamedByUse(t *testing.T) {
	snap := withApps(
		[4]string{"app-ledger", "Ledger", "v-aws", "General ledger on AWS. It attaches invoice files to Salesforce opportunities, " +
			"signing in with the JWT bearer flow of a connected app."},
		[4]string{"app-intranet", "Intranet", "v-aws", "Staff intranet on AWS; the sales team's page links to Salesforce."})
	apps, why := decideApps(t, snap, "notifications@salesforce.com", "JWT bearer flow: connected app certificates expire",
		"Certificates of connected apps that use the JWT bearer flow expire on April 30, 2027. Upload a new certificate before then or sign-ins will fail.")
	if !slices.Contains(apps, "app-ledger") || slices.Contains(apps, "app-intranet") {
		t.Errorf("want Ledger and not Intranet, got %v\n%s", apps, why)
	}
}
