package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// Event is one occasion to notify: what happened (Kind), to what (Subject,
// the id of the ticket, source email or user; "<ticket id>/<email id>" for
// a thread update) and, for escalations, at which threshold. Its Key identifies it across retries and replays.
type Event struct {
	Kind    Kind   `json:"kind"`
	Subject string `json:"subject"`
	// Threshold is the escalation's days before the deadline (7, 3, 1);
	// 0 for the breach and for kinds that are not escalations.
	Threshold int `json:"threshold,omitempty"`
}

// EscalationKind maps a threshold in days to the tier of actions the seed's
// escalation table gives it. Thresholds are configurable, so tiers go by
// value: 0 is the breach, 1 the D-1 actions, 2–3 the D-3 actions and 4 or
// more the D-7 actions — [7, 3, 1] maps exactly onto the table.
func EscalationKind(threshold int) Kind {
	switch {
	case threshold <= 0:
		return KindBreach
	case threshold == 1:
		return KindEscalationD1
	case threshold <= 3:
		return KindEscalationD3
	}
	return KindEscalationD7
}

// EscalationEvent is the event of ticket ticketID reaching threshold days
// before its deadline (0: the deadline passed).
func EscalationEvent(ticketID string, threshold int) Event {
	return Event{Kind: EscalationKind(threshold), Subject: ticketID, Threshold: max(threshold, 0)}
}

// ThreadUpdateEvent is the event of email emailID being attached to ticket
// ticketID as an update. Its key names both, so each update notifies once.
func ThreadUpdateEvent(ticketID, emailID string) Event {
	return Event{Kind: KindThreadUpdate, Subject: ticketID + "/" + emailID}
}

// SyncConflictEvent is the event of a conflict found on link linkID of
// ticket ticketID; since (the conflict's start) tells conflicts apart.
func SyncConflictEvent(ticketID, linkID, since string) Event {
	return Event{Kind: KindSyncConflict, Subject: ticketID + "/" + linkID + "/" + since}
}

// TicketID is the id of the ticket the event is about; empty for events
// about no ticket (unknown vendor, provisioned user, tracker alert, test).
func (e Event) TicketID() string {
	switch e.Kind {
	case KindTicketCreated, KindEscalationD7, KindEscalationD3, KindEscalationD1, KindBreach:
		return e.Subject
	case KindThreadUpdate, KindSyncConflict:
		id, _, _ := strings.Cut(e.Subject, "/")
		return id
	}
	return ""
}

// Key identifies the event: subject and kind, with the threshold's days for
// escalations ("<ticket id>/d7", "<ticket id>/breach", "<ticket id>/<email
// id>/thread_update"). It is PagerDuty's
// dedup_key and the stem of every Delivery.DedupKey.
func (e Event) Key() string {
	if e.Kind.Escalation() {
		return fmt.Sprintf("%s/d%d", e.Subject, e.Threshold)
	}
	return e.Subject + "/" + string(e.Kind)
}

// BandSeverity is how urgent a crossing into a risk band is.
func BandSeverity(band string) registry.Severity {
	switch band {
	case "critical":
		return registry.SeverityCritical
	case "high":
		return registry.SeverityHigh
	case "medium":
		return registry.SeverityMedium
	}
	return registry.SeverityLow
}

// Field is one labelled value of a message ("Vendor: Visa").
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Message is a notification's content, independent of any channel: each
// channel renders it its own way (Slack blocks, an email's text and HTML
// parts, a PagerDuty event). Compose builds it from a Snapshot alone.
type Message struct {
	Kind      Kind              `json:"kind"`
	Threshold int               `json:"threshold,omitempty"`
	Severity  registry.Severity `json:"severity"`
	// Title is one line of plain text: a Slack header, an email subject, a
	// PagerDuty summary.
	Title string `json:"title"`
	// Lines are paragraphs of plain text.
	Lines    []string `json:"lines,omitempty"`
	Fields   []Field  `json:"fields,omitempty"`
	Link     string   `json:"link,omitempty"`
	LinkText string   `json:"link_text,omitempty"`
	// Comment is the text to post on linked tracker issues at an
	// escalation threshold, in the seed's format; empty for other kinds.
	Comment string `json:"comment,omitempty"`
	// DedupKey is the event's key; channels use it where the provider
	// deduplicates (PagerDuty) and to derive stable ids (email Message-ID).
	DedupKey string `json:"dedup_key"`
	// Time is when the snapshot was taken.
	Time time.Time `json:"time"`
}

// Compose writes the message for event e from snapshot s. The same inputs
// always give the same message.
func Compose(e Event, s Snapshot) (Message, error) {
	if !e.Kind.Valid() {
		return Message{}, fmt.Errorf("notify.Compose: unknown kind %q", e.Kind)
	}
	m := Message{Kind: e.Kind, Threshold: e.Threshold, Link: s.Link, DedupKey: e.Key(), Time: s.TakenAt}
	switch e.Kind {
	case KindTicketCreated, KindEscalationD7, KindEscalationD3, KindEscalationD1, KindBreach:
		if s.Ticket == nil {
			return Message{}, fmt.Errorf("notify.Compose %s %s: the snapshot has no ticket", e.Kind, e.Subject)
		}
		composeTicket(&m, *s.Ticket, s.Link)
	case KindThreadUpdate:
		if s.Ticket == nil || s.Email == nil {
			return Message{}, fmt.Errorf("notify.Compose %s %s: the snapshot lacks the ticket or the email", e.Kind, e.Subject)
		}
		composeThreadUpdate(&m, *s.Ticket, *s.Email)
	case KindUnknownVendor:
		if s.Email == nil {
			return Message{}, fmt.Errorf("notify.Compose %s %s: the snapshot has no email", e.Kind, e.Subject)
		}
		em := s.Email
		m.Severity, m.LinkText = registry.SeverityMedium, "Open in the triage view"
		m.Title = "Email from an unknown vendor: " + oneLine(em.Subject)
		m.Lines = []string{"No vendor in the registry matched this email, so no ticket was created. " +
			"Classify it in the triage view; you can save the classification as a rule for next time."}
		m.Fields = []Field{{"From", em.From}, {"Subject", oneLine(em.Subject)}, {"Received", em.Received}}
		if em.Impersonation != "" {
			m.Severity = registry.SeverityHigh
			m.Title = "Possible impersonation of a vendor: " + oneLine(em.Subject)
			m.Lines = []string{"This email's sender imitates a vendor in the registry (" + oneLine(em.Impersonation) + "). " +
				"No ticket was created. Do not follow its links or instructions; check it in the triage view and report it to security."}
		}
	case KindUserProvisioned:
		if s.User == nil {
			return Message{}, fmt.Errorf("notify.Compose %s %s: the snapshot has no user", e.Kind, e.Subject)
		}
		u := s.User
		m.Severity, m.LinkText = registry.SeverityLow, "Review the account"
		m.Title = fmt.Sprintf("New user signed in: %s (%s)", oneLine(u.Name), u.Email)
		m.Lines = []string{fmt.Sprintf("An account was created at their first single sign-on, with the role %s.", u.Role)}
		m.Fields = []Field{{"Name", oneLine(u.Name)}, {"Email", u.Email}, {"Role", u.Role}}
	case KindTrackerAlert:
		if s.Alert == nil {
			return Message{}, fmt.Errorf("notify.Compose %s %s: the snapshot has no alert", e.Kind, e.Subject)
		}
		a := s.Alert
		m.Severity, m.LinkText = registry.SeverityMedium, "Open the integration settings"
		if a.Urgent {
			m.Severity = registry.SeverityHigh
		}
		m.Title = "Issue tracker alert: " + oneLine(a.Subject)
		m.Lines = []string{a.Message}
	case KindSyncConflict:
		if s.Ticket == nil || s.Alert == nil {
			return Message{}, fmt.Errorf("notify.Compose %s %s: the snapshot lacks the ticket or the conflict", e.Kind, e.Subject)
		}
		t := s.Ticket
		m.Severity, m.LinkText = registry.SeverityMedium, "Pick a side on "+t.Key
		m.Title = fmt.Sprintf("Sync conflict on %s: %s", t.Key, oneLine(s.Alert.Subject))
		m.Lines = []string{s.Alert.Message}
		m.Fields = []Field{{"Ticket", t.Key}, {"Vendor", t.Vendor}, {"Topic", oneLine(t.Topic)}}
		if t.Owner != "" {
			m.Fields = append(m.Fields, Field{"Owner", t.Owner})
		}
	case KindIngestDrift:
		if s.Alert == nil {
			return Message{}, fmt.Errorf("notify.Compose %s %s: the snapshot has no alert", e.Kind, e.Subject)
		}
		a := s.Alert
		m.Severity, m.LinkText = registry.SeverityLow, "Open the vendor's ingest page"
		if a.Urgent {
			m.Severity = registry.SeverityMedium
		}
		m.Title = "Vendor payload drift: " + oneLine(a.Subject)
		m.Lines = []string{a.Message}
	case KindIngestAlert:
		if s.Alert == nil {
			return Message{}, fmt.Errorf("notify.Compose %s %s: the snapshot has no alert", e.Kind, e.Subject)
		}
		m.Severity, m.LinkText = registry.SeverityMedium, "Open the subscription"
		m.Title = "Ingest: " + oneLine(s.Alert.Subject)
		m.Lines = []string{s.Alert.Message}
	case KindScoreBand:
		if s.Score == nil {
			return Message{}, fmt.Errorf("notify.Compose %s %s: the snapshot has no score", e.Kind, e.Subject)
		}
		sc := s.Score
		m.Severity, m.LinkText = BandSeverity(sc.Band), "Open the vendor's score"
		m.Title = fmt.Sprintf("%s: vendor risk %s → %s (score %s)", oneLine(sc.Vendor), sc.From, sc.To, sc.Score)
		m.Lines = []string{fmt.Sprintf("The risk score moved from %s to %s under scoring rule version %d.", sc.Previous, sc.Score, sc.RuleVersion)}
		m.Fields = []Field{{"Vendor", oneLine(sc.Vendor)}, {"Band", sc.From + " → " + sc.To}, {"Score", sc.Score}}
		for _, c := range sc.Contributors {
			m.Fields = append(m.Fields, Field{"Contributor: " + oneLine(c.Label), c.Value + " points"})
		}
	case KindTest:
		m.Severity, m.LinkText = registry.SeverityLow, "Open VendorSync"
		m.Title = "VendorSync test notification"
		m.Lines = []string{s.Text}
	}
	if m.Link == "" {
		m.LinkText = ""
	}
	return m, nil
}

func composeTicket(m *Message, t TicketFacts, link string) {
	change := t.Vendor + " — " + oneLine(t.Topic)
	when := t.Deadline + " (" + relDays(t.DaysLeft) + ")"
	m.Severity, m.LinkText = t.Severity, "Open "+t.Key+" in VendorSync"
	m.Fields = []Field{
		{"Vendor", t.Vendor}, {"Change", oneLine(t.Topic)}, {"Severity", t.Severity.Label()},
		{"Deadline", when}, {"Applications", strings.Join(t.Applications, ", ")},
	}
	if t.Owner != "" {
		m.Fields = append(m.Fields, Field{"Owner", t.Owner})
	}
	switch {
	case m.Kind == KindTicketCreated:
		m.Title = fmt.Sprintf("New vendor change %s: %s", t.Key, change)
		m.Fields = append(m.Fields, Field{"SLA", dayCount(t.SLADays)})
		if t.Summary != "" {
			m.Lines = []string{t.Summary}
		}
	case m.Kind == KindBreach:
		m.Title = fmt.Sprintf("SLA breached: %s %s was due %s", t.Key, change, t.Deadline)
		m.Lines = []string{fmt.Sprintf("The deadline, %s, passed before the change was resolved. "+
			"The ticket is now breached.", t.Deadline)}
	default: // escalations
		m.Title = fmt.Sprintf("D-%d reminder: %s %s is due %s", m.Threshold, t.Key, change, when)
		m.Lines = []string{"Vendor deadline approaching: " + when,
			fmt.Sprintf("The ticket is %s: the change is not done yet.", strings.ToLower(t.Status.Label()))}
		m.Fields = append(m.Fields, Field{"Status", t.Status.Label()})
		m.Comment = TrackerComment(t, m.Threshold, link)
	}
}

// composeThreadUpdate tells the owners who wrote about their ticket, and
// quotes the start of it.
func composeThreadUpdate(m *Message, t TicketFacts, em EmailFacts) {
	subject := oneLine(em.Subject)
	if subject == "" {
		subject = "(no subject)"
	}
	m.Severity, m.LinkText = t.Severity, "Open "+t.Key+" in VendorSync"
	m.Title = fmt.Sprintf("Vendor update on %s: %s", t.Key, subject)
	m.Lines = []string{fmt.Sprintf("%s wrote about %s (%s — %s). The email is on the ticket's timeline.",
		oneLine(em.From), t.Key, t.Vendor, oneLine(t.Topic))}
	if em.Excerpt != "" {
		m.Lines = append(m.Lines, em.Excerpt)
	}
	m.Fields = []Field{{"From", oneLine(em.From)}, {"Subject", subject}, {"Received", em.Received},
		{"Status", t.Status.Label()}, {"Deadline", t.Deadline + " (" + relDays(t.DaysLeft) + ")"}}
	if t.Owner != "" {
		m.Fields = append(m.Fields, Field{"Owner", t.Owner})
	}
}

// TrackerComment is the comment posted on every tracker issue linked to a
// ticket at an escalation threshold, word for word as in the seed.
func TrackerComment(t TicketFacts, threshold int, link string) string {
	return fmt.Sprintf("🔔 VendorSync — D-%d reminder\n\n"+
		"Vendor deadline approaching: %s (%s)\n\n"+
		"This Jira issue is linked to VendorSync ticket %s.\n"+
		"Vendor change: %s — %s\n\n"+
		"If this change has been completed, please move this Jira issue to Done.\n\n"+
		"VendorSync ticket: %s",
		threshold, t.Deadline, relDays(t.DaysLeft), t.Key, t.Vendor, oneLine(t.Topic), link)
}

// relDays writes a day count relative to now: "in 7 days", "in 1 day",
// "today", "2 days ago".
func relDays(n int) string {
	switch {
	case n == 0:
		return "today"
	case n < 0:
		return dayCount(-n) + " ago"
	}
	return "in " + dayCount(n)
}

// dayCount writes "1 day" or "n days".
func dayCount(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// oneLine folds runs of white space, newlines included, into one space:
// titles and field values come from vendor emails and must stay one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
