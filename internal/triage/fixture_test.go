package triage

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// testNow is "today" for every test: 1 March 2027, 09:00 UTC.
var testNow = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

func testSettings() Settings {
	return Settings{Now: testNow, Timezone: time.UTC,
		SLADaysByTier: map[registry.Tier]int{registry.Tier1: 14, registry.Tier2: 30, registry.Tier3: 60}}
}

func sla(n int) *int { return &n }

// testRegistry is a payments company's registry, like the demo tenant's,
// with readable ids.
func testRegistry() registry.Snapshot {
	v := func(id, name string, tier registry.Tier, domains, aliases string) registry.Vendor {
		return registry.Vendor{ID: id, Name: name, Tier: tier, EmailDomains: strings.Fields(domains),
			Aliases: strings.Split(aliases, "|"), IsActive: true}
	}
	a := func(id, name, team string, critical bool, vendors, desc string) registry.Application {
		return registry.Application{ID: id, Name: name, OwnerTeamID: team, IsCritical: critical,
			VendorIDs: strings.Fields(vendors), Description: desc, IsActive: true}
	}
	r := func(id, name, vendor string, sev registry.Severity, days *int, team, channel, text string) registry.Rule {
		return registry.Rule{ID: id, Name: name, VendorID: vendor, Severity: sev, SLADays: days,
			OwnerTeamID: team, AlertChannel: channel, Text: text, IsActive: true}
	}
	return registry.Snapshot{
		Vendors: []registry.Vendor{
			v("v-visa", "Visa", registry.Tier1, "visa.com visaemail.com", "Visa Inc.|VisaNet|Visa Developer Platform"),
			v("v-mastercard", "Mastercard", registry.Tier1, "mastercard.com email.mastercard.com", "MasterCard|Mastercard Developers|Mastercard Connect"),
			v("v-stripe", "Stripe", registry.Tier1, "stripe.com", "Stripe, Inc.|Stripe Billing"),
			v("v-aws", "AWS", registry.Tier1, "amazon.com aws.amazon.com amazonaws.com", "Amazon Web Services|Amazon AWS"),
			v("v-twilio", "Twilio", registry.Tier2, "twilio.com sendgrid.com", "Twilio Inc.|SendGrid|Twilio SendGrid"),
			v("v-salesforce", "Salesforce", registry.Tier2, "salesforce.com", "SFDC|Salesforce.com"),
			v("v-okta", "Okta", registry.Tier2, "okta.com auth0.com", "Okta Inc.|Auth0"),
			v("v-reuters", "Thomson Reuters", registry.Tier2, "thomsonreuters.com refinitiv.com lseg.com", "Reuters|Refinitiv|LSEG Data & Analytics"),
			v("v-digicert", "DigiCert", registry.Tier2, "digicert.com", "DigiCert Inc.|DigiCert CertCentral"),
			v("v-mailchimp", "Mailchimp", registry.Tier3, "mailchimp.com mandrill.com intuit.com", "Intuit Mailchimp|Mandrill"),
			v("v-zendesk", "Zendesk", registry.Tier3, "zendesk.com", "Zendesk Inc."),
		},
		Applications: []registry.Application{
			a("app-payment", "PaymentService", "team-payments", true, "v-visa v-mastercard v-reuters",
				"API-based application that exchanges Visa schema files for credit card status updates, polls the Reuters rates feed every 2 hours, "+
					"and processes card payments in real time. Calls the Visa authorization v2 endpoint and the Mastercard authorization API on every transaction, "+
					"over mutual TLS with network-issued client certificates."),
			a("app-accountupdate", "AccountUpdate", "team-payments", true, "v-visa v-mastercard",
				"Nightly batch job that sends stored card numbers to Visa Account Updater (VAU) and Mastercard Automatic Billing Updater (ABU) "+
					"as fixed-width schema files over SFTP and applies the returned new card numbers and expiry dates. Does not call authorization endpoints."),
			a("app-billing", "Billing", "team-payments", false, "v-stripe v-mailchimp",
				"Monthly subscription billing: creates invoices and charges saved cards through Stripe Billing (API version pinned), "+
					"listens to Stripe webhooks for payment_intent and invoice events, and emails receipts through Mailchimp Transactional (Mandrill)."),
			a("app-risk", "RiskEngine", "team-payments", true, "v-visa v-mastercard v-stripe",
				"Real-time fraud scoring for every card authorization. Reads Visa Risk Manager and Mastercard Decision Intelligence scores "+
					"from the authorization response and Stripe Radar outcomes for card-not-present payments; blocks or steps up risky payments."),
			a("app-fx", "FXRates", "team-data", false, "v-reuters v-aws",
				"Downloads foreign-exchange reference rates from the Thomson Reuters (Refinitiv) rates feed over HTTPS every 2 hours, "+
					"validates them and publishes them to an S3 bucket and an SQS topic that PaymentService and Billing read for currency conversion."),
			a("app-cloud", "CloudPlatform", "team-platform", true, "v-aws v-digicert",
				"Runs every production workload on AWS: EKS Kubernetes clusters, RDS PostgreSQL, S3, SQS, CloudFront and Application Load Balancers "+
					"in eu-west-1 and us-east-1. Public TLS certificates on the load balancers and CloudFront are issued by DigiCert and renewed automatically."),
			a("app-idgw", "IdentityGateway", "team-identity", true, "v-okta v-digicert",
				"Single sign-on for employees and customers: OpenID Connect login through Okta (authorization code flow with PKCE), "+
					"validates ID tokens against Okta's JWKS signing keys, and provisions users with SCIM. Its own login domain uses a DigiCert certificate."),
			a("app-notify", "CustomerNotifications", "team-growth", false, "v-twilio v-mailchimp",
				"Sends SMS one-time passcodes through Twilio Verify, transactional emails through Twilio SendGrid, "+
					"and marketing newsletters through Mailchimp audiences. US SMS traffic relies on an A2P 10DLC registered campaign."),
			a("app-crm", "CRMSync", "team-growth", false, "v-salesforce",
				"Keeps customer accounts, contacts and opportunities in step with Salesforce: nightly Bulk API 2.0 exports, "+
					"REST API (version 59.0) updates on signup and cancellation, and a Platform Events subscription for changes made by sales."),
			a("app-dwh", "DataWarehouse", "team-data", false, "v-aws v-stripe v-salesforce",
				"Nightly ELT pipelines that load Stripe balance transactions and Salesforce objects into Amazon Redshift, "+
					"orchestrated with AWS Step Functions and Lambda (Python runtime); feeds finance and growth dashboards."),
			a("app-support", "SupportDesk", "team-growth", false, "v-zendesk v-twilio",
				"Customer support: Zendesk tickets and help center, with Twilio voice for the phone line. "+
					"Run by the support operations team without an engineering backlog, so changes are tracked in VendorSync only."),
		},
		Rules: []registry.Rule{
			r("rule-card-auth", "Card network authorization changes", "", registry.SeverityCritical, sla(14), "team-payments", "#payments-changes",
				"Any Visa or Mastercard change to authorization endpoints, authorization message fields or response codes is critical for Payments "+
					"and affects PaymentService and RiskEngine."),
			r("rule-vau", "Visa Account Updater file formats", "v-visa", registry.SeverityHigh, sla(30), "team-payments", "#payments-changes",
				"Changes to Visa Account Updater (VAU) file layouts, schema versions or SFTP endpoints are high for AccountUpdate."),
			r("rule-stripe", "Stripe API versions and webhooks", "v-stripe", registry.SeverityHigh, sla(30), "team-payments", "#payments-changes",
				"Stripe API version retirements and changes to webhook event payloads are high for Billing and RiskEngine."),
			r("rule-aws", "AWS deprecations", "v-aws", registry.SeverityHigh, sla(60), "team-platform", "#platform-alerts",
				"AWS deprecations of Lambda runtimes, RDS engine versions, EKS Kubernetes versions, instance types or TLS security policies are high "+
					"for Platform. Use AWS's own end-of-support date when it is sooner than the SLA."),
			r("rule-digicert", "Certificate authority incidents", "v-digicert", registry.SeverityCritical, sla(7), "team-platform", "#platform-alerts",
				"DigiCert certificate revocations, root or intermediate certificate changes and browser distrust announcements are critical: "+
					"an expired or distrusted certificate breaks every TLS connection to CloudPlatform and IdentityGateway."),
			r("rule-okta", "Identity provider changes", "v-okta", registry.SeverityHigh, sla(30), "team-identity", "#identity-changes",
				"Okta changes to OIDC endpoints, signing key rotation, session or MFA policies and API rate limits are high for IdentityGateway."),
			r("rule-fx", "FX rates feed changes", "v-reuters", registry.SeverityHigh, sla(21), "team-data", "#data-alerts",
				"Changes to the Reuters rates feed's endpoints, authentication, file format or publication schedule are high: FXRates stops and "+
					"PaymentService and Billing fall back to stale rates."),
			r("rule-twilio", "Messaging compliance", "v-twilio", registry.SeverityMedium, sla(45), "team-growth", "#growth-eng",
				"Twilio changes to A2P 10DLC registration, sender ID rules or SMS content policies are medium for CustomerNotifications."),
			r("rule-info", "Informational notices", "", registry.SeverityLow, nil, "", "",
				"Newsletters, webinars, event invitations, pricing announcements without a technical change and status-page digests "+
					"are informational: low severity, no application affected."),
		},
	}
}

// labelled is a test email of the payments company with what triage
// should decide about it.
type labelled struct {
	file                     string
	email                    Email
	vendor, class, sev, date string
	apps                     []string
	strict                   bool // part of the exact table test, not only of the quality figures
}

// loadCorpus reads the payments company's labelled emails
// (testdata/corpus/payments), parsed as the inbox parses them.
func loadCorpus(t testing.TB) []labelled {
	t.Helper()
	labels := paymentLabels(t)
	names := make([]string, 0, len(labels))
	for n := range labels {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []labelled
	for _, n := range names {
		out = append(out, loadEmail(t, n))
	}
	return out
}

// loadEmail reads one of the payments company's labelled emails.
func loadEmail(t testing.TB, file string) labelled {
	t.Helper()
	l, ok := paymentLabels(t)[file]
	if !ok {
		t.Fatalf("%s is not a labelled email", file)
	}
	return labelled{file: file, email: parsedFile(t, filepath.Join(paymentsDir, file)), vendor: l.Vendor, class: l.Classification,
		sev: l.Severity, date: l.EffectiveDate, apps: append([]string{}, l.Applications...), strict: l.Strict}
}

const paymentsDir = "testdata/corpus/payments"

func paymentLabels(t testing.TB) map[string]corpusLabel {
	t.Helper()
	var labels map[string]corpusLabel
	readJSON(t, filepath.Join(paymentsDir, "labels.json"), &labels)
	return labels
}
