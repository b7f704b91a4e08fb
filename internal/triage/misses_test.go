package triage

import (
	"context"
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestTriageMissClasses covers the kinds of miss seen on unseen vendor
// mail: offer language in an event promotion, traffic a vendor "will
// block", and a description match hidden by another vendor's rule.
func TestTriageMissClasses(t *testing.T) {
	snap := testRegistry()
	decide := func(t *testing.T, snap registry.Snapshot, from, subject, body string) Decision {
		t.Helper()
		d, err := (&Agent{}).Decide(context.Background(), Email{MessageID: "m@x", FromAddress: from, Subject: subject, Body: body, Date: testNow}, snap, testSettings())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Run("an event promotion with offer language is informational", func(t *testing.T) {
		for _, body := range []string{
			"Join 5,000 payments leaders at Money20/20 Europe on June 3, 2027. Register now and save 30 % with code VISA30.",
			"Our Connect summit is back! Book your seat today: 25% off until April 15, 2027.",
		} {
			if d := decide(t, snap, "events@visa.com", "Money20/20: see you in Amsterdam", body); d.Classification != Informational {
				t.Errorf("%q = %s %s\n%s", body, d.Classification, d.Severity, d.Reasoning)
			}
		}
	})
	t.Run("traffic a vendor will block is a breaking change", func(t *testing.T) {
		d := decide(t, snap, "security@okta.com", "TLS 1.1 connections to Okta",
			"From May 1, 2027 Okta will block connections that negotiate TLS 1.1 to all org URLs, including the OIDC endpoints.")
		if !d.IsBreaking || d.Severity.Rank() < registry.SeverityHigh.Rank() {
			t.Errorf("breaking %v severity %s\n%s", d.IsBreaking, d.Severity, d.Reasoning)
		}
	})
	t.Run("another vendor's rule does not hide a description match", func(t *testing.T) {
		s := testRegistry()
		s.Vendors = append(s.Vendors, registry.Vendor{ID: "v-adyen", Name: "Adyen", Tier: registry.Tier2, EmailDomains: []string{"adyen.com"}, IsActive: true})
		s.Applications = append(s.Applications, registry.Application{ID: "app-pos", Name: "StorePOS", IsActive: true,
			Description: "In-store point of sale terminals; card payments go through the Adyen Terminal API and its payouts reports."})
		d := decide(t, s, "notices@adyen.com", "Adyen Terminal API: version 1 retires on June 30, 2027",
			"The Terminal API version 1 endpoints will be retired on June 30, 2027. Migrate terminal payments to Terminal API v2.")
		if !slices.Contains(d.AffectedApplicationIDs, "app-pos") {
			t.Errorf("StorePOS missed: %v\n%s", d.AffectedApplicationIDs, d.Reasoning)
		}
	})
}
