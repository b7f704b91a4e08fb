package triage

import (
	"context"
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// reachFormsRegistry is a small registry of made-up vendors and
// applications whose descriptions say how they reach their vendors in
// words a third held-out organisation's registry used.
func reachFormsRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{
			{ID: "v-idp", Name: "Keyholt", Tier: registry.Tier1, EmailDomains: []string{"keyholt.example"}, Aliases: []string{"Keyholt Members"}, IsActive: true},
			{ID: "v-gw", Name: "Paymoss", Tier: registry.Tier1, EmailDomains: []string{"paymoss.example"}, Aliases: []string{"Paymoss Checkout"}, IsActive: true},
		},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "DeskLogin", IsActive: true, IsCritical: true, VendorIDs: []string{"v-idp"},
				Description: "Staff single sign-on on Keyholt (tenant acme.keyholt.example) with SAML 2.0 and OpenID Connect."},
			{ID: "app-crm", Name: "CaseBook", IsActive: true, VendorIDs: nil,
				Description: "Customer-service cases. Agents get in with DeskLogin (SAML)."},
			{ID: "app-site", Name: "MemberSite", IsActive: true, IsCritical: true, VendorIDs: []string{"v-idp"},
				Description: "Member site. Member sessions are issued by Keyholt Members (tenant members.keyholt.example) over OpenID Connect."},
			{ID: "app-phone", Name: "MemberPhone", IsActive: true, VendorIDs: []string{"v-idp"},
				Description: "Member app. Sign-in is brokered by Keyholt Members (the same member tenant as MemberSite)."},
			{ID: "app-subs", Name: "RenewDesk", IsActive: true, IsCritical: true, VendorIDs: []string{"v-gw"},
				Description: "Renewals. Card payments are processed by Paymoss: RenewDesk charges cards through the Paymoss API with a secret key."},
			{ID: "app-ads", Name: "AdBooking", IsActive: true, VendorIDs: []string{"v-gw"},
				Description: "Self-service booking of classified ads. Advertisers pay at the end of the booking with Paymoss Checkout."},
		},
	}
}

func decideReachForms(t *testing.T, from, subject, body string) Decision {
	t.Helper()
	d, err := (&Agent{}).Decide(context.Background(), Email{MessageID: "r@x", FromAddress: from, Subject: subject, Body: body, Date: testNow},
		reachFormsRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const (
	samlCertOutOfScope = "We will switch to a new SAML signing certificate for acme.keyholt.example on 30 June 2027. If a service provider has the " +
		"current certificate configured by hand, upload the new one before the switch.\n\nOut of scope for this change:\n" +
		"- applications that use OpenID Connect;\n- the member tenant members.keyholt.example.\n"
	apiVersionRetired = "API version 2024-11-01 is retired on 11/30/2027. From that day, requests sent with it fail with HTTP 400: charges, " +
		"renewals and refunds made with it will not go through. Please move to version 2026-05-15."
)

// TestUnseenReachForms covers the ways of saying what an application
// depends on, and what a change leaves alone, found on a third held-out
// organisation's mail.
func TestUnseenReachForms(t *testing.T) {
	t.Run("a sign-in certificate reaches an application whose staff get in with the single sign-on", func(t *testing.T) {
		d := decideReachForms(t, "security@keyholt.example", "New SAML signing certificate", samlCertOutOfScope)
		if !slices.Contains(d.AffectedApplicationIDs, "app-crm") {
			t.Errorf("CaseBook missed: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("what a list headed out of scope names is not reached, nor what uses the same tenant", func(t *testing.T) {
		d := decideReachForms(t, "security@keyholt.example", "New SAML signing certificate", samlCertOutOfScope)
		for _, id := range []string{"app-site", "app-phone"} {
			if slices.Contains(d.AffectedApplicationIDs, id) {
				t.Errorf("%s reached: %v\n%s", id, d.AffectedApplicationIDs, d.Reasoning)
			}
		}
	})
	t.Run("a gateway change reaches an application that pays with the gateway's checkout", func(t *testing.T) {
		d := decideReachForms(t, "developers@paymoss.example", "API version 2024-11-01 will stop working", apiVersionRetired)
		if !slices.Contains(d.AffectedApplicationIDs, "app-ads") {
			t.Errorf("AdBooking missed: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
	t.Run("a gateway change that says what it leaves alone reaches only what uses the rest", func(t *testing.T) {
		d := decideReachForms(t, "developers@paymoss.example", "Mobile SDK 3.x end of life",
			"Token requests from the mobile SDK 3.x will be rejected from 30 September 2027, so customers cannot pay by card. "+
				"RenewDesk integrations must upgrade. Paymoss Checkout and the server-side API are not affected by this change.")
		if slices.Contains(d.AffectedApplicationIDs, "app-ads") {
			t.Errorf("AdBooking reached: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
}

// TestUnseenReachFormsOnTheModelPath checks that a model's answer that
// leaves out the application that pays with the gateway's checkout gets
// it from the guardrails.
func TestUnseenReachFormsOnTheModelPath(t *testing.T) {
	agent, _ := openAIAgent(t, modelAnswer(t, map[string]any{"vendor_id": "v-gw", "affected_application_ids": []string{"app-subs"},
		"matched_rule_ids": []string{}, "owner_team": "", "alert_channel": ""}))
	d, err := agent.Decide(context.Background(), Email{MessageID: "m@x", FromAddress: "developers@paymoss.example",
		Subject: "API version 2024-11-01 will stop working", Body: apiVersionRetired, Date: testNow}, reachFormsRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.AffectedApplicationIDs, "app-ads") {
		t.Errorf("AdBooking missed: %v", d.AffectedApplicationIDs)
	}
}
