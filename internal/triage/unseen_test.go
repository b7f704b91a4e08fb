package triage

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// unseenRegistry is a small registry of made-up vendors and applications,
// none of them in a corpus, for the rules found on unseen mail.
func unseenRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{
			{ID: "v-idp", Name: "Brightkey", Tier: registry.Tier1, EmailDomains: []string{"brightkey.example"}, Aliases: []string{"Brightkey Identity"}, IsActive: true},
			{ID: "v-gw", Name: "Quillpay", Tier: registry.Tier1, EmailDomains: []string{"quillpay.example"}, Aliases: []string{"Quillpay Gateway"}, IsActive: true},
			{ID: "v-locks", Name: "Doorvane", Tier: registry.Tier2, EmailDomains: []string{"doorvane.example"}, Aliases: []string{"Doorvane Mobile Key"}, IsActive: true},
			{ID: "v-fraud", Name: "Fraudwise", Tier: registry.Tier2, EmailDomains: []string{"fraudwise.example"}, IsActive: true},
			{ID: "v-mail", Name: "Sendmoor", Tier: registry.Tier3, EmailDomains: []string{"sendmoor.example"}, IsActive: true},
		},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "CrewLogin", IsActive: true, IsCritical: true, VendorIDs: []string{"v-idp"},
				Description: "Employee single sign-on on Brightkey Identity with SAML 2.0 and OpenID Connect."},
			{ID: "app-console", Name: "DoorConsole", IsActive: true, VendorIDs: []string{"v-locks"},
				Description: "Doorvane lock servers and key-card encoders. Engineers sign in to the lock server console with CrewLogin through SAML."},
			{ID: "app-pay", Name: "PayCore", IsActive: true, IsCritical: true, VendorIDs: []string{"v-gw"},
				Description: "In-house payment service that charges cards through the Quillpay gateway API with a secret key."},
			{ID: "app-bar", Name: "BarTabs", IsActive: true, VendorIDs: nil,
				Description: "Bar and restaurant tills. Card payments at the table go through PayCore."},
			{ID: "app-guest", Name: "GuestPhone", IsActive: true, VendorIDs: []string{"v-locks"},
				Description: "Guest app; room doors open with Doorvane mobile keys through the Doorvane Mobile Key SDK."},
			{ID: "app-orders", Name: "OrderPay", IsActive: true, IsCritical: true, VendorIDs: []string{"v-fraud"},
				Description: "In-house payment service that authorises, captures and refunds online orders. Every order is screened by Fraudwise before capture through the Fraudwise Cases API."},
			{ID: "app-dw", Name: "Warehouse", IsActive: true,
				Description: "In-house data warehouse. It loads Brightkey audit files every night, and statistics from the Sendmoor API with an OAuth client credentials grant."},
			{ID: "app-news", Name: "Campaigns", IsActive: true, VendorIDs: []string{"v-mail"},
				Description: "Marketing campaigns to past guests sent through Sendmoor from our own sending domain."},
		},
	}
}

// decideUnseen triages one email against unseenRegistry.
func decideUnseen(t *testing.T, from, subject, body string) Decision {
	t.Helper()
	d, err := (&Agent{}).Decide(context.Background(), Email{MessageID: "u@x", FromAddress: from, Subject: subject, Body: body, Date: testNow},
		unseenRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestUnseenMailRules covers the kinds of miss seen on a held-out
// organisation's mail, each stated without its vendors.
func TestUnseenMailRules(t *testing.T) {
	t.Run("a sign-in certificate change reaches an application that signs in to its console through the single sign-on", func(t *testing.T) {
		d := decideUnseen(t, "no-reply@brightkey.example", "Your SAML signing certificate expires in 45 days",
			"The SAML signing certificate of your Brightkey tenant expires in 45 days. Update each SAML service provider with the new certificate; "+
				"service providers that still trust only the old certificate will reject sign-ins after it expires.")
		if !slices.Contains(d.AffectedApplicationIDs, "app-console") {
			t.Errorf("DoorConsole missed: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("a gateway change reaches an application whose card payments at the table go through the payment service", func(t *testing.T) {
		d := decideUnseen(t, "security@quillpay.example", "Roll your webhook signing secret",
			"Webhook signing secrets were written to an internal log. Roll the signing secret of your webhook endpoint within 14 days; "+
				"after that, webhooks signed with the new secret will fail verification at receivers that still use the old one, and payment events will not be confirmed.")
		if !slices.Contains(d.AffectedApplicationIDs, "app-bar") {
			t.Errorf("BarTabs missed: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("an incident report that says no customer action is required is informational", func(t *testing.T) {
		d := decideUnseen(t, "status@doorvane.example", "Incident report: degraded lock server sync on February 24",
			"On February 24, 2027 lock server sync was degraded for 90 minutes. We failed over manually and service returned to normal. "+
				"No data was lost and no customer action is required.")
		if d.Classification != Informational || len(d.AffectedApplicationIDs) != 0 {
			t.Errorf("%s %v\n%s", d.Classification, d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("a dashed day-first date is read", func(t *testing.T) {
		sent := time.Date(2027, 5, 7, 8, 0, 0, 0, time.UTC)
		fd, ok := extractDate("Firmware advisory", "Install firmware 5.8.3 on every encoder by 04-06-2027.\nDoorvane B.V., Eindhoven, Nederland",
			"psirt@doorvane.example", "", sent, DateOf(sent, time.UTC), time.UTC)
		if !ok || fd.date.String() != "2027-06-04" || !strings.Contains(fd.note, "Nederland") {
			t.Errorf("date %s %v (%s), want 2027-06-04 read day-first from the sender's address", fd.date, ok, fd.note)
		}
	})
	t.Run("a table row's label says which date is the deadline", func(t *testing.T) {
		sent := time.Date(2027, 5, 7, 8, 0, 0, 0, time.UTC)
		body := "Milestone | Date\nFirmware 5.8.3 available in the cloud | 7 May 2027\n" +
			"Deadline to install firmware 5.8.3 on every encoder | 4 June 2027\nEncoders on older firmware refused by the cloud service | 5 June 2027\n"
		fd, ok := extractDate("Firmware advisory", body, "psirt@doorvane.example", "", sent, DateOf(sent, time.UTC), time.UTC)
		if !ok || fd.date.String() != "2027-06-04" {
			t.Errorf("date %s from %q", fd.date, fd.text)
		}
	})
	t.Run("a date in parentheses is a detail, not when the change takes effect", func(t *testing.T) {
		sent := time.Date(2027, 4, 26, 8, 0, 0, 0, time.UTC)
		body := "From 12.07.2027, the controller API will only accept client certificates issued by our new CA.\n\n" +
			"Your account uses 1 client certificate from the old CA (CN=provisioning, valid until 30.11.2027).\n"
		fd, ok := extractDate("Controller API: new CA for client certificates", body, "service@doorvane.example", "", sent, DateOf(sent, time.UTC), time.UTC)
		if !ok || fd.date.String() != "2027-07-12" {
			t.Errorf("date %s from %q", fd.date, fd.text)
		}
	})
	t.Run("an informational notice keeps no date a price list applies from", func(t *testing.T) {
		d := decideUnseen(t, "billing@sendmoor.example", "Your Sendmoor price list for 2028",
			"Our 2028 price list takes effect on January 1, 2028 at your next renewal. No action is required: nothing changes in your account.")
		if d.Classification != Informational || !d.EffectiveDate.IsZero() {
			t.Errorf("%s, date %s\n%s", d.Classification, d.EffectiveDate, d.Reasoning)
		}
	})
	t.Run("a host that will be shut down for good is a breaking change, one shut down for a while is not", func(t *testing.T) {
		d := decideUnseen(t, "support@doorvane.example", "Import host is moving",
			"The current import host will be shut down in Q3 2027. Please change your export job to deliver to the new host before the end of the quarter.")
		if !d.IsBreaking {
			t.Errorf("shut down for good: not breaking\n%s", d.Reasoning)
		}
		d = decideUnseen(t, "ops@doorvane.example", "Planned maintenance on Sunday",
			"The portal will be shut down for two hours during the maintenance window on Sunday. No action is required.")
		if d.IsBreaking || d.Classification != Informational {
			t.Errorf("maintenance: breaking %v, %s\n%s", d.IsBreaking, d.Classification, d.Reasoning)
		}
	})
	t.Run("mail one can unsubscribe from that asks nothing of the reader is informational", func(t *testing.T) {
		d := decideUnseen(t, "letter@sendmoor.example", "Send-time optimisation for every plan, and 20 new templates",
			"The Sendmoor Letter\n\nSend-time optimisation for everyone: every plan can now send each contact at the hour they usually open.\n"+
				"Template gallery: twenty new templates for hotels and travel.\n\nSendmoor, 520 Broadway, Santa Monica, CA 90401. Unsubscribe")
		if d.Classification != Informational {
			t.Errorf("%s %v\n%s", d.Classification, d.AffectedApplicationIDs, d.Reasoning)
		}
		d = decideUnseen(t, "notices@sendmoor.example", "Your sending domain's DKIM key",
			"Please rotate the DKIM key of your sending domain to a 2048-bit key in Settings.\n\nSendmoor, 520 Broadway, Santa Monica, CA 90401. Unsubscribe")
		if d.Classification != Actionable {
			t.Errorf("a request to act: %s\n%s", d.Classification, d.Reasoning)
		}
	})
	t.Run("an application that names the vendor in passing shares no words with it through another API's clause", func(t *testing.T) {
		d := decideUnseen(t, "cloud-ops@brightkey.example", "Brightkey will retire the OAuth password grant",
			"Brightkey will retire the OAuth 2.0 password credentials grant for service applications on June 30, 2027. "+
				"Service applications that call the Brightkey API must obtain tokens with the client credentials grant instead. "+
				"Interactive sign-in for users is not affected.")
		if slices.Contains(d.AffectedApplicationIDs, "app-dw") {
			t.Errorf("Warehouse added: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("a product the subject names keeps out applications that run others of the vendor's", func(t *testing.T) {
		snap := registry.Snapshot{
			Vendors: []registry.Vendor{{ID: "v-core", Name: "Harborline", Tier: registry.Tier1, EmailDomains: []string{"harborline.example"}, IsActive: true}},
			Applications: []registry.Application{
				{ID: "app-policy", Name: "PolicyAdmin", IsActive: true, VendorIDs: []string{"v-core"},
					Description: "Harborline PolicyDesk on Harborline Cloud for auto and home policies in six states."},
				{ID: "app-portal", Name: "CustomerPortal", IsActive: true, VendorIDs: []string{"v-core"},
					Description: "The customer web portal where policyholders view policies and ID cards. Policies are read through the Harborline Cloud API."},
				{ID: "app-uw", Name: "UnderwritingDesk", IsActive: true, VendorIDs: []string{"v-core"},
					Description: "Underwriting workbench. It reads submissions from PolicyAdmin through the PolicyDesk SOAP web services."},
			},
		}
		e := Email{MessageID: "p@x", FromAddress: "upgrades@harborline.example", Date: testNow,
			Subject: "PolicyDesk upgrade to the Spring release: your schedule",
			Body: "Your PolicyDesk instances on Harborline Cloud will be upgraded to the Spring release on April 20, 2027. " +
				"Spring removes the PolicyDesk SOAP web services, deprecated since last year. Integrations that still call them must move to the " +
				"Cloud API (Submission and Policy APIs) before the production upgrade."}
		d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(d.AffectedApplicationIDs, "app-portal") || !slices.Contains(d.AffectedApplicationIDs, "app-uw") {
			t.Errorf("applications %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("an email that names the vendor's integration with another vendor's product reaches what uses it", func(t *testing.T) {
		snap := registry.Snapshot{
			Vendors: []registry.Vendor{
				{ID: "v-tax", Name: "Taxwell", Tier: registry.Tier2, EmailDomains: []string{"taxwell.example"}, IsActive: true},
				{ID: "v-till", Name: "Tillpoint", Tier: registry.Tier1, EmailDomains: []string{"tillpoint.example"}, IsActive: true},
			},
			Applications: []registry.Application{
				{ID: "app-tax", Name: "SalesTax", IsActive: true, VendorIDs: []string{"v-tax"},
					Description: "Taxwell Cloud tenant that calculates sales tax for every channel. Its connectors authenticate calculation requests with a Trusted ID; the tax team keeps the tax rules."},
				{ID: "app-till", Name: "StoreTills", IsActive: true, VendorIDs: []string{"v-till", "v-tax"},
					Description: "Tillpoint registers in 40 stores. Sales tax at the till is calculated by Taxwell through the Taxwell Tillpoint connector."},
				{ID: "app-gift", Name: "GiftCards", IsActive: true, VendorIDs: []string{"v-till", "v-tax"},
					Description: "Gift cards sold on Tillpoint registers. Taxwell keeps the tax exemption certificates of business buyers."},
			},
		}
		e := Email{MessageID: "t@x", FromAddress: "cloud-ops@taxwell.example", Date: testNow,
			Subject: "Action required: Trusted ID authentication retires August 1st, 2027",
			Body: "We are retiring Trusted ID authentication for tax calculation requests. Your tenant has one connector that authenticates " +
				"with a Trusted ID: Taxwell Cloud Connector for Tillpoint Retail. Create OAuth client credentials and enter them in the " +
				"connector's settings before August 1st, 2027. After that date, calculation requests from the connector will fail."}
		d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(d.AffectedApplicationIDs, "app-till") || slices.Contains(d.AffectedApplicationIDs, "app-gift") {
			t.Errorf("applications %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("a product the vendor's alias names reaches an application that uses it", func(t *testing.T) {
		snap := registry.Snapshot{
			Vendors: []registry.Vendor{{ID: "v-mfa", Name: "Keyloft", Tier: registry.Tier1, EmailDomains: []string{"keyloft.example"},
				Aliases: []string{"Keyloft Badge", "Keyloft Confirm ID"}, IsActive: true}},
			Applications: []registry.Application{
				{ID: "app-badge", Name: "BadgeSSO", IsActive: true, VendorIDs: []string{"v-mfa"},
					Description: "Keyloft Badge tap-in single sign-on for shared ward workstations and Keyloft Confirm ID two-factor for controlled-substance prescribing."},
				{ID: "app-rx", Name: "Prescribing", IsActive: true, VendorIDs: []string{"v-other"},
					Description: "Electronic prescribing to retail pharmacies. Controlled substances need Keyloft Confirm ID two-factor."},
			},
		}
		e := Email{MessageID: "k@x", FromAddress: "support@keyloft.example", Date: testNow, Subject: "Keyloft mobile app: end of support for version 3",
			Body: "Keyloft Confirm ID uses the Keyloft mobile app for push approvals. Version 3 of the app will stop working on the 15th of April, " +
				"when its push certificates expire. Prescribers on version 3 will not be able to approve controlled-substance prescriptions."}
		d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(d.AffectedApplicationIDs, "app-rx") {
			t.Errorf("Prescribing missed: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("a breaking change on the payment path of a payment-critical application is critical", func(t *testing.T) {
		fraud := registry.Vendor{ID: "v-fraud", Name: "Fraudwise", Tier: registry.Tier2}
		rates := registry.Vendor{ID: "v-rates", Name: "Rateline", Tier: registry.Tier2}
		hub := "In-house payment service that authorises, captures and refunds online payments. Every order is screened by Fraudwise before capture. " +
			"It polls the Rateline feed every 2 hours, and processes card payments in real time."
		if !onPaymentPath(hub, fraud) || onPaymentPath(hub, rates) ||
			onPaymentPath("Reporting warehouse. Every order screened by Fraudwise before capture is loaded nightly.", fraud) {
			t.Errorf("payment path: fraud %v, rates %v", onPaymentPath(hub, fraud), onPaymentPath(hub, rates))
		}
		sev, why := severityFloor(facts{classification: Actionable, tier: registry.Tier2, breaking: true, deadline: true, days: 120,
			criticalApps: []string{"PaymentHub"}, paymentApps: []string{"PaymentHub"}})
		if sev != registry.SeverityCritical {
			t.Errorf("severity %s (%s), want critical", sev, why)
		}
	})
	t.Run("what the old way can no longer do is breaking-change language", func(t *testing.T) {
		d := decideUnseen(t, "psirt@doorvane.example", "Encoder firmware 5.8.3",
			"Install firmware 5.8.3 on every encoder. Encoders that are not updated can no longer encode key cards.")
		if !d.IsBreaking {
			t.Errorf("not breaking\n%s", d.Reasoning)
		}
	})
	t.Run("an advisory signed by an incident response team reports no incident", func(t *testing.T) {
		d := decideUnseen(t, "psirt@doorvane.example", "Doorvane Security Advisory DSA-2027-03",
			"An authentication bypass affects key-card encoders on firmware 5.7. Install firmware 5.8.3 on every encoder; "+
				"encoders that are not updated can no longer encode key cards.\n\nDoorvane Product Security Incident Response Team")
		if slices.Contains(d.AffectedApplicationIDs, "app-guest") || !slices.Contains(d.AffectedApplicationIDs, "app-console") {
			t.Errorf("applications %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
}

// TestUnseenMailRulesOnTheModelPath checks that the rules found on unseen
// mail also hold when a language model decides: the guardrails read the
// email with the same rules and correct the model.
func TestUnseenMailRulesOnTheModelPath(t *testing.T) {
	decide := func(t *testing.T, fields map[string]any, from, subject, body string) Decision {
		t.Helper()
		agent, _ := openAIAgent(t, modelAnswer(t, fields))
		d, err := agent.Decide(context.Background(), Email{MessageID: "m@x", FromAddress: from, Subject: subject, Body: body, Date: testNow},
			unseenRegistry(), testSettings())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Run("a gateway change the model routes to the payment service reaches what pays through it", func(t *testing.T) {
		d := decide(t, map[string]any{"vendor_id": "v-gw", "affected_application_ids": []string{"app-pay"}, "matched_rule_ids": []string{},
			"owner_team": "", "alert_channel": ""},
			"security@quillpay.example", "Roll your webhook signing secret",
			"Roll the signing secret of your webhook endpoint within 14 days; after that, payment events signed with the new secret will fail verification.")
		if !slices.Contains(d.AffectedApplicationIDs, "app-bar") {
			t.Errorf("BarTabs missed: %v", d.AffectedApplicationIDs)
		}
	})
	t.Run("a breaking change on the payment path is critical whatever the model says", func(t *testing.T) {
		d := decide(t, map[string]any{"vendor_id": "v-fraud", "severity": "high", "affected_application_ids": []string{"app-orders"},
			"matched_rule_ids": []string{}, "owner_team": "", "alert_channel": "", "effective_date": "2027-09-30"},
			"api@fraudwise.example", "Cases API v2 sunset",
			"The Cases API v2 will be turned off at the end of Q3 2027. Requests to v2 will fail with HTTP 410; migrate to v3 before then.")
		if d.Severity != registry.SeverityCritical {
			t.Errorf("severity %s: %+v", d.Severity, d.Overrides)
		}
	})
	t.Run("what the old way can no longer do makes the model's change breaking", func(t *testing.T) {
		d := decide(t, map[string]any{"vendor_id": "v-locks", "is_breaking": false, "severity": "low", "affected_application_ids": []string{"app-console"},
			"matched_rule_ids": []string{}, "owner_team": "", "alert_channel": "", "effective_date": ""},
			"psirt@doorvane.example", "Encoder firmware 5.8.3",
			"Install firmware 5.8.3 on every encoder. Encoders that are not updated can no longer encode key cards.")
		if !d.IsBreaking {
			t.Errorf("not breaking: %+v", d.Overrides)
		}
	})
}
