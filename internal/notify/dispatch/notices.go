package dispatch

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// Notices builds the notification jobs that domain events cause: the
// entries of the program's table of consequences (internal/app) that tell
// people something. Each returns notify.PlanJob args, enqueued in the
// transaction of the change that causes them. It needs only the base URL
// that links point to and the clock snapshots are taken with, so the table
// is declared before any service exists.
type Notices struct {
	// BaseURL is where people open VendorSync, for the links in messages.
	BaseURL string
	// Now is the clock; tests replace it.
	Now func() time.Time
}

func (n Notices) now() time.Time {
	t := time.Now()
	if n.Now != nil {
		t = n.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// link is a page under the base URL.
func (n Notices) link(path string) string {
	if n.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(n.BaseURL, "/") + path
}

func plan(tenantID string, e notify.Event, snap *notify.Snapshot) []jobargs.Args {
	return []jobargs.Args{notify.PlanJob{Tenant: jobargs.For(tenantID), Event: e, Snapshot: snap}}
}

// TicketCreated plans a new ticket's ticket_created notifications (the
// seed's severity fan-out).
func (n Notices) TicketCreated(t ticket.Ticket) []jobargs.Args {
	return plan(t.TenantID, notify.Event{Kind: notify.KindTicketCreated, Subject: t.ID}, nil)
}

// Transitioned plans the breach alerts to admins and senior management
// when one of the steps moved the ticket to breached.
func (n Notices) Transitioned(t ticket.Ticket, steps []ticket.Step) []jobargs.Args {
	if !slices.ContainsFunc(steps, func(st ticket.Step) bool { return st.To == ticket.Breached }) {
		return nil
	}
	return plan(t.TenantID, notify.EscalationEvent(t.ID, ticket.BreachThreshold), nil)
}

// UnknownVendor tells the triage channel (or the admins) about an email
// from an unknown vendor; keyed by the email, so it alerts once. The time
// it was received is written in the tenant's zone when the deliveries are
// planned.
func (n Notices) UnknownVendor(tenantID string, f notify.EmailFacts) []jobargs.Args {
	snap := notify.NewEmailSnapshot(f, nil, n.link("/emails/"+f.ID), n.now())
	return plan(tenantID, notify.Event{Kind: notify.KindUnknownVendor, Subject: f.ID}, &snap)
}

// ThreadUpdate tells a ticket's owners about a vendor email attached to
// ticket ticketID as an update; keyed by the ticket and the email, so each
// update notifies once however often the job runs. The email's facts (with
// f.Excerpt cut to notify.ExcerptLength) are frozen now; the ticket, its
// recipients and the tenant's time zone are read when the deliveries are
// planned.
func (n Notices) ThreadUpdate(tenantID, ticketID string, f notify.EmailFacts) []jobargs.Args {
	f.Excerpt = notify.Excerpt(f.Excerpt)
	snap := notify.NewEmailSnapshot(f, nil, "", n.now())
	return plan(tenantID, notify.ThreadUpdateEvent(ticketID, f.ID), &snap)
}

// ScoreBand tells the admins (and by band the alert channel and the
// on-call) that a vendor crossed into another risk band; keyed by the band
// event, so it goes out once. The message is rendered from the event's
// frozen delivery payload alone.
func (n Notices) ScoreBand(ev score.BandEvent) []jobargs.Args {
	p := ev.Payload
	f := notify.ScoreFacts{Vendor: p.Vendor, From: p.From, To: p.To, Score: p.Score, Previous: p.Previous, Band: string(p.ToBand),
		RuleVersion: p.RuleVersion}
	for _, c := range p.Contributors {
		f.Contributors = append(f.Contributors, notify.Field{Label: c.Label, Value: c.Points})
	}
	snap := notify.NewScoreSnapshot(f, n.link(p.Path), p.TakenAt)
	return plan(ev.TenantID, notify.Event{Kind: notify.KindScoreBand, Subject: "score:" + ev.ID}, &snap)
}

// UserProvisioned tells the admins to set the role of an account created
// at its first single sign-on; keyed by the user, so it alerts once.
func (n Notices) UserProvisioned(u auth.User) []jobargs.Args {
	snap := notify.NewUserSnapshot(notify.UserFacts{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role.Label()},
		n.link("/users/"+u.ID), n.now())
	return plan(u.TenantID, notify.Event{Kind: notify.KindUserProvisioned, Subject: u.ID}, &snap)
}

// TrackerAlert tells the tenant's admins (a Slack DM and an email each)
// that the tracker refused an issue or the connection's credentials. The
// alert is keyed by what it is about, its text and the day, so the same
// failure reported twice (a job retried after the outcome was committed)
// alerts once, while a failure that comes back another day alerts again.
func (n Notices) TrackerAlert(tenantID string, a link.Alert) []jobargs.Args {
	about := a.LinkID
	if about == "" {
		about = "connection"
	}
	sum := sha256.Sum256([]byte(a.Subject + "\n" + a.Message))
	now := n.now()
	subject := strings.Join([]string{"tracker", a.Kind, about, hex.EncodeToString(sum[:6]), now.Format("2006-01-02")}, ":")
	where := "/settings/jira"
	if a.TicketID != "" {
		where = "/settings/jira#tracker-links"
	}
	snap := notify.NewAlertSnapshot(notify.AlertFacts{Kind: a.Kind, Subject: a.Subject, Message: a.Message, Urgent: a.Urgent},
		n.link(where), now)
	return plan(tenantID, notify.Event{Kind: notify.KindTrackerAlert, Subject: subject}, &snap)
}

// IngestSubscriptionDisabled tells the tenant's admins (a Slack DM and an
// email each) that a subscription was disabled because its endpoint
// answered 410 Gone. It is keyed by the attempt that was answered so, and
// the subscription is disabled once by it.
func (n Notices) IngestSubscriptionDisabled(d ingest.Disabled) []jobargs.Args {
	snap := notify.NewAlertSnapshot(notify.AlertFacts{Kind: "ingest.subscription_disabled",
		Subject: "subscription to " + d.Subscription.URL + " disabled",
		Message: "Its endpoint answered 410 Gone to delivery " + d.DeliveryID + " (" + d.Reason +
			"), so no more events are sent to it. Enable it again once the endpoint takes events; dead deliveries can be redelivered.",
		Urgent: true}, n.link("/ingest/subscriptions/"+d.Subscription.ID), n.now())
	return plan(d.Subscription.TenantID, notify.Event{Kind: notify.KindIngestAlert, Subject: "subscription:" + d.Subscription.ID + ":" + d.AttemptID}, &snap)
}

// IngestDrift tells the tenant's admins (a Slack DM and an email each)
// that a vendor's payloads drifted from their learned profile. It is keyed
// by the drift, which is opened once per vendor, event type, path and kind
// until acknowledged.
func (n Notices) IngestDrift(d ingest.Drift) []jobargs.Args {
	what := map[ingest.DriftKind]string{ingest.DriftNewField: "new field", ingest.DriftRemovedField: "removed field",
		ingest.DriftRetypedField: "retyped field", ingest.DriftPresenceChange: "presence change"}[d.Kind]
	msg := d.Detail + " (event " + d.IngestID + ")."
	if d.Breaking {
		msg = "Breaking: " + msg
	}
	snap := notify.NewAlertSnapshot(notify.AlertFacts{Kind: "ingest." + string(d.Kind),
		Subject: d.EventType + " " + d.Path + ": " + what, Message: msg, Urgent: d.Breaking},
		n.link("/ingest/vendors/"+d.VendorID+"#drift"), n.now())
	return plan(d.TenantID, notify.Event{Kind: notify.KindIngestDrift, Subject: "drift:" + d.ID}, &snap)
}

// SyncConflict tells a ticket's owners (a Slack DM and an email each)
// that a linked issue was changed both here and in its tracker since the
// last sync, so they pick a side on the ticket page. Keyed by the link and
// when the conflict began, so each conflict is told once however often
// its state is delivered.
func (n Notices) SyncConflict(c link.Conflict) []jobargs.Args {
	what := "the fields " + strings.Join(c.Fields, ", ") + " were changed both in VendorSync and in the tracker since the last sync; " +
		"VendorSync kept its values until someone picks a side."
	if c.Deleted {
		what = "the issue was deleted in the tracker while changes made in VendorSync were not pushed yet; they are kept until someone decides."
	}
	snap := notify.NewAlertSnapshot(notify.AlertFacts{Kind: "sync_conflict", Subject: c.IssueKey, Message: c.IssueKey + ": " + what},
		n.link(notify.TicketPath(c.TicketKey)+"#tracker-issues"), c.At)
	return plan(c.TenantID, notify.SyncConflictEvent(c.TicketID, c.LinkID, c.At.UTC().Format("20060102T150405")), &snap)
}
