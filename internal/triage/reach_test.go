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

// TestServedThroughDottedName: a vendor whose name has a dot in it
// ("Bunny.net") is what a description says the traffic is served through,
// so a change to its network reaches the application.
func TestServedThroughDottedName(t *testing.T) {
	snap := testRegistry()
	snap.Vendors = append(snap.Vendors, registry.Vendor{ID: "v-bunny", Name: "Bunny.net", Tier: registry.Tier2,
		EmailDomains: []string{"bunny.net"}, IsActive: true})
	snap.Applications = append(snap.Applications,
		registry.Application{ID: "app-shop", Name: "Shopfront", IsActive: true, VendorIDs: []string{"v-bunny", "v-stripe"},
			Description: "Web shop; its pages are served through Bunny.net CDN. Payments go through Stripe."},
		registry.Application{ID: "app-media", Name: "MediaLibrary", IsActive: true, VendorIDs: []string{"v-bunny"},
			Description: "Product photo library for the shop team, stored in Bunny.net storage zones."})
	e := Email{MessageID: "ips@bunny.net", FromAddress: "support@bunny.net", Date: testNow,
		Subject: "New edge server IP ranges",
		Body: "Our edge servers will connect to your origin servers from new IP ranges from June 4. If your origin firewall " +
			"only accepts known ranges, add the new ones, otherwise requests will be blocked."}
	d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.AffectedApplicationIDs, "app-shop") || slices.Contains(d.AffectedApplicationIDs, "app-media") {
		t.Errorf("want the application served through Bunny.net, not the one that only stores files there: %v\n%s",
			d.AffectedApplicationIDs, d.Reasoning)
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
	// Retiring an API with its credential types needs new API
	// credentials for what calls the API, not new sign-ins.
	apps, why = decideApps(t, snap, "developers@okta.com", "Okta API v1 endpoints retire at the end of June 2027",
		"Okta is retiring the version 1 API endpoints together with the legacy API credential types. Create new API credentials "+
			"with v2 scopes and request access tokens from the v2 token endpoint before the end of June 2027.")
	if !slices.Contains(apps, "app-sso") || slices.Contains(apps, "app-hr") {
		t.Errorf("API credential change: want StaffSSO and not HRSystem, got %v\n%s", apps, why)
	}
}

// TestNetworkReach: a change to the network of a vendor that serves
// applications (new IP ranges origins must allow) reaches every
// application served through it, linked to it or not; not one that only
// mentions the vendor.
func TestNetworkReach(t *testing.T) {
	snap := withApps(
		[4]string{"app-site", "PublicSite", "v-aws", "Public website, served through CloudFront; certificates from DigiCert."},
		[4]string{"app-portal", "Portal", "v-salesforce", "Customer portal on Salesforce Experience Cloud, served through CloudFront."},
		[4]string{"app-docs", "DocsSite", "v-salesforce", "Documentation site; its page on CloudFront caching explains the cache headers."})
	snap.Vendors = append(snap.Vendors, registry.Vendor{ID: "v-cf", Name: "CloudFront", Tier: registry.Tier2,
		EmailDomains: []string{"cloudfront.net"}, IsActive: true})
	for i := range snap.Applications {
		if snap.Applications[i].ID == "app-site" {
			snap.Applications[i].VendorIDs = []string{"v-cf"}
		}
	}
	snap.Applications = append(snap.Applications, registry.Application{ID: "app-parking", Name: "Parking", IsActive: true,
		Description: "In-house permit site, served through CloudFront."})
	apps, why := decideApps(t, snap, "noreply@cloudfront.net", "New CloudFront IP ranges: update your origin allowlists",
		"From the 15th of May 2027, traffic to your origin servers will also come from 45.60.200.0/22. If your origin firewall "+
			"accepts only our IP addresses, add these ranges before that date. Otherwise requests will be blocked at your origin.")
	for _, want := range []string{"app-site", "app-portal", "app-parking"} {
		if !slices.Contains(apps, want) {
			t.Errorf("%s not affected: %v\n%s", want, apps, why)
		}
	}
	if slices.Contains(apps, "app-docs") {
		t.Errorf("an application that only mentions the vendor was added: %v\n%s", apps, why)
	}
}

// TestVendorFeatureInUse: an application linked to no vendor that says it
// relies on the vendor's webhooks is affected by a change to those
// webhooks, even when the applications linked to the vendor describe them
// at length too; a product of the vendor it names (a capitalised name) is
// no such evidence.
func TestVendorFeatureInUse(t *testing.T) {
	snap := withApps()
	snap.Applications = append(snap.Applications,
		registry.Application{ID: "app-shop", Name: "TicketShop", IsActive: true,
			Description: "In-house ticket shop (ASP.NET). Card payments go through the Stripe payment gateway, and Stripe webhooks confirm each payment."},
		registry.Application{ID: "app-invoices", Name: "Invoices", IsActive: true,
			Description: "In-house invoice archive; totals are read from Stripe Billing exports."})
	apps, why := decideApps(t, snap, "news@stripe.com", "Stripe Partner News - Winter 2027",
		"What's new\n- Join our webinar on Stripe Billing on March 24.\n\nAction required: signed webhooks\nFrom 06/30/2027, Stripe will sign "+
			"every webhook and will stop sending the legacy secret field. Systems that receive Stripe webhooks must verify the new signature.")
	if !slices.Contains(apps, "app-shop") || slices.Contains(apps, "app-invoices") {
		t.Errorf("want TicketShop and not Invoices, got %v\n%s", apps, why)
	}
}

// TestProductInSubject: a notice whose subject names one of the vendor's
// products (an alias some of the applications linked to it name) reaches
// every linked application that runs that product, not those that run
// another of its products.
func TestProductInSubject(t *testing.T) {
	snap := withApps(
		[4]string{"app-gl", "FinanceSuite", "v-ledger", "Ledgerly Books 2021.6 hosted by Ledgerly for general ledger, purchasing and payroll."},
		[4]string{"app-water", "WaterBills", "v-ledger", "Water and sewer invoices in the Books utility module; meter reads arrive nightly."},
		[4]string{"app-court", "CourtCases", "v-ledger", "Ledgerly Courts 10 case management for citations."})
	snap.Vendors = append(snap.Vendors, registry.Vendor{ID: "v-ledger", Name: "Ledgerly Software", Tier: registry.Tier1,
		EmailDomains: []string{"ledgerly.example"}, Aliases: []string{"Ledgerly", "Books", "Ledgerly Courts", "Courts"}, IsActive: true})
	apps, why := decideApps(t, snap, "support@ledgerly.example", "Books release support schedule: plan your upgrade",
		"Each Books release is supported for a fixed period. Release 2021.x reaches end of support on 30-Sep-2027; "+
			"after that no fixes or regulatory updates are provided. Please schedule the upgrade with your account manager.")
	if !slices.Contains(apps, "app-gl") || !slices.Contains(apps, "app-water") || slices.Contains(apps, "app-court") {
		t.Errorf("want FinanceSuite and WaterBills, not CourtCases; got %v\n%s", apps, why)
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

// TestWhatIsNotAffectedNamesNothing: an application the email names only
// where it says what the change leaves alone ("Not affected: …", "tokens
// keep working") is not affected, and such a sentence reaches nothing; the
// version an application's description gives for its use of the vendor,
// named by the email, routes the change to it.
func TestWhatIsNotAffectedNamesNothing(t *testing.T) {
	snap := withApps(
		[4]string{"app-orders", "OrderSync", "v-salesforce", "Pulls closed orders from the Salesforce Orders API v2 every hour for the warehouse."},
		[4]string{"app-reports", "SalesReports", "", "In-house reporting: loads opportunities from the Salesforce Orders API v2 every night."},
		[4]string{"app-portal2", "PartnerDesk", "v-salesforce", "Partner web portal at partners.example.com built on Salesforce Experience Cloud; partners sign in with Salesforce."},
	)
	e := Email{MessageID: "v2@salesforce.com", FromAddress: "developers@salesforce.com", Date: testNow,
		Subject: "V2 Orders API retirement: end of June 2027",
		Body: "The V2 Orders API endpoints will be retired at the end of June 2027; after that, requests to them will return 404. " +
			"Switch these integrations to the V3 Orders API.\n\nNot affected: PartnerDesk, CRMSync, Experience Cloud sites and Platform Events. " +
			"API tokens and connected apps keep working; no new credentials are needed."}
	d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	got := sorted(d.AffectedApplicationIDs)
	if want := []string{"app-orders", "app-reports"}; !slices.Equal(got, want) {
		t.Errorf("affected %v, want %v\n%s", got, want, d.Reasoning)
	}
}

// TestSignInCertificateReach: new SAML signing certificates at the identity
// provider reach every application that signs in through it over SAML,
// directly or through the single sign-on built on it, and leave those that
// sign in over OIDC alone.
func TestSignInCertificateReach(t *testing.T) {
	snap := withApps(
		[4]string{"app-sso", "StaffSSO", "v-okta", "Okta single sign-on (SAML 2.0 and OIDC) for all staff."},
		[4]string{"app-hr", "PeopleHub", "", "HR system; HR staff sign in to it with StaffSSO through SAML."},
		[4]string{"app-wikiapp", "TeamWiki", "", "Team wiki; staff sign in with StaffSSO through OIDC."},
		[4]string{"app-pay2", "Expenses", "v-stripe", "Expense claims paid through Stripe; finance staff sign in to the back office with Okta SSO through SAML."},
	)
	e := Email{MessageID: "cert@okta.com", FromAddress: "noreply@okta.com", Date: testNow,
		Subject: "SSO certificates are expiring",
		Body: "The SAML signing certificates of 3 SSO applications in your organization expire in 60 days. When a certificate " +
			"expires, users can no longer sign in to that application. Upload the new IdP certificate to each service provider. " +
			"Applications that use OIDC are not affected."}
	d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	got := sorted(d.AffectedApplicationIDs)
	for _, want := range []string{"app-sso", "app-hr", "app-pay2"} {
		if !slices.Contains(got, want) {
			t.Errorf("%s not reached: %v\n%s", want, got, d.Reasoning)
		}
	}
	if slices.Contains(got, "app-wikiapp") {
		t.Errorf("an application signing in over OIDC was reached: %v", got)
	}
}

// TestPaymentsThroughAnApplication: a change to the payment gateway that
// a payment service uses reaches every application whose payments go
// through that service, not one that only mentions payments.
func TestPaymentsThroughAnApplication(t *testing.T) {
	snap := withApps(
		[4]string{"app-pay", "PayService", "v-stripe", "In-house payment service: it charges cards through the Stripe API with a secret key."},
		[4]string{"app-shop", "WebShop", "v-aws", "The public shop on AWS. It takes card payments through PayService."},
		[4]string{"app-kiosk", "Kiosks", "v-aws", "Self-service kiosks at the stores; fees are paid through the PayService terminal API."},
		[4]string{"app-ledger", "Ledger", "v-aws", "Accounting ledger; it records the payments of every store each night."})
	apps, why := decideApps(t, snap, "api-updates@stripe.com", "API versions before 2024-06-01 will be retired",
		"Requests sent with a retired API version will be rejected with 400 from September 15, 2027. Charges and refunds made with those requests will fail.")
	for _, want := range []string{"app-pay", "app-shop", "app-kiosk"} {
		if !slices.Contains(apps, want) {
			t.Errorf("%s not reached: got %v\n%s", want, apps, why)
		}
	}
	if slices.Contains(apps, "app-ledger") {
		t.Errorf("an application that does not pay through PayService was added: %v", apps)
	}
}

// TestIncidentThatLeavesSignInAlone: an incident at the identity provider
// that the email says has not affected signing in reaches the application
// that holds the exposed credentials, not every application that signs in
// through it.
func TestIncidentThatLeavesSignInAlone(t *testing.T) {
	snap := withApps(
		[4]string{"app-sso", "StaffSSO", "v-okta", "Single sign-on for staff applications, with Okta as the identity provider; users are provisioned with an Okta API token."},
		[4]string{"app-hr", "HRSystem", "v-salesforce", "Human resources records. Staff sign in through StaffSSO."},
		[4]string{"app-crew", "CrewApp", "v-salesforce", "Crew rosters on tablets. Crew sign in with Okta Verify push."})
	body := "We detected unauthorized access to a support system that held API tokens from uploaded files. Rotate every API token within 7 days. "
	apps, why := decideApps(t, snap, "security@okta.com", "Security notice: rotate your Okta API tokens",
		body+"Sign-in for your users through Okta has not been affected.")
	if !slices.Contains(apps, "app-sso") || slices.Contains(apps, "app-hr") || slices.Contains(apps, "app-crew") {
		t.Errorf("sign-in not affected: want StaffSSO and not HRSystem or CrewApp, got %v\n%s", apps, why)
	}
	apps, why = decideApps(t, snap, "security@okta.com", "Security notice: rotate your Okta API tokens", body)
	if !slices.Contains(apps, "app-hr") || !slices.Contains(apps, "app-crew") {
		t.Errorf("sign-in not said to be unaffected: want HRSystem and CrewApp too, got %v\n%s", apps, why)
	}
}

// TestProductNamedWithoutTheVendor: an alias "<vendor> <product>" names
// the product in a subject without the vendor's name too, and an
// application that only shares words with the email but runs another of
// the vendor's products is not added.
func TestProductNamedWithoutTheVendor(t *testing.T) {
	snap := withApps(
		[4]string{"app-claims", "ClaimsDesk", "v-payco", "Claim payments to claimants go through PayCo ClaimsPay disbursements."},
		[4]string{"app-portal", "CustomerPortal", "v-payco", "Customers pay premiums by card and view their claims in the portal; card payments go through PayCo PremiumPay."})
	snap.Vendors = append(snap.Vendors, registry.Vendor{ID: "v-payco", Name: "PayCo", Tier: registry.Tier2,
		EmailDomains: []string{"payco.example"}, Aliases: []string{"PayCo ClaimsPay", "PayCo PremiumPay"}, IsActive: true})
	apps, why := decideApps(t, snap, "developers@payco.example", "ClaimsPay Disbursement API v1 retirement",
		"The v1 Disbursement API for claim payments will be retired at the end of Q3 2027; calls to it will fail. "+
			"Move your claims payment integration to v2 before then. Card payments in your portal keep their current API.")
	if !slices.Contains(apps, "app-claims") || slices.Contains(apps, "app-portal") {
		t.Errorf("want ClaimsDesk, not CustomerPortal; got %v\n%s", apps, why)
	}
}

// TestUnaffectedProductsReachNothing: an application that uses only the
// vendor's products the email says are not affected is not reached, even
// by a change to credentials; one that also uses the product that changes
// is.
func TestUnaffectedProductsReachNothing(t *testing.T) {
	snap := withApps(
		[4]string{"app-claims", "ClaimsDesk", "v-est", "Claims handling. Estimates arrive from Estimo Desk through Estimo Exchange with an API key."},
		[4]string{"app-field", "FieldPad", "v-est", "Tablet app for field adjusters: estimates are written in Estimo Desk Mobile and uploaded to ClaimsDesk."})
	snap.Vendors = append(snap.Vendors, registry.Vendor{ID: "v-est", Name: "Estimo", Tier: registry.Tier2,
		EmailDomains: []string{"estimo.example"}, IsActive: true})
	apps, why := decideApps(t, snap, "partners@estimo.example", "Estimo Exchange: basic authentication ends in June 2027",
		"Estimo Exchange will stop accepting basic authentication on its partner APIs in June 2027; every call must carry an OAuth access token "+
			"obtained with client credentials. Request new credentials and update your integration to request tokens. "+
			"Estimo Desk Mobile users are not affected.")
	if !slices.Contains(apps, "app-claims") || slices.Contains(apps, "app-field") {
		t.Errorf("want ClaimsDesk, not FieldPad; got %v\n%s", apps, why)
	}
}

// TestCredentialChangeThatLeavesSignInAlone: a change to how the vendor's
// API credentials or tokens work, in an email that says signing in is not
// affected, reaches what calls the API with them, not what only runs on or
// signs in to the vendor.
func TestCredentialChangeThatLeavesSignInAlone(t *testing.T) {
	snap := withApps(
		[4]string{"app-int", "Integrations", "v-okta", "Service integrations call the Okta Management API with OAuth tokens."},
		[4]string{"app-hrp", "HRPortal", "v-okta", "HR portal built on Okta Workforce; staff sign in with Okta."})
	apps, why := decideApps(t, snap, "developers@okta.com", "Okta: the password grant retires on 2027-06-30",
		"Okta will retire the resource owner password credentials grant on 2027-06-30; token requests with it will be refused. "+
			"Service applications must request tokens with the client credentials grant instead. Interactive sign-in for users is not affected.")
	if !slices.Contains(apps, "app-int") || slices.Contains(apps, "app-hrp") {
		t.Errorf("want Integrations, not HRPortal; got %v\n%s", apps, why)
	}
}

// TestProductUsedByName: an application whose description says it uses a
// product of the vendor ("the Lumo Member API") is about an email that
// names that product, even when the email names another application.
func TestProductUsedByName(t *testing.T) {
	snap := withApps(
		[4]string{"app-rewards", "Rewards", "v-lumo", "Frequent-flyer programme on Lumo Cloud."},
		[4]string{"app-shop", "WebShop", "v-lumo", "The web shop; it shows member balances read from the Lumo Member API."},
		[4]string{"app-bi", "Reporting", "v-lumo", "Nightly reports of member accruals exported from Lumo Cloud."})
	snap.Vendors = append(snap.Vendors, registry.Vendor{ID: "v-lumo", Name: "Lumo", Tier: registry.Tier2,
		EmailDomains: []string{"lumo.example"}, IsActive: true})
	apps, why := decideApps(t, snap, "security@lumo.example", "Rotate the client secret of rewards-prod by next Monday",
		"The OAuth client rewards-prod uses a client secret in a retired format. From next Monday, token requests with it will be refused "+
			"and Member API calls (balances, accruals) made by that client will fail.")
	if !slices.Contains(apps, "app-rewards") || !slices.Contains(apps, "app-shop") || slices.Contains(apps, "app-bi") {
		t.Errorf("want Rewards and WebShop, not Reporting; got %v\n%s", apps, why)
	}
}

// TestGuardrailsFollowPayments: on the model's path, the guardrails add
// the applications whose payments go through an application the model
// chose, for a change to payments.
func TestGuardrailsFollowPayments(t *testing.T) {
	snap := withApps(
		[4]string{"app-pay", "PayService", "v-stripe", "In-house payment service: it charges cards through the Stripe API with a secret key."},
		[4]string{"app-shop", "WebShop", "v-aws", "The public shop on AWS. It takes card payments through PayService."})
	e := Email{MessageID: "g@stripe.com", FromAddress: "api-updates@stripe.com", Date: testNow,
		Subject: "API versions before 2024-06-01 will be retired",
		Body:    "Requests sent with a retired API version will be rejected from September 15, 2027. Charges and refunds made with those requests will fail."}
	d := Decision{Classification: Actionable, VendorID: "v-stripe", Severity: registry.SeverityHigh, AffectedApplicationIDs: []string{"app-pay"}}
	g := ApplyGuardrails(d, e, snap, testSettings())
	if !slices.Contains(g.AffectedApplicationIDs, "app-shop") {
		t.Errorf("guardrails: want WebShop added, got %v (%v)", g.AffectedApplicationIDs, g.Overrides)
	}
}

// TestIncidentAtANamedTenant: an incident at the tenant the email names
// does not reach an application that uses a separate tenant of the vendor.
func TestIncidentAtANamedTenant(t *testing.T) {
	snap := withApps(
		[4]string{"app-sso", "StaffSSO", "v-okta", "Okta tenant acme.okta.com: single sign-on for employees."},
		[4]string{"app-partner", "PartnerPortal", "v-okta", "Partners sign in with Okta (OIDC, a separate partner tenant)."})
	body := "We detected unauthorized access to a support system. Your tenant acme.okta.com is affected: rotate its client secrets within 14 days."
	apps, why := decideApps(t, snap, "security@okta.com", "Okta security incident", body)
	if !slices.Contains(apps, "app-sso") || slices.Contains(apps, "app-partner") {
		t.Errorf("named tenant: want StaffSSO, not PartnerPortal; got %v\n%s", apps, why)
	}
	apps, why = decideApps(t, snap, "security@okta.com", "Okta security incident",
		"We detected unauthorized access to a support system. Rotate your client secrets within 14 days.")
	if !slices.Contains(apps, "app-partner") {
		t.Errorf("no tenant named: want PartnerPortal too; got %v\n%s", apps, why)
	}
}
