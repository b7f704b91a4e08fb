package registry

import "github.com/vendorsync/vendorsync/internal/auth"

// The demo registry: what a mid-sized payments company would describe.

var demoTeamList = []auth.TeamInput{
	{Name: "Payments", Email: "payments@example.com", SlackChannel: "#payments-changes", ManagerEmail: "maria.lopez@example.com"},
	{Name: "Platform", Email: "platform@example.com", SlackChannel: "#platform-alerts", ManagerEmail: "dev.patel@example.com"},
	{Name: "Identity", Email: "identity@example.com", SlackChannel: "#identity-changes", ManagerEmail: "sam.okafor@example.com"},
	{Name: "Growth", Email: "growth@example.com", SlackChannel: "#growth-eng", ManagerEmail: "lena.fischer@example.com"},
	{Name: "Data", Email: "data@example.com", SlackChannel: "#data-alerts", ManagerEmail: "tom.nguyen@example.com"},
}

var demoVendors = []Vendor{
	{Name: "Visa", Tier: Tier1, EmailDomains: []string{"visa.com", "visaemail.com"},
		Aliases: []string{"Visa Inc.", "VisaNet", "Visa Developer Platform"}, Website: "https://developer.visa.com",
		Notes: "Card network. Technical letters and VisaNet business enhancement releases arrive from visa.com twice a year (April and October)."},
	{Name: "Mastercard", Tier: Tier1, EmailDomains: []string{"mastercard.com", "email.mastercard.com"},
		Aliases: []string{"MasterCard", "Mastercard Developers", "Mastercard Connect"}, Website: "https://developer.mastercard.com",
		Notes: "Card network. Global operations bulletins and API deprecations."},
	{Name: "Stripe", Tier: Tier1, EmailDomains: []string{"stripe.com"},
		Aliases: []string{"Stripe, Inc.", "Stripe Billing"}, Website: "https://stripe.com",
		Notes: "Payment processor for card-not-present payments and subscriptions. API versions are pinned per account."},
	{Name: "AWS", Tier: Tier1, EmailDomains: []string{"amazon.com", "aws.amazon.com", "amazonaws.com"},
		Aliases: []string{"Amazon Web Services", "Amazon AWS"}, Website: "https://aws.amazon.com",
		Notes: "All production infrastructure. Health Dashboard notices and deprecation emails come from aws.amazon.com."},
	{Name: "Twilio", Tier: Tier2, EmailDomains: []string{"twilio.com", "sendgrid.com"},
		Aliases: []string{"Twilio Inc.", "SendGrid", "Twilio SendGrid"}, Website: "https://www.twilio.com",
		Notes: "SMS one-time passcodes and transactional email (SendGrid)."},
	{Name: "Salesforce", Tier: Tier2, EmailDomains: []string{"salesforce.com"},
		Aliases: []string{"SFDC", "Salesforce.com"}, Website: "https://www.salesforce.com",
		Notes: "CRM. Three major releases a year (Spring, Summer, Winter) and API version retirements."},
	{Name: "Okta", Tier: Tier2, EmailDomains: []string{"okta.com", "auth0.com"},
		Aliases: []string{"Okta Inc.", "Auth0"}, Website: "https://www.okta.com",
		Notes: "Workforce and customer identity (OIDC)."},
	{Name: "Thomson Reuters", Tier: Tier2, EmailDomains: []string{"thomsonreuters.com", "refinitiv.com", "lseg.com"},
		Aliases: []string{"Reuters", "Refinitiv", "LSEG Data & Analytics"}, Website: "https://www.thomsonreuters.com",
		Notes: "FX rates feed used for currency conversion."},
	{Name: "DigiCert", Tier: Tier2, EmailDomains: []string{"digicert.com"},
		Aliases: []string{"DigiCert Inc.", "DigiCert CertCentral"}, Website: "https://www.digicert.com",
		Notes: "Certificate authority for all public TLS certificates."},
	{Name: "Mailchimp", Tier: Tier3, EmailDomains: []string{"mailchimp.com", "mandrill.com", "intuit.com"},
		Aliases: []string{"Intuit Mailchimp", "Mandrill"}, Website: "https://mailchimp.com",
		Notes: "Marketing newsletters and receipt emails (Mandrill)."},
	{Name: "Zendesk", Tier: Tier3, EmailDomains: []string{"zendesk.com"},
		Aliases: []string{"Zendesk Inc."}, Website: "https://www.zendesk.com",
		Notes: "Customer support desk."},
}

type demoApplication struct {
	app     Application
	team    string
	vendors []string
}

var demoApplications = []demoApplication{
	{team: "Payments", vendors: []string{"Visa", "Mastercard", "Thomson Reuters"}, app: Application{Name: "PaymentService", IsCritical: true,
		Description: "API-based application that exchanges Visa schema files for credit card status updates, polls the Reuters rates feed every 2 hours, " +
			"and processes card payments in real time. Calls the Visa authorization v2 endpoint and the Mastercard authorization API on every transaction, " +
			"over mutual TLS with network-issued client certificates.",
		CreatesTrackerIssue: true, TrackerProjectKey: "PAY", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "payments"},
		TrackerDefaultAssignee: "maria.lopez@example.com"}},
	{team: "Payments", vendors: []string{"Visa", "Mastercard"}, app: Application{Name: "AccountUpdate", IsCritical: true,
		Description: "Nightly batch job that sends stored card numbers to Visa Account Updater (VAU) and Mastercard Automatic Billing Updater (ABU) " +
			"as fixed-width schema files over SFTP and applies the returned new card numbers and expiry dates. Does not call authorization endpoints.",
		CreatesTrackerIssue: true, TrackerProjectKey: "PAY", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "card-updater"}}},
	{team: "Payments", vendors: []string{"Stripe", "Mailchimp"}, app: Application{Name: "Billing",
		Description: "Monthly subscription billing: creates invoices and charges saved cards through Stripe Billing (API version pinned), " +
			"listens to Stripe webhooks for payment_intent and invoice events, and emails receipts through Mailchimp Transactional (Mandrill).",
		CreatesTrackerIssue: true, TrackerProjectKey: "PAY", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "billing"}}},
	{team: "Payments", vendors: []string{"Visa", "Mastercard", "Stripe"}, app: Application{Name: "RiskEngine", IsCritical: true,
		Description: "Real-time fraud scoring for every card authorization. Reads Visa Risk Manager and Mastercard Decision Intelligence scores " +
			"from the authorization response and Stripe Radar outcomes for card-not-present payments; blocks or steps up risky payments.",
		CreatesTrackerIssue: true, TrackerProjectKey: "PAY", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "fraud"}}},
	{team: "Data", vendors: []string{"Thomson Reuters", "AWS"}, app: Application{Name: "FXRates",
		Description: "Downloads foreign-exchange reference rates from the Thomson Reuters (Refinitiv) rates feed over HTTPS every 2 hours, " +
			"validates them and publishes them to an S3 bucket and an SQS topic that PaymentService and Billing read for currency conversion.",
		CreatesTrackerIssue: true, TrackerProjectKey: "DATA", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "fx"}}},
	{team: "Platform", vendors: []string{"AWS", "DigiCert"}, app: Application{Name: "CloudPlatform", IsCritical: true,
		Description: "Runs every production workload on AWS: EKS Kubernetes clusters, RDS PostgreSQL, S3, SQS, CloudFront and Application Load Balancers " +
			"in eu-west-1 and us-east-1. Public TLS certificates on the load balancers and CloudFront are issued by DigiCert and renewed automatically.",
		CreatesTrackerIssue: true, TrackerProjectKey: "PLAT", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "infrastructure"},
		TrackerDefaultAssignee: "dev.patel@example.com"}},
	{team: "Identity", vendors: []string{"Okta", "DigiCert"}, app: Application{Name: "IdentityGateway", IsCritical: true,
		Description: "Single sign-on for employees and customers: OpenID Connect login through Okta (authorization code flow with PKCE), " +
			"validates ID tokens against Okta's JWKS signing keys, and provisions users with SCIM. Its own login domain uses a DigiCert certificate.",
		CreatesTrackerIssue: true, TrackerProjectKey: "ID", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "sso"}}},
	{team: "Growth", vendors: []string{"Twilio", "Mailchimp"}, app: Application{Name: "CustomerNotifications",
		Description: "Sends SMS one-time passcodes through Twilio Verify, transactional emails through Twilio SendGrid, " +
			"and marketing newsletters through Mailchimp audiences. US SMS traffic relies on an A2P 10DLC registered campaign.",
		CreatesTrackerIssue: true, TrackerProjectKey: "GRO", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "messaging"}}},
	{team: "Growth", vendors: []string{"Salesforce"}, app: Application{Name: "CRMSync",
		Description: "Keeps customer accounts, contacts and opportunities in step with Salesforce: nightly Bulk API 2.0 exports, " +
			"REST API (version 59.0) updates on signup and cancellation, and a Platform Events subscription for changes made by sales.",
		CreatesTrackerIssue: true, TrackerProjectKey: "GRO", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "crm"}}},
	{team: "Data", vendors: []string{"AWS", "Stripe", "Salesforce"}, app: Application{Name: "DataWarehouse",
		Description: "Nightly ELT pipelines that load Stripe balance transactions and Salesforce objects into Amazon Redshift, " +
			"orchestrated with AWS Step Functions and Lambda (Python runtime); feeds finance and growth dashboards.",
		CreatesTrackerIssue: true, TrackerProjectKey: "DATA", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "warehouse"}}},
	{team: "Growth", vendors: []string{"Zendesk", "Twilio"}, app: Application{Name: "SupportDesk",
		Description: "Customer support: Zendesk tickets and help center, with Twilio voice for the phone line. " +
			"Run by the support operations team without an engineering backlog, so changes are tracked in VendorSync only."}},
}

type demoRule struct {
	rule    Rule
	vendor  string // vendor name, "" for any vendor
	team    string
	slaDays int // 0 for the vendor tier's default
}

var demoRules = []demoRule{
	{team: "Payments", slaDays: 14, rule: Rule{Name: "Card network authorization changes", Severity: SeverityCritical, AlertChannel: "#payments-changes",
		Text: "Any Visa or Mastercard change to authorization endpoints, authorization message fields or response codes is critical for Payments " +
			"and affects PaymentService and RiskEngine."}},
	{team: "Payments", vendor: "Visa", slaDays: 30, rule: Rule{Name: "Visa Account Updater file formats", Severity: SeverityHigh, AlertChannel: "#payments-changes",
		Text: "Changes to Visa Account Updater (VAU) file layouts, schema versions or SFTP endpoints are high for AccountUpdate."}},
	{team: "Payments", vendor: "Stripe", slaDays: 30, rule: Rule{Name: "Stripe API versions and webhooks", Severity: SeverityHigh, AlertChannel: "#payments-changes",
		Text: "Stripe API version retirements and changes to webhook event payloads are high for Billing and RiskEngine."}},
	{team: "Platform", vendor: "AWS", slaDays: 60, rule: Rule{Name: "AWS deprecations", Severity: SeverityHigh, AlertChannel: "#platform-alerts",
		Text: "AWS deprecations of Lambda runtimes, RDS engine versions, EKS Kubernetes versions, instance types or TLS security policies are high " +
			"for Platform. Use AWS's own end-of-support date when it is sooner than the SLA."}},
	{team: "Platform", vendor: "DigiCert", slaDays: 7, rule: Rule{Name: "Certificate authority incidents", Severity: SeverityCritical, AlertChannel: "#platform-alerts",
		Text: "DigiCert certificate revocations, root or intermediate certificate changes and browser distrust announcements are critical: " +
			"an expired or distrusted certificate breaks every TLS connection to CloudPlatform and IdentityGateway."}},
	{team: "Identity", vendor: "Okta", slaDays: 30, rule: Rule{Name: "Identity provider changes", Severity: SeverityHigh, AlertChannel: "#identity-changes",
		Text: "Okta changes to OIDC endpoints, signing key rotation, session or MFA policies and API rate limits are high for IdentityGateway."}},
	{team: "Data", vendor: "Thomson Reuters", slaDays: 21, rule: Rule{Name: "FX rates feed changes", Severity: SeverityHigh, AlertChannel: "#data-alerts",
		Text: "Changes to the Reuters rates feed's endpoints, authentication, file format or publication schedule are high: FXRates stops and " +
			"PaymentService and Billing fall back to stale rates."}},
	{team: "Growth", vendor: "Twilio", slaDays: 45, rule: Rule{Name: "Messaging compliance", Severity: SeverityMedium, AlertChannel: "#growth-eng",
		Text: "Twilio changes to A2P 10DLC registration, sender ID rules or SMS content policies are medium for CustomerNotifications."}},
	{rule: Rule{Name: "Informational notices", Severity: SeverityLow,
		Text: "Newsletters, webinars, event invitations, pricing announcements without a technical change and status-page digests " +
			"are informational: low severity, no application affected."}},
}
