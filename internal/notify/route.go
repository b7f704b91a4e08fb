package notify

import (
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// Person is someone notifications can reach.
type Person struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// Slack is the person's Slack user id (U…); when empty, a direct
	// message looks the person up by Email.
	Slack string `json:"slack,omitempty"`
}

func (p Person) slack() Target {
	if p.Slack != "" {
		return Target{Address: p.Slack, Name: p.Name}
	}
	return Target{Address: p.Email, Name: p.Name}
}

func (p Person) email() Target { return Target{Address: p.Email, Name: p.Name} }

// Recipients are the people and places a tenant notifies about one
// subject, resolved by the caller from the ticket, its teams and the
// tenant's notification settings. Empty fields are skipped.
type Recipients struct {
	// AlertChannel is the ticket's Slack channel (its rule's alert channel,
	// or the tenant's default).
	AlertChannel string `json:"alert_channel,omitempty"`
	// WarRoomChannel is where D-1 alerts go; AlertChannel when empty.
	WarRoomChannel string `json:"war_room_channel,omitempty"`
	// TriageChannel is where unknown-vendor alerts go; admins are sent a
	// direct message instead when it is empty.
	TriageChannel string `json:"triage_channel,omitempty"`
	// Owners are the people who own the ticket (its owner team's members
	// or lead).
	Owners []Person `json:"owners,omitempty"`
	// Managers are the owners' managers (or the tenant's change managers),
	// emailed at D-3.
	Managers []Person `json:"managers,omitempty"`
	// Admins get breach, unknown-vendor and provisioning notices.
	Admins []Person `json:"admins,omitempty"`
	// SeniorManagement are email addresses told about breaches.
	SeniorManagement []string `json:"senior_management,omitempty"`
	// TrackerIssues are the keys of the tracker issues linked to the ticket.
	TrackerIssues []string `json:"tracker_issues,omitempty"`
	// PagerDuty names the PagerDuty service paged for critical tickets and
	// at D-1; empty when the tenant has none.
	PagerDuty string `json:"pagerduty,omitempty"`
}

// Delivery is one message to send on one channel to one target.
type Delivery struct {
	Channel ChannelName `json:"channel"`
	Target  Target      `json:"target"`
	// DedupKey is the event's key, the channel and the target
	// ("<ticket id>/d7/slack_dm/U123"). The notification log stores it under
	// a unique index: that, not timing, makes each threshold go out at most
	// once per ticket, channel and target.
	DedupKey string `json:"dedup_key"`
}

// createdFanOut is the seed's severity fan-out for a new ticket. The seed's
// table lost its check marks in the copy we have; this is the reading
// agreed for VendorSync, most to least noisy:
//
//	critical → Slack channel + Slack DM to owner + email + PagerDuty
//	high     → Slack channel + Slack DM to owner + email
//	medium   → Slack channel + email
//	low      → Slack channel only
//
// Email goes to the owners. A severity outside the table gets the high row:
// noisy enough to be seen, without paging anyone.
var createdFanOut = map[registry.Severity][]ChannelName{
	registry.SeverityCritical: {ChannelSlack, ChannelSlackDM, ChannelEmail, ChannelPagerDuty},
	registry.SeverityHigh:     {ChannelSlack, ChannelSlackDM, ChannelEmail},
	registry.SeverityMedium:   {ChannelSlack, ChannelEmail},
	registry.SeverityLow:      {ChannelSlack},
}

// Route lists the deliveries for event e about a subject of severity sev,
// following the seed:
//
//   - ticket_created: the severity fan-out above;
//   - escalation_d7: a comment on every linked tracker issue, a Slack DM and
//     an email to the owners;
//   - escalation_d3: tracker comments, a ping in the ticket's Slack channel,
//     an email to the managers;
//   - escalation_d1: tracker comments, an alert in the war-room channel, a
//     PagerDuty page;
//   - breach: a Slack DM and an email to every admin, and an email to senior
//     management when configured;
//   - thread_update: a post in the ticket's Slack channel, a Slack DM and an
//     email to the owners, whatever the severity — never a page;
//   - unknown_vendor: an alert in the triage channel (or a DM to each admin
//     when there is none) and an email to the admins;
//   - user_provisioned ("New user X just logged in — set their role", via
//     Slack and email) and tracker_alert: a Slack DM and an email to every
//     admin;
//   - test: nothing — a test goes to the target an admin names.
//
// The same channel and target are listed once even when a person holds two
// roles.
func Route(e Event, sev registry.Severity, r Recipients) []Delivery {
	p := planner{key: e.Key(), seen: map[string]bool{}}
	comments := func() {
		for _, k := range r.TrackerIssues {
			p.add(ChannelTrackerComment, Target{Address: k})
		}
	}
	switch e.Kind {
	case KindTicketCreated:
		chans, ok := createdFanOut[sev]
		if !ok {
			chans = createdFanOut[registry.SeverityHigh]
		}
		for _, ch := range chans {
			switch ch {
			case ChannelSlack:
				p.add(ch, Target{Address: r.AlertChannel})
			case ChannelSlackDM:
				p.slackDMs(r.Owners)
			case ChannelEmail:
				p.emails(r.Owners)
			case ChannelPagerDuty:
				p.add(ch, Target{Address: r.PagerDuty})
			}
		}
	case KindEscalationD7:
		comments()
		p.slackDMs(r.Owners)
		p.emails(r.Owners)
	case KindEscalationD3:
		comments()
		p.add(ChannelSlack, Target{Address: r.AlertChannel})
		p.emails(r.Managers)
	case KindEscalationD1:
		comments()
		warRoom := r.WarRoomChannel
		if warRoom == "" {
			warRoom = r.AlertChannel
		}
		p.add(ChannelSlack, Target{Address: warRoom})
		p.add(ChannelPagerDuty, Target{Address: r.PagerDuty})
	case KindBreach:
		p.slackDMs(r.Admins)
		p.emails(r.Admins)
		for _, a := range r.SeniorManagement {
			p.add(ChannelEmail, Target{Address: a})
		}
	case KindThreadUpdate:
		p.add(ChannelSlack, Target{Address: r.AlertChannel})
		p.slackDMs(r.Owners)
		p.emails(r.Owners)
	case KindSyncConflict:
		p.slackDMs(r.Owners)
		p.emails(r.Owners)
	case KindUnknownVendor:
		if r.TriageChannel != "" {
			p.add(ChannelSlack, Target{Address: r.TriageChannel})
		} else {
			p.slackDMs(r.Admins)
		}
		p.emails(r.Admins)
	case KindUserProvisioned, KindTrackerAlert, KindIngestDrift, KindIngestAlert:
		p.slackDMs(r.Admins)
		p.emails(r.Admins)
	case KindScoreBand:
		// By the band crossed into: critical pages the on-call and posts
		// in the alert channel, high posts there; admins always hear.
		if sev == registry.SeverityCritical {
			p.add(ChannelPagerDuty, Target{Address: r.PagerDuty})
		}
		if sev == registry.SeverityCritical || sev == registry.SeverityHigh {
			p.add(ChannelSlack, Target{Address: r.AlertChannel})
		}
		p.emails(r.Admins)
	}
	return p.out
}

type planner struct {
	key  string
	seen map[string]bool
	out  []Delivery
}

func (p *planner) slackDMs(ps []Person) {
	for _, x := range ps {
		p.add(ChannelSlackDM, x.slack())
	}
}

func (p *planner) emails(ps []Person) {
	for _, x := range ps {
		p.add(ChannelEmail, x.email())
	}
}

func (p *planner) add(ch ChannelName, t Target) {
	t.Address = strings.TrimSpace(t.Address)
	if t.Address == "" {
		return
	}
	k := DedupKey(p.key, ch, t)
	if p.seen[k] {
		return
	}
	p.seen[k] = true
	p.out = append(p.out, Delivery{Channel: ch, Target: t, DedupKey: k})
}

// DedupKey is the key of sending event key eventKey on channel ch to t.
// Email addresses are compared without case, so "A@x.com" and "a@x.com"
// are one target; Slack ids and channel names are kept as they are.
func DedupKey(eventKey string, ch ChannelName, t Target) string {
	addr := strings.TrimSpace(t.Address)
	if strings.Contains(addr, "@") {
		addr = strings.ToLower(addr)
	}
	return eventKey + "/" + string(ch) + "/" + addr
}
