// Package notify is VendorSync's notification system: what a notification
// says (a channel-neutral Message composed from a frozen Snapshot), who gets
// it on which channel (Route, after the seed's fan-out and escalation
// tables), and the Channel interface that the Slack, email and PagerDuty
// clients in the subpackages implement.
//
// Nothing here stores or schedules anything. The notification log (built on
// top of this package) keys every attempt by Delivery.DedupKey under a unique
// index, which is what makes each notification go out at most once per
// ticket, threshold, channel and target; jobs retry attempts whose error is
// retryable and dead-letter the rest.
package notify

import (
	"context"
	"fmt"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// Kind says what a notification is about.
type Kind string

// The kinds of notification.
const (
	KindTicketCreated   Kind = "ticket_created"
	KindEscalationD7    Kind = "escalation_d7"
	KindEscalationD3    Kind = "escalation_d3"
	KindEscalationD1    Kind = "escalation_d1"
	KindBreach          Kind = "breach"
	KindUnknownVendor   Kind = "unknown_vendor"
	KindUserProvisioned Kind = "user_provisioned"
	// KindThreadUpdate tells a ticket's owners that a vendor email (a
	// reply, a forward, a "[VS-0042]" subject) was attached to the ticket.
	KindThreadUpdate Kind = "thread_update"
	// KindTrackerAlert tells admins that the issue tracker refused an issue
	// (400/403/404) or the credentials (401, the connection is disabled).
	KindTrackerAlert Kind = "tracker_alert"
	// KindScoreBand tells admins (and, by band, the alert channel and the
	// on-call) that a vendor's risk score crossed into another band.
	KindScoreBand Kind = "score_band"
	// KindIngestDrift tells admins that a vendor's event payloads drifted
	// from their learned profile (a new, removed or retyped field).
	KindIngestDrift Kind = "ingest_drift"
	// KindIngestAlert tells admins that ingest stopped something on its
	// own: a subscription disabled because its endpoint answered 410 Gone.
	KindIngestAlert Kind = "ingest_alert"
	// KindSyncConflict tells a ticket's owners that a linked issue was
	// changed both in VendorSync and in its tracker, to pick a side.
	KindSyncConflict Kind = "sync_conflict"
	KindTest         Kind = "test"
)

// Kinds lists every kind.
var Kinds = []Kind{KindTicketCreated, KindEscalationD7, KindEscalationD3, KindEscalationD1,
	KindBreach, KindThreadUpdate, KindUnknownVendor, KindUserProvisioned, KindTrackerAlert, KindScoreBand, KindIngestDrift, KindIngestAlert,
	KindSyncConflict, KindTest}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Escalation reports whether k is one of the deadline escalations (not the
// breach).
func (k Kind) Escalation() bool {
	return k == KindEscalationD7 || k == KindEscalationD3 || k == KindEscalationD1
}

// ChannelName names a way of reaching someone. It is what the notification
// log records as the channel, so the names are stable.
type ChannelName string

// The channels.
const (
	// ChannelSlack posts in a Slack channel (a ticket's alert channel, the
	// war room, the triage channel); the target is a channel id or #name.
	ChannelSlack ChannelName = "slack_channel"
	// ChannelSlackDM sends a Slack direct message; the target is a Slack
	// user id or the person's email address.
	ChannelSlackDM ChannelName = "slack_dm"
	// ChannelEmail sends an email; the target is an address.
	ChannelEmail ChannelName = "email"
	// ChannelPagerDuty pages the on-call through PagerDuty Events API v2;
	// the target names the configured service.
	ChannelPagerDuty ChannelName = "pagerduty"
	// ChannelTrackerComment comments on a linked tracker issue (Jira…) with
	// Message.Comment; the target is the issue key. The tracker package
	// sends these, not a Channel in this package's subpackages.
	ChannelTrackerComment ChannelName = "tracker_comment"
)

// Target is who or where a channel delivers to.
type Target struct {
	// Address is what the channel needs: a Slack channel or user id, an
	// email address, a PagerDuty service name, a tracker issue key.
	Address string `json:"address"`
	// Name is a display name, e.g. the person behind an email address.
	Name string `json:"name,omitempty"`
}

func (t Target) String() string {
	if t.Name == "" {
		return t.Address
	}
	return fmt.Sprintf("%s <%s>", t.Name, t.Address)
}

// Channel delivers a message to one target. Implementations render m
// deterministically, so a retry sends the same bytes, and return a
// reference the provider gave the delivery (a Slack message timestamp, an
// email Message-ID, a PagerDuty dedup key) for the notification log. Every
// error they return is an *httpx.Error, whose kind says whether a retry may
// succeed (httpx.IsTemporary) and how long the provider asked to wait.
type Channel interface {
	Send(ctx context.Context, to Target, m Message) (providerRef string, err error)
}

// Channels routes deliveries to the tenant's configured channels.
type Channels map[ChannelName]Channel

// Send delivers m as d says. A channel that is not configured is a
// permanent failure: retrying will not configure it.
func (cs Channels) Send(ctx context.Context, d Delivery, m Message) (string, error) {
	ch, ok := cs[d.Channel]
	if !ok || ch == nil {
		return "", &httpx.Error{Upstream: string(d.Channel), Op: "send to " + d.Target.Address, Kind: httpx.Permanent,
			Code: "not_configured", Message: fmt.Sprintf("channel %s is not configured", d.Channel)}
	}
	ref, err := ch.Send(ctx, d.Target, m)
	if err != nil {
		return "", fmt.Errorf("notify %s to %s: %w", d.Channel, d.Target.Address, err)
	}
	return ref, nil
}

// Configured keeps the deliveries whose channel is configured, so that a
// tenant without, say, PagerDuty gets no log rows that can never succeed.
// Tracker comments are kept only if a Channel (an adapter over the tracker
// client) is registered under ChannelTrackerComment.
func (cs Channels) Configured(ds []Delivery) []Delivery {
	var out []Delivery
	for _, d := range ds {
		if cs[d.Channel] != nil {
			out = append(out, d)
		}
	}
	return out
}
