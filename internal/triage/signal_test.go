package triage

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestConsequenceIsBreaking: what happens to a recipient who does not act
// ("otherwise receiving servers may reject your mail") makes a change
// breaking, and with a deadline days away critical even from a tier_3
// vendor; what may happen during maintenance does not.
func TestConsequenceIsBreaking(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		breaking   bool
	}{
		{"otherwise … may reject", "Update your domain's SPF record before Monday; otherwise receiving servers may reject or quarantine your messages.", true},
		{"if you do not … will stop", "If you do not add the new ranges, requests will stop reaching your origin.", true},
		{"may fail during maintenance", "During the maintenance window some requests may fail briefly and are retried automatically.", false},
		{"an offer that runs out", "Register today; otherwise you may lose your early-bird discount.", false},
		{"will return a client error", "From June 1, requests signed with an old key will return 403.", true},
		{"will receive 401", "Integrations that still use an old key after that date will receive 401 Unauthorized.", true},
		{"will stop loading", "Pages behind token authentication will stop loading for your visitors.", true},
		{"a server error during maintenance", "During the window the dashboard will return 503 for a few minutes.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := breakingSignal(Email{Body: tc.body}).strong(); got != tc.breaking {
				t.Errorf("breaking = %v, want %v", got, tc.breaking)
			}
		})
	}
	snap := testRegistry()
	e := Email{MessageID: "ips@mandrill.com", FromAddress: "support@mandrill.com", Date: testNow,
		Subject: "Mandrill sending IP addresses change next Monday",
		Body: "Next Monday, Mandrill will start sending email from new IP addresses. Update your domain's SPF record " +
			"to include spf.mandrillapp.com before Monday; otherwise receiving servers may reject your receipts."}
	d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if d.Classification != Actionable || !d.IsBreaking || d.Severity != registry.SeverityCritical {
		t.Errorf("got %s breaking=%v %s, want actionable, breaking, critical\n%s", d.Classification, d.IsBreaking, d.Severity, d.Reasoning)
	}
}

// TestDeadlineCountsFromTheNotice: the days to a deadline are counted from
// the day the notice was sent when that is later than today, so a notice
// giving 60 days is a 30–90-day deadline whatever the reader's clock says.
func TestDeadlineCountsFromTheNotice(t *testing.T) {
	snap := testRegistry()
	sent := testNow.AddDate(0, 0, 20)
	e := Email{MessageID: "v@zendesk.com", FromAddress: "developers@zendesk.com", Date: sent,
		Subject: "Zendesk API: the legacy search endpoint will be removed",
		Body: "The legacy search endpoint will be removed on " + sent.AddDate(0, 0, 80).Format("January 2, 2006") +
			". Requests to it will return 410 after that date; move to the export search endpoint."}
	d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if d.Severity != registry.SeverityHigh {
		t.Errorf("a deadline 80 days after the notice: severity %s, want high\n%s", d.Severity, d.Reasoning)
	}
}
