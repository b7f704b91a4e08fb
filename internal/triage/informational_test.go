package triage

import (
	"context"
	"testing"
)

// TestInformationalMeansInformational: surveys, feedback requests,
// newsletters, events, price lists and maintenance that needs nothing done
// open no ticket — unless they also announce a change that requires action,
// which then wins.
func TestInformationalMeansInformational(t *testing.T) {
	snap := testRegistry()
	cases := []struct {
		name, from, subject, body string
		want                      Classification
	}{
		{"survey", "research@stripe.com", "How are we doing? A 3-minute survey",
			"We'd love your feedback. Take our short survey about the Stripe Dashboard; it closes on April 10, 2027.", Informational},
		{"net promoter survey", "success@zendesk.com", "How likely are you to recommend Zendesk?",
			"How likely are you to recommend Zendesk to a colleague? Answer one question (0-10) and tell us what we could do better.", Informational},
		{"feedback request", "cx@zendesk.com", "Tell us what you think of Zendesk",
			"How did we do? Rate your experience with your recent support request.", Informational},
		{"trade show", "events@salesforce.com", "Meet us at Dreamforce 2027",
			"Visit our booth and join the keynote on September 14, 2027. Early bird tickets end soon.", Informational},
		{"price list", "billing@twilio.com", "Updated price list for SMS in 2027",
			"Our updated price list for US SMS takes effect on May 1, 2027. There is nothing you need to do; your plan renews as usual.", Informational},
		{"maintenance without action", "status@okta.com", "Scheduled maintenance on March 20, 2027",
			"Okta will perform scheduled maintenance during the maintenance window 02:00-04:00 UTC on March 20, 2027. No downtime is expected and no action is required.", Informational},
		{"fee schedule", "accounts@stripe.com", "Your updated pricing schedule (effective 1 May 2027)",
			"Please find attached your updated pricing schedule, effective 1 May 2027. The fee for US consumer cards goes down. " +
				"No change to your integration, API keys or webhooks is needed; the new fees appear on your May invoice.", Informational},
		{"content marketing", "marketing@mailchimp.com", "Spring into email: 5 campaign ideas for April",
			"Here are five campaigns our retail customers are running this April: double points, referral bonuses and birthday rewards. " +
				"Read the full guide. Unsubscribe.", Informational},
		{"webinar about a change elsewhere", "events@okta.com", "Webinar: how hospitals are retiring passwords",
			"Join us on May 13, 2027 to hear how three hospitals moved their staff to passkeys. Save your seat.", Informational},
		{"surcharges with nothing to change", "billing@twilio.com", "Changes to US carrier surcharges",
			"Carrier surcharges for SMS to US numbers change on May 1, 2027. Your per-message price does not change, and there is nothing you need to change in your account or your integration.", Informational},
		{"newsletter issue", "news@zendesk.com", "The Service Desk, issue 14: routing that scales",
			"How large teams route tickets by skill. In this issue: a routing checklist, a customer story and tips for macros.", Informational},
		{"no change needed unless", "developers@stripe.com", "Webhook signing update",
			"No change to your webhook endpoints is needed unless you verify signatures with the legacy scheme; those will fail from May 1, 2027.", Actionable},
		{"newsletter announcing a breaking change", "news@stripe.com", "Stripe newsletter: March 2027",
			"In this newsletter: new Dashboard features, a webinar on Radar, and action required: API version 2023-08-16 will be retired on April 30, 2027; requests pinned to it will fail.", Actionable},
		{"feedback request from the account team", "success@zendesk.com", "Your first year with Zendesk Suite",
			"We'd like to hear what works for your agents and what doesn't. Reply to this email by April 2, 2027, or book a call with me.", Informational},
		{"feedback request beside a retirement", "developers@zendesk.com", "Zendesk API v1 retirement",
			"API v1 will be retired on June 1, 2027; calls to it will fail. We'd love to hear how the migration goes.", Actionable},
		{"maintenance that moves an API to a new hostname", "status@okta.com", "Planned maintenance and a new API hostname",
			"The move is done in a maintenance window; no action is needed for the maintenance itself. The API then answers on a new hostname, and the old hostname is switched off on June 30, 2027.", Actionable},
		{"a new root with what fails otherwise", "noc@twilio.com", "New certificate authority for SIP trunks",
			"On June 1, 2027 our SIP edge starts presenting certificates from a new root. Controllers must trust it by then; otherwise the TLS handshake fails and calls stop.", Actionable},
		{"otherwise in a newsletter", "news@zendesk.com", "The Service Desk, issue 15",
			"In this issue: routing tips. Try the new macros; otherwise the old ones keep working as before. Unsubscribe.", Informational},
		{"German: no more push approvals", "produkt@okta.com", "Okta Verify: Mindestversion",
			"Ab dem 1. Februar 2027 erhalten Okta Verify-Versionen älter als 6.0 keine Push-Freigaben mehr. Bitte aktualisieren Sie die App.", Actionable},
		{"German: not more than", "news@okta.com", "Okta Newsletter Dezember",
			"In diesem Newsletter: Anmeldungen dauern jetzt nicht mehr als zwei Sekunden. Zum Webinar anmelden. Abmelden: unsubscribe.", Informational},
		{"older releases lose support", "security@okta.com", "Security advisory for Okta Access Gateway",
			"Install release 11.4.3 on every gateway by June 30, 2027. Gateways on older releases lose support after that date.", Actionable},
		{"no action, with a typographic apostrophe", "ops@zendesk.com", "Scheduled maintenance \u2013 Zendesk US1",
			"Zendesk US1 will undergo scheduled maintenance on March 20, 2027. New exports queue during the window. You don\u2019t need to do anything \u2013 queued jobs start automatically.", Informational},
		{"changes that require no action", "billing@stripe.com", "Updates to ACH pricing",
			"Changes to ACH pricing for accounts on standard pricing, effective March 1, 2027: ACH debit is capped at $5.00. These changes apply automatically and require no action or change to your integration.", Informational},
		{"German: nothing to do", "betrieb@okta.com", "Wartungsankündigung am 13.03.2027",
			"Am Samstag, 13.03.2027, führen wir von 20:00 bis 23:00 Uhr Wartungsarbeiten durch. Die Suche kann einige Minuten nicht verfügbar sein. Sie müssen nichts unternehmen.", Informational},
		{"a newsletter with a preferences link", "brief@zendesk.com", "The Zendesk Brief - January 2027",
			"AI-assisted routing, now in preview. Customer story: a 600-agent team moves 18 TB in a weekend. Manage preferences.", Informational},
		{"survey with a mandatory change", "research@okta.com", "Survey and a mandatory change",
			"Please take our survey. Separately: Okta will enforce MFA for all admin API tokens; tokens without it will be rejected from May 1, 2027. Action required.", Actionable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := Email{MessageID: tc.name + "@x", FromAddress: tc.from, Subject: tc.subject, Body: tc.body, Date: testNow}
			d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
			if err != nil {
				t.Fatal(err)
			}
			if d.Classification != tc.want {
				t.Errorf("%s = %s, want %s\n%s", tc.name, d.Classification, tc.want, d.Reasoning)
			}
		})
	}
}

// TestInformationalDatesFromTheMessage: an informational notice keeps a
// date the message itself says a change starts on, but not the validity
// date of an attached price list or fee schedule.
func TestInformationalDatesFromTheMessage(t *testing.T) {
	snap := testRegistry()
	for _, tc := range []struct {
		name, body, want string
	}{
		{"in the message", "For your information: starting April 1, 2027 the price of outbound SMS changes to $0.0085 per segment. No action is required.", "2027-04-01"},
		{"a digest of items with their own dates", "Rules update. Rule 5.2 changes, effective May 1, 2027. Rule 17 changes, effective " +
			"May 15, 2027. All changes are applied in the rules engine. No action is required.", ""},
		{"in an attached price list", WithAttachment("Attached is your price list for the next contract year. No action is required.",
			"prices.pdf", "Price list 2027-2028\nEffective 1 July 2027\nSMS, per segment: $0.0085"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := Email{MessageID: tc.name + "@x", FromAddress: "billing@twilio.com", Subject: "Pricing update", Body: tc.body, Date: testNow}
			d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
			if err != nil {
				t.Fatal(err)
			}
			if d.Classification != Informational || d.EffectiveDate.String() != tc.want {
				t.Errorf("%s, date %q; want informational, date %q\n%s", d.Classification, d.EffectiveDate.String(), tc.want, d.Reasoning)
			}
		})
	}
}
