package notify_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/email"
	"github.com/vendorsync/vendorsync/internal/notify/email/smtptest"
	"github.com/vendorsync/vendorsync/internal/notify/notifytest"
	"github.com/vendorsync/vendorsync/internal/notify/pagerduty"
	"github.com/vendorsync/vendorsync/internal/notify/pagerduty/pagerdutytest"
	"github.com/vendorsync/vendorsync/internal/notify/slack"
	"github.com/vendorsync/vendorsync/internal/notify/slack/slacktest"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestFanOutWithOneChannelDown plans a critical ticket's notifications and
// sends them through real clients to in-process Slack, SMTP and PagerDuty
// servers while PagerDuty answers 503: the other channels deliver, the page
// fails as retryable, and its retry — the same bytes — goes through.
func TestFanOutWithOneChannelDown(t *testing.T) {
	ctx := context.Background()
	sl, mail, pd := slacktest.New(t), smtptest.New(t, smtptest.StartTLS), pagerdutytest.New(t)
	slackClient, err := slack.New(slack.Config{Token: slacktest.Token, APIURL: sl.APIURL(), HTTPClient: sl.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	mailer, err := email.New(email.Config{Host: "127.0.0.1", Port: mail.Port, TLS: email.StartTLS,
		Username: smtptest.User, Password: smtptest.Password, From: "VendorSync <vendorsync@company.com>",
		TLSConfig: &tls.Config{RootCAs: mail.CA}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	pager, err := pagerduty.New(pagerduty.Config{RoutingKey: "R0UT1NGKEY0123456789ABCDEFGHIJKL", BaseURL: pd.URL(), HTTPClient: pd.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	channels := notify.Channels{
		notify.ChannelSlack: slackClient.Channel(), notify.ChannelSlackDM: slackClient.DM(),
		notify.ChannelEmail: mailer, notify.ChannelPagerDuty: pager,
	}

	event := notify.Event{Kind: notify.KindTicketCreated, Subject: notifytest.TicketID}
	m, err := notify.Compose(event, notifytest.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	plan := notify.Route(event, registry.SeverityCritical, notify.Recipients{
		AlertChannel: "#payments-changes", PagerDuty: "payments-oncall",
		Owners: []notify.Person{{Name: "Olga Owner", Email: "olga@company.com", Slack: "U0OLGA"}},
	})

	pd.SetFault(pagerdutytest.Status(http.StatusServiceUnavailable, map[string]string{"Retry-After": "5"}))
	results := map[notify.ChannelName]string{}
	var failed []notify.Delivery
	for _, d := range channels.Configured(plan) {
		ref, err := channels.Send(ctx, d, m)
		switch {
		case err == nil:
			results[d.Channel] = ref
		case httpx.IsTemporary(err):
			failed = append(failed, d)
		default:
			t.Errorf("%s: permanent failure %v", d.DedupKey, err)
		}
	}
	for ch, want := range map[notify.ChannelName]string{
		notify.ChannelSlack:   "C0PAYMENTS/" + slacktest.TS,
		notify.ChannelSlackDM: "DU0OLGA/" + slacktest.TS,
	} {
		if results[ch] != want {
			t.Errorf("%s ref %q, want %q", ch, results[ch], want)
		}
	}
	if got := mail.Messages(); results[notify.ChannelEmail] == "" || len(got) != 1 || got[0].To[0] != "olga@company.com" {
		t.Errorf("email not delivered: ref %q, server has %+v", results[notify.ChannelEmail], got)
	}
	if len(failed) != 1 || failed[0].Channel != notify.ChannelPagerDuty {
		t.Fatalf("failed %+v, want only the page", failed)
	}

	pd.SetFault(nil) // PagerDuty is back; the job retries the page
	ref, err := channels.Send(ctx, failed[0], m)
	if err != nil {
		t.Fatal(err)
	}
	if ref != notifytest.TicketID+"/ticket_created" || len(pd.Events()) != 1 {
		t.Errorf("page ref %q, %d events", ref, len(pd.Events()))
	}
}
