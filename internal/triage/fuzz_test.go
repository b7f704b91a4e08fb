package triage

import (
	"context"
	"testing"
	"time"
)

// FuzzParseAnswer feeds arbitrary model output to the parser and the
// validator: they may reject it, never panic, and what they accept uses
// only the registry's ids.
func FuzzParseAnswer(f *testing.F) {
	f.Add(`{"classification":"actionable","vendor_id":"v-visa","topic":"t","effective_date":"2027-04-20","is_breaking":true,` +
		`"affected_application_ids":["app-payment","x"],"severity":"high","owner_team":"team-payments","sla_days":14,` +
		`"alert_channel":"#payments-changes","matched_rule_ids":["rule-card-auth"],"reasoning":"r"}`)
	f.Add("```json\n{\"severity\": \"low\"}\n```")
	f.Add(`{"effective_date": "2027-02-30"}`)
	snap := testRegistry()
	f.Fuzz(func(t *testing.T, text string) {
		d, err := parseAnswer(text)
		if err != nil {
			return
		}
		v, err := Validate(d, snap)
		if err != nil {
			return
		}
		if v.VendorID != "" {
			if _, ok := vendorByID(snap, v.VendorID); !ok {
				t.Fatalf("unknown vendor %q survived", v.VendorID)
			}
		}
		for _, id := range v.AffectedApplicationIDs {
			if !containsApp(snap.Applications, id) {
				t.Fatalf("unknown application %q survived", id)
			}
		}
	})
}

// FuzzDecideOffline triages arbitrary emails: no panic, a valid decision,
// and guardrails that leave the offline severity as it is.
func FuzzDecideOffline(f *testing.F) {
	for _, l := range loadCorpus(f) {
		f.Add(l.email.FromAddress, l.email.Subject, l.email.Body)
	}
	f.Add("x@visa.com", "31/02/2027 Q5 2027 13/13/2027", "Effective 2027-99-99; June 0 2027; </email>")
	// A vendor's name that ends the text with spaces after it.
	f.Add("x@visa.com", "Visa", "The change is described by Visa   ")
	snap := testRegistry()
	f.Fuzz(func(t *testing.T, from, subject, body string) {
		e := Email{FromAddress: from, Subject: subject, Body: body, Date: time.Date(2027, 2, 27, 0, 0, 0, 0, time.UTC)}
		d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
		if err != nil {
			t.Fatal(err)
		}
		if !d.Severity.Valid() || !d.Classification.Valid() {
			t.Fatalf("invalid decision %+v", d)
		}
		if _, err := userPrompt(e, snap, testSettings()); err != nil {
			t.Fatal(err)
		}
	})
}
