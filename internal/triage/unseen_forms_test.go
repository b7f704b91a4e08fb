package triage

import (
	"context"
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// formsRegistry is a small registry of made-up vendors and applications,
// none of them in a corpus, whose descriptions say how they use their
// vendors in words the other test registries do not use.
func formsRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{
			{ID: "v-idp", Name: "Keyfern", Tier: registry.Tier1, EmailDomains: []string{"keyfern.example"}, IsActive: true},
			{ID: "v-gw", Name: "Tallypay", Tier: registry.Tier1, EmailDomains: []string{"tallypay.example"}, IsActive: true},
			{ID: "v-edge", Name: "Ridgecache", Tier: registry.Tier2, EmailDomains: []string{"ridgecache.example"}, IsActive: true},
			{ID: "v-mail", Name: "Postwick", Tier: registry.Tier3, EmailDomains: []string{"postwick.example"}, IsActive: true},
			{ID: "v-plant", Name: "Dialstone", Tier: registry.Tier2, EmailDomains: []string{"dialstone.example"}, IsActive: true},
		},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "StaffGate", IsActive: true, IsCritical: true, VendorIDs: []string{"v-idp"},
				Description: "Employee single sign-on on Keyfern (tenant acme.keyfern.example) with SAML 2.0 and OpenID Connect."},
			{ID: "app-ledger", Name: "LedgerDesk", IsActive: true, VendorIDs: nil,
				Description: "Billing system. Billing clerks authenticate against StaffGate with SAML. Card payments taken by phone or at the counter settle via PayPoint."},
			{ID: "app-crews", Name: "CrewTablet", IsActive: true, VendorIDs: nil,
				Description: "Tablets for field crews. Crews authenticate against StaffGate with OpenID Connect."},
			{ID: "app-web", Name: "CustomerWeb", IsActive: true, IsCritical: true, VendorIDs: []string{"v-idp", "v-edge"},
				Description: "Customer portal. It is fronted by Ridgecache and authenticates customers against Keyfern (tenant acme-customers.keyfern.example) with OpenID Connect."},
			{ID: "app-pay", Name: "PayPoint", IsActive: true, IsCritical: true, VendorIDs: []string{"v-gw"},
				Description: "In-house payment service that settles card payments via the Tallypay gateway API with a secret key."},
			{ID: "app-news", Name: "Newsreach", IsActive: true, VendorIDs: []string{"v-mail"},
				Description: "Customer newsletters sent through Postwick from our own sending domain."},
			{ID: "app-plant", Name: "PlantData", IsActive: true, VendorIDs: []string{"v-plant"},
				Description: "Dialstone historian collectors at the plants, which reach the Dialstone licence service with a client certificate."},
		},
	}
}

// decideForms triages one email against formsRegistry.
func decideForms(t *testing.T, from, subject, body string) Decision {
	t.Helper()
	d, err := (&Agent{}).Decide(context.Background(), Email{MessageID: "f@x", FromAddress: from, Subject: subject, Body: body, Date: testNow},
		formsRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestUnseenDependencyForms covers the ways of saying what an application
// depends on that a held-out organisation's descriptions used.
func TestUnseenDependencyForms(t *testing.T) {
	t.Run("an incident at the identity provider reaches what authenticates against the single sign-on", func(t *testing.T) {
		d := decideForms(t, "security@keyfern.example", "Security incident: rotate your client secrets",
			"An attacker read support case uploads that held session tokens and client secrets. We revoked all sessions. "+
				"Rotate every client secret and SCIM token in your tenants within 7 days; secrets not rotated will be disabled.")
		for _, id := range []string{"app-ledger", "app-crews"} {
			if !slices.Contains(d.AffectedApplicationIDs, id) {
				t.Errorf("%s missed: %v\n%s", id, d.AffectedApplicationIDs, d.Reasoning)
			}
		}
	})
	t.Run("a gateway change reaches what settles card payments via the payment service", func(t *testing.T) {
		d := decideForms(t, "notices@tallypay.example", "New certificate chain for the gateway",
			"By the end of June 2027 the gateway API presents certificates under a new root. Integrations that pin the old intermediate will fail to connect "+
				"and cannot authorise or refund payments; add the new root before then.")
		if !slices.Contains(d.AffectedApplicationIDs, "app-ledger") {
			t.Errorf("LedgerDesk missed: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("what a list headed not affected names is not reached", func(t *testing.T) {
		d := decideForms(t, "trust@keyfern.example", "SAML signing certificate rotation for acme.keyfern.example",
			"The SAML signing certificate of your workforce tenant acme.keyfern.example will be replaced on 3 August 2027. "+
				"Service providers that pin the current certificate must import the new one before then.\n\n"+
				"Not affected:\n- OpenID Connect applications: their keys rotate automatically.\n- Your customer tenant acme-customers.keyfern.example.\n\nThanks,\nKeyfern")
		if !slices.Contains(d.AffectedApplicationIDs, "app-ledger") || slices.Contains(d.AffectedApplicationIDs, "app-crews") ||
			slices.Contains(d.AffectedApplicationIDs, "app-web") {
			t.Errorf("applications %v, want the SAML ones only\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("a list that a sentence about what is not affected turns to is what is", func(t *testing.T) {
		d := decideForms(t, "trust@keyfern.example", "Signing key rotation",
			"Your customer tenant acme-customers.keyfern.example is not affected, but the following must import the new SAML signing certificate by 3 August 2027:\n"+
				"- SAML service providers of acme.keyfern.example\n- OpenID Connect applications that pin keys\n\nThanks,\nKeyfern")
		if !slices.Contains(d.AffectedApplicationIDs, "app-sso") {
			t.Errorf("StaffGate missed: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
}

// TestUnseenDependencyFormsOnTheModelPath checks that the guardrails read
// the same forms when a language model decides.
func TestUnseenDependencyFormsOnTheModelPath(t *testing.T) {
	agent, _ := openAIAgent(t, modelAnswer(t, map[string]any{"vendor_id": "v-gw", "affected_application_ids": []string{"app-pay"},
		"matched_rule_ids": []string{}, "owner_team": "", "alert_channel": ""}))
	d, err := agent.Decide(context.Background(), Email{MessageID: "m@x", FromAddress: "notices@tallypay.example", Subject: "New certificate chain for the gateway",
		Body: "By the end of June 2027 the gateway API presents certificates under a new root. Integrations that pin the old intermediate " +
			"will fail to connect and cannot authorise or refund payments; add the new root before then.", Date: testNow},
		formsRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.AffectedApplicationIDs, "app-ledger") {
		t.Errorf("LedgerDesk missed: %v", d.AffectedApplicationIDs)
	}
}

// TestUnseenDateFormsOnTheModelPath checks that a model's answer without a
// date gets the one the email gives in a form found on unseen mail.
func TestUnseenDateFormsOnTheModelPath(t *testing.T) {
	agent, _ := openAIAgent(t, modelAnswer(t, map[string]any{"vendor_id": "v-mail", "affected_application_ids": []string{"app-news"},
		"matched_rule_ids": []string{}, "owner_team": "", "alert_channel": "", "effective_date": ""}))
	d, err := agent.Decide(context.Background(), Email{MessageID: "m@x", FromAddress: "compliance@postwick.example", Subject: "Sender registration deadline",
		Body: "Please register your sending domain in the console by the end of August. Unregistered traffic will be blocked after that.", Date: testNow},
		formsRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if d.EffectiveDate.String() != "2027-08-31" {
		t.Errorf("date %s, want 2027-08-31", d.EffectiveDate)
	}
}

// germanMaintenance and frenchLetter are informational mail in other
// languages.
const (
	germanMaintenance = "Sehr geehrte Kundin, sehr geehrter Kunde,\n\nam Samstag, 29.05.2027, von 06:00 bis 09:00 Uhr führen wir Wartungsarbeiten " +
		"am Lizenzdienst durch. Laufende Installationen sind nicht betroffen.\n\nEs sind keine Maßnahmen Ihrerseits erforderlich.\n\nIhr Betriebsteam"
	frenchLetter = "La lettre de mai\n\nNouveaux modèles de campagnes pour les collectivités.\nWebinaire : réussir ses envois le 8 juin à 16 h.\n\n" +
		"Bonne lecture,\nL'équipe\n\nSe désabonner"
)

// TestUnseenInformationalLanguages covers notices that need no action,
// written in another language.
func TestUnseenInformationalLanguages(t *testing.T) {
	for name, tc := range map[string]struct{ from, subject, body string }{
		"maintenance that needs no action, in German":      {"betrieb@dialstone.example", "Wartungsarbeiten am Lizenzdienst am 29.05.2027", germanMaintenance},
		"a newsletter one can unsubscribe from, in French": {"lettre@postwick.example", "La lettre de mai", frenchLetter},
	} {
		t.Run(name, func(t *testing.T) {
			d := decideForms(t, tc.from, tc.subject, tc.body)
			if d.Classification != Informational || len(d.AffectedApplicationIDs) != 0 || !d.EffectiveDate.IsZero() {
				t.Errorf("%s %v %s\n%s", d.Classification, d.AffectedApplicationIDs, d.EffectiveDate, d.Reasoning)
			}
		})
	}
	t.Run("on the model path, when the guardrails fill in the vendor", func(t *testing.T) {
		agent, _ := openAIAgent(t, modelAnswer(t, map[string]any{"vendor_id": "", "classification": "unknown_vendor", "affected_application_ids": []string{},
			"matched_rule_ids": []string{}, "owner_team": "", "alert_channel": "", "effective_date": "", "is_breaking": false, "severity": "low"}))
		d, err := agent.Decide(context.Background(), Email{MessageID: "m@x", FromAddress: "betrieb@dialstone.example",
			Subject: "Wartungsarbeiten am Lizenzdienst am 29.05.2027", Body: germanMaintenance, Date: testNow}, formsRegistry(), testSettings())
		if err != nil {
			t.Fatal(err)
		}
		if d.VendorID != "v-plant" || d.Classification != Informational {
			t.Errorf("%s %s: %+v", d.VendorID, d.Classification, d.Overrides)
		}
	})
}

// consequences are notices that say what fails for those who do not act
// in words found on unseen mail.
var consequences = []struct{ name, from, subject, body string }{
	{"what does not accept the change answers with errors", "noc@ridgecache.example", "New edge IP ranges",
		"In 60 days our edge servers will connect to your origins from new IP ranges. Origins that do not accept them " +
			"will answer edge requests with errors, and visitors will see a 5xx page."},
	{"what has an expired certificate receives nothing more", "support@dialstone.example", "Renewal of client certificates",
		"The client certificates your collectors use expire on 01.10.2027. Please generate new certificates before then. " +
			"Collectors with an expired certificate receive no licence renewal and no updates."},
	{"mail without the new records lands in spam", "deliverability@postwick.example", "DKIM key upgrade",
		"In June 2027 we move every sending domain to 2048-bit DKIM keys. Publish the two new CNAME records before the switch. " +
			"Campaigns from domains without the new records will be sent unsigned and are much more likely to land in spam."},
	{"what expects the old key aborts the connection", "support@dialstone.example", "New SSH host key",
		"From 05.07.2027 the hub presents a new host key on SFTP connections. Please add the new fingerprint on every device beforehand. " +
			"Devices that expect the old key will abort the connection and receive nothing."},
	{"what comes with an old token is rejected", "support@dialstone.example", "Upload tokens renewal",
		"Upload tokens created before 2027 expire on 04/10/2027. Please generate new tokens and deploy them. After that date, uploads with an old token are rejected."},
	{"what is not updated before the move may not appear", "hello@dialstone.example", "Your feed address is changing",
		"In 45 days we move all feeds to a new host and redirect the old addresses. Please update the feed address in each directory before the move, " +
			"or new episodes may not appear there."},
	{"calls to an interface switched off in a maintenance window are refused", "ops@dialstone.example", "Scheduled maintenance: export API v1 switched off",
		"We will move your account to a new cluster during a maintenance window from 02:00 UTC on 19 June 2027 to 06:00 UTC on 20 June 2027. " +
			"At the start of the window we also switch off export API v1. After the switch, v1 calls return HTTP 410."},
}

// TestUnseenConsequences checks that each is a breaking change, offline
// and over a model's answer that says it is not.
func TestUnseenConsequences(t *testing.T) {
	for _, c := range consequences {
		t.Run(c.name, func(t *testing.T) {
			if d := decideForms(t, c.from, c.subject, c.body); !d.IsBreaking {
				t.Errorf("offline: not breaking\n%s", d.Reasoning)
			}
			agent, _ := openAIAgent(t, modelAnswer(t, map[string]any{"vendor_id": "v-plant", "is_breaking": false, "severity": "low",
				"affected_application_ids": []string{"app-plant"}, "matched_rule_ids": []string{}, "owner_team": "", "alert_channel": "", "effective_date": ""}))
			d, err := agent.Decide(context.Background(), Email{MessageID: "m@x", FromAddress: "support@dialstone.example", Subject: c.subject, Body: c.body, Date: testNow},
				formsRegistry(), testSettings())
			if err != nil {
				t.Fatal(err)
			}
			if !d.IsBreaking {
				t.Errorf("model path: not breaking: %+v", d.Overrides)
			}
		})
	}
	t.Run("a tier 2 change whose deadline is 30 to 90 days away is high", func(t *testing.T) {
		if d := decideForms(t, consequences[0].from, consequences[0].subject, consequences[0].body); d.Severity != registry.SeverityHigh {
			t.Errorf("severity %s\n%s", d.Severity, d.Reasoning)
		}
	})
}

// TestUnseenForeignRequestIsActionable checks that a notice in another
// language that asks the reader to act stays actionable when it can be
// unsubscribed from.
func TestUnseenForeignRequestIsActionable(t *testing.T) {
	d := decideForms(t, "api@postwick.example", "Arrêt de l'API v1",
		"Bonjour,\n\nL'API v1 sera arrêtée le 04/10/2027. Veuillez migrer vers l'API v2 avant cette date.\n\nCordialement,\nL'équipe API\n\nSe désabonner")
	if d.Classification != Actionable {
		t.Errorf("%s\n%s", d.Classification, d.Reasoning)
	}
}
