package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/registry"
)

var recipients = notify.Recipients{
	AlertChannel:   "#payments-changes",
	WarRoomChannel: "#war-room",
	TriageChannel:  "#vendor-triage",
	Owners: []notify.Person{
		{Name: "Olga Owner", Email: "olga@company.com", Slack: "U0OLGA"},
		{Name: "Otto Owner", Email: "otto@company.com"}, // no Slack id: DM by email
	},
	Managers:         []notify.Person{{Name: "Mia Manager", Email: "mia@company.com"}},
	Admins:           []notify.Person{{Name: "Ada Admin", Email: "ada@company.com", Slack: "U0ADA"}, {Email: "OLGA@company.com"}},
	SeniorManagement: []string{"cto@company.com"},
	TrackerIssues:    []string{"PAY-9421", "CHK-12"},
	PagerDuty:        "payments-oncall",
}

// summary writes a delivery as "channel→target" for compact tables.
func summary(ds []notify.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Channel)+"→"+d.Target.Address)
	}
	return out
}

func TestPlanTicketCreatedBySeverity(t *testing.T) {
	const (
		channel = "slack_channel→#payments-changes"
		dmOlga  = "slack_dm→U0OLGA"
		dmOtto  = "slack_dm→otto@company.com"
		mOlga   = "email→olga@company.com"
		mOtto   = "email→otto@company.com"
		page    = "pagerduty→payments-oncall"
	)
	tests := []struct {
		sev  registry.Severity
		want []string
	}{
		{registry.SeverityCritical, []string{channel, dmOlga, dmOtto, mOlga, mOtto, page}},
		{registry.SeverityHigh, []string{channel, dmOlga, dmOtto, mOlga, mOtto}},
		{registry.SeverityMedium, []string{channel, mOlga, mOtto}},
		{registry.SeverityLow, []string{channel}},
		{"bogus", []string{channel, dmOlga, dmOtto, mOlga, mOtto}}, // unknown: the high row
	}
	for _, tt := range tests {
		t.Run(string(tt.sev), func(t *testing.T) {
			got := notify.Route(notify.Event{Kind: notify.KindTicketCreated, Subject: "t1"}, tt.sev, recipients)
			if diff := cmp.Diff(tt.want, summary(got)); diff != "" {
				t.Errorf("deliveries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanEscalations(t *testing.T) {
	comments := []string{"tracker_comment→PAY-9421", "tracker_comment→CHK-12"}
	tests := []struct {
		threshold int
		want      []string
	}{
		{7, append(comments, "slack_dm→U0OLGA", "slack_dm→otto@company.com", "email→olga@company.com", "email→otto@company.com")},
		{3, append(comments, "slack_channel→#payments-changes", "email→mia@company.com")},
		{1, append(comments, "slack_channel→#war-room", "pagerduty→payments-oncall")},
		// Olga is an admin too, listed with another case: one email.
		{0, []string{"slack_dm→U0ADA", "slack_dm→OLGA@company.com", "email→ada@company.com", "email→OLGA@company.com", "email→cto@company.com"}},
	}
	for _, tt := range tests {
		e := notify.EscalationEvent("t1", tt.threshold)
		t.Run(string(e.Kind), func(t *testing.T) {
			got := notify.Route(e, registry.SeverityLow, recipients)
			if diff := cmp.Diff(tt.want, summary(got)); diff != "" {
				t.Errorf("deliveries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanAdminNotices(t *testing.T) {
	got := summary(notify.Route(notify.Event{Kind: notify.KindUnknownVendor, Subject: "e1"}, "", recipients))
	want := []string{"slack_channel→#vendor-triage", "email→ada@company.com", "email→OLGA@company.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unknown vendor (-want +got):\n%s", diff)
	}
	noTriage := recipients
	noTriage.TriageChannel = ""
	got = summary(notify.Route(notify.Event{Kind: notify.KindUnknownVendor, Subject: "e1"}, "", noTriage))
	want = []string{"slack_dm→U0ADA", "slack_dm→OLGA@company.com", "email→ada@company.com", "email→OLGA@company.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unknown vendor without a triage channel (-want +got):\n%s", diff)
	}
	got = summary(notify.Route(notify.Event{Kind: notify.KindUserProvisioned, Subject: "u1"}, "", recipients))
	if diff := cmp.Diff([]string{"slack_dm→U0ADA", "slack_dm→OLGA@company.com", "email→ada@company.com", "email→OLGA@company.com"}, got); diff != "" {
		t.Errorf("user provisioned (-want +got):\n%s", diff)
	}
	if got := notify.Route(notify.Event{Kind: notify.KindTest, Subject: "x"}, "", recipients); len(got) != 0 {
		t.Errorf("test plans %v, want nothing", summary(got))
	}
}

func TestPlanSkipsMissingRecipients(t *testing.T) {
	r := notify.Recipients{AlertChannel: "#alerts", Owners: []notify.Person{{Name: "No Contact"}}}
	got := summary(notify.Route(notify.EscalationEvent("t1", 1), registry.SeverityCritical, r))
	// No war room: the alert channel; no PagerDuty service: no page.
	if diff := cmp.Diff([]string{"slack_channel→#alerts"}, got); diff != "" {
		t.Errorf("D-1 (-want +got):\n%s", diff)
	}
	if got := notify.Route(notify.EscalationEvent("t1", 7), registry.SeverityCritical, r); len(got) != 0 {
		t.Errorf("D-7 to an owner without contacts: %v", summary(got))
	}
}

func TestPlanDedupKeys(t *testing.T) {
	got := notify.Route(notify.EscalationEvent("t1", 7), registry.SeverityHigh, recipients)
	want := []string{
		"t1/d7/tracker_comment/PAY-9421", "t1/d7/tracker_comment/CHK-12",
		"t1/d7/slack_dm/U0OLGA", "t1/d7/slack_dm/otto@company.com",
		"t1/d7/email/olga@company.com", "t1/d7/email/otto@company.com",
	}
	var keys []string
	for _, d := range got {
		keys = append(keys, d.DedupKey)
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("dedup keys (-want +got):\n%s", diff)
	}
	// Planning again — the monitor runs every 15 minutes — gives the same
	// keys, which the notification log's unique index turns away.
	again := notify.Route(notify.EscalationEvent("t1", 7), registry.SeverityHigh, recipients)
	if diff := cmp.Diff(got, again); diff != "" {
		t.Errorf("second plan differs:\n%s", diff)
	}
}

type fakeChannel struct{ err error }

func (f fakeChannel) Send(_ context.Context, to notify.Target, m notify.Message) (string, error) {
	return "ref-" + to.Address, f.err
}

func TestChannels(t *testing.T) {
	cs := notify.Channels{
		notify.ChannelEmail: fakeChannel{},
		notify.ChannelSlack: fakeChannel{err: &httpx.Error{Upstream: "slack", Kind: httpx.RateLimited, Code: "ratelimited",
			RetryAfter: 30 * time.Second, Err: errors.New("slow down")}},
	}
	ds := notify.Route(notify.EscalationEvent("t1", 3), registry.SeverityHigh, recipients)
	if diff := cmp.Diff([]string{"slack_channel→#payments-changes", "email→mia@company.com"}, summary(cs.Configured(ds))); diff != "" {
		t.Errorf("configured (-want +got):\n%s", diff)
	}
	ctx := context.Background()
	m := notify.Message{Kind: notify.KindTest}
	if ref, err := cs.Send(ctx, notify.Delivery{Channel: notify.ChannelEmail, Target: notify.Target{Address: "a@b.c"}}, m); err != nil || ref != "ref-a@b.c" {
		t.Errorf("email: %q, %v", ref, err)
	}
	_, err := cs.Send(ctx, notify.Delivery{Channel: notify.ChannelSlack, Target: notify.Target{Address: "#x"}}, m)
	if after := httpx.RetryAfterOf(err); !httpx.IsTemporary(err) || after != 30*time.Second {
		t.Errorf("rate-limited slack: retryable %v, after %v (%v)", httpx.IsTemporary(err), after, err)
	}
	_, err = cs.Send(ctx, notify.Delivery{Channel: notify.ChannelPagerDuty, Target: notify.Target{Address: "p"}}, m)
	if err == nil || httpx.IsTemporary(err) || !strings.Contains(err.Error(), "not configured") {
		t.Errorf("unconfigured channel: %v, retryable %v", err, httpx.IsTemporary(err))
	}
	if !httpx.IsTemporary(errors.New("unclassified")) || httpx.IsTemporary(nil) {
		t.Error("an unclassified error must count as retryable, nil as not")
	}
}
