package triage

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOfflineTriage runs the offline triage, through Agent.Decide, on the
// labelled emails that must come out exactly as labelled.
func TestOfflineTriage(t *testing.T) {
	snap := testRegistry()
	for _, l := range loadCorpus(t) {
		if !l.strict {
			continue
		}
		t.Run(l.file, func(t *testing.T) {
			d, err := (&Agent{}).Decide(context.Background(), l.email, snap, testSettings())
			if err != nil {
				t.Fatal(err)
			}
			got := []string{d.VendorID, string(d.Classification), string(d.Severity), d.EffectiveDate.String()}
			want := []string{l.vendor, l.class, l.sev, l.date}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("vendor, class, severity, date (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(sorted(l.apps), sorted(d.AffectedApplicationIDs)); diff != "" {
				t.Errorf("applications (-want +got):\n%s", diff)
			}
			if d.Source != SourceOffline || d.Reasoning == "" {
				t.Errorf("source %q, reasoning %q", d.Source, d.Reasoning)
			}
			if len(d.Overrides) != 0 {
				t.Errorf("offline decision needed overrides: %+v", d.Overrides)
			}
			if t.Failed() {
				t.Logf("reasoning:\n%s", d.Reasoning)
			}
		})
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	if s == nil {
		s = []string{}
	}
	return s
}

func TestOfflineReasoningListsEvidence(t *testing.T) {
	l := loadEmail(t, "01_visa_endpoint.eml")
	d := Offline(l.email, testRegistry(), testSettings())
	for _, want := range []string{
		"sender domain visa.com matches vendor Visa",
		`rule "Card network authorization changes" matched on terms`,
		"PaymentService: linked to Visa",
		"description mentions",
		`effective date 2027-04-20 from "endpoint URL change effective April 20, 2027"`,
	} {
		if !strings.Contains(d.Reasoning, want) {
			t.Errorf("reasoning lacks %q:\n%s", want, d.Reasoning)
		}
	}
	if d.OwnerTeam != "team-payments" || d.AlertChannel != "#payments-changes" || d.SLADays != 14 {
		t.Errorf("owner %q, channel %q, SLA %d", d.OwnerTeam, d.AlertChannel, d.SLADays)
	}
	if !slices.Equal(d.MatchedRuleIDs, []string{"rule-card-auth"}) {
		t.Errorf("rules = %v", d.MatchedRuleIDs)
	}
}
