package notify

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// Snapshot is everything a notification shows, as plain values frozen when
// the notification was created. It is stored with the notification and
// every rendering reads only it — never the live ticket, registry or time
// zone database — so re-rendering later, for a retry or a replay, gives the
// same bytes. Exactly one of Ticket, Email, User and Alert is set, by kind,
// except for a thread update, which has both the Ticket and the Email.
type Snapshot struct {
	// TakenAt is when the snapshot was taken, to the second; emails carry
	// it as their Date.
	TakenAt time.Time `json:"taken_at"`
	// Timezone is the tenant's IANA time zone the dates were shown in.
	Timezone string `json:"timezone,omitempty"`
	// Link is the page in VendorSync the notification points to.
	Link string `json:"link,omitempty"`

	Ticket *TicketFacts `json:"ticket,omitempty"`
	Email  *EmailFacts  `json:"email,omitempty"`
	User   *UserFacts   `json:"user,omitempty"`
	Alert  *AlertFacts  `json:"alert,omitempty"`
	Score  *ScoreFacts  `json:"score,omitempty"`
	// Text is the body of a test notification.
	Text string `json:"text,omitempty"`
}

// TicketFacts are the ticket's values a notification about it shows.
type TicketFacts struct {
	ID            string            `json:"id"`
	Key           string            `json:"key"`
	Vendor        string            `json:"vendor"`
	Topic         string            `json:"topic"`
	Summary       string            `json:"summary,omitempty"`
	Severity      registry.Severity `json:"severity"`
	Status        ticket.Status     `json:"status"`
	EffectiveDate ticket.Date       `json:"effective_date,omitempty"`
	SLADays       int               `json:"sla_days"`
	DueAt         time.Time         `json:"due_at"`
	// Deadline is DueAt's date in the tenant's zone as people read it:
	// "April 20, 2027".
	Deadline string `json:"deadline"`
	// DaysLeft counts calendar days in the tenant's zone from TakenAt to
	// DueAt: 0 on the day, negative once overdue.
	DaysLeft     int      `json:"days_left"`
	Applications []string `json:"applications"`
	// Owner is the owner team's name.
	Owner string `json:"owner,omitempty"`
}

// EmailFacts describe a source email, for the unknown-vendor alert and
// thread updates.
type EmailFacts struct {
	ID         string    `json:"id"`
	From       string    `json:"from"`
	Subject    string    `json:"subject"`
	ReceivedAt time.Time `json:"received_at"`
	// Received is ReceivedAt in the tenant's zone, as shown.
	Received string `json:"received"`
	// Excerpt is the start of the email's new text (the quoted original
	// left out), at most ExcerptLength characters; thread updates only.
	Excerpt string `json:"excerpt,omitempty"`
	// Impersonation explains how the sender imitates a vendor; unknown
	// vendor notices only.
	Impersonation string `json:"impersonation,omitempty"`
}

// ExcerptLength bounds, in characters, what a notification quotes of a
// vendor's email.
const ExcerptLength = 500

// Excerpt is the start of text as one paragraph of at most ExcerptLength
// characters, ending in "…" when cut. Excerpt(Excerpt(s)) == Excerpt(s).
func Excerpt(text string) string {
	s := oneLine(text)
	if utf8.RuneCountInString(s) <= ExcerptLength {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:ExcerptLength-1]), " ") + "…"
}

// frozen is e with its times in UTC and Received written in loc.
func (e EmailFacts) frozen(loc *time.Location) EmailFacts {
	e.ReceivedAt = e.ReceivedAt.UTC()
	e.Received = e.ReceivedAt.In(loc).Format("January 2, 2006 15:04 MST")
	return e
}

// UserFacts describe an account, for the auto-provisioning notice.
type UserFacts struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
}

// AlertFacts describe an integration alert for admins (a tracker refusing
// an issue or the credentials).
type AlertFacts struct {
	// Kind is the alerting component's own name for it, e.g.
	// "tracker.unauthorized".
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Message string `json:"message"`
	// Urgent alerts need action now (the connection is disabled).
	Urgent bool `json:"urgent,omitempty"`
}

// ScoreFacts describe a vendor's band crossing, as text frozen when it
// happened (the score module's delivery payload).
type ScoreFacts struct {
	Vendor   string `json:"vendor"`
	From     string `json:"from"`
	To       string `json:"to"`
	Score    string `json:"score"`
	Previous string `json:"previous"`
	// Band is the new band's code (low, medium, high, critical): it
	// decides who is told.
	Band         string  `json:"band"`
	RuleVersion  int     `json:"rule_version"`
	Contributors []Field `json:"contributors,omitempty"`
}

// NewScoreSnapshot freezes a band crossing; link is the vendor's score page.
func NewScoreSnapshot(f ScoreFacts, link string, takenAt time.Time) Snapshot {
	return Snapshot{TakenAt: takenAt.UTC().Truncate(time.Second), Link: link, Score: &f}
}

// NewAlertSnapshot freezes an integration alert; link is the admin page
// where it can be fixed.
func NewAlertSnapshot(a AlertFacts, link string, now time.Time) Snapshot {
	return Snapshot{TakenAt: now.UTC().Truncate(time.Second), Link: link, Alert: &a}
}

// DeadlineLayout is how deadlines are written in notifications, as in the
// seed's Jira comment ("April 20, 2027").
const DeadlineLayout = "January 2, 2006"

// TicketPath is the ticket page under the product's base URL.
func TicketPath(key string) string { return "/tickets/" + key }

// NewTicketSnapshot freezes what a notification about t shows at now: the
// vendor's and owner team's names are passed in, the deadline is t.DueAt
// (what the product shows) written in loc, and the link is the ticket's
// page under baseURL ("https://vendorsync.example.com").
func NewTicketSnapshot(t ticket.Ticket, vendor, owner string, loc *time.Location, baseURL string, now time.Time) Snapshot {
	if loc == nil {
		loc = time.UTC
	}
	apps := make([]string, 0, len(t.Applications))
	for _, a := range t.Applications {
		apps = append(apps, a.Name)
	}
	return Snapshot{
		TakenAt:  now.UTC().Truncate(time.Second),
		Timezone: loc.String(),
		Link:     strings.TrimRight(baseURL, "/") + TicketPath(t.Key()),
		Ticket: &TicketFacts{
			ID: t.ID, Key: t.Key(), Vendor: vendor, Topic: t.Topic, Summary: t.Summary,
			Severity: t.Severity, Status: t.Status, EffectiveDate: t.EffectiveDate, SLADays: t.SLADays,
			DueAt:        t.DueAt.UTC(),
			Deadline:     t.DueAt.In(loc).Format(DeadlineLayout),
			DaysLeft:     ticket.DaysLeft(now, t.DueAt, loc),
			Applications: apps,
			Owner:        owner,
		},
	}
}

// NewEmailSnapshot freezes an unknown-vendor alert about a source email;
// link is the email's page in the triage view.
func NewEmailSnapshot(e EmailFacts, loc *time.Location, link string, now time.Time) Snapshot {
	if loc == nil {
		loc = time.UTC
	}
	e = e.frozen(loc)
	return Snapshot{TakenAt: now.UTC().Truncate(time.Second), Timezone: loc.String(), Link: link, Email: &e}
}

// NewThreadUpdateSnapshot freezes what the owners of ticket t are told
// about email e, attached to it as an update: the ticket as
// NewTicketSnapshot shows it, and the email's sender, subject, arrival in
// loc and an excerpt of its new text. The link is the ticket's page.
func NewThreadUpdateSnapshot(t ticket.Ticket, vendor, owner string, e EmailFacts, loc *time.Location, baseURL string, now time.Time) Snapshot {
	if loc == nil {
		loc = time.UTC
	}
	s := NewTicketSnapshot(t, vendor, owner, loc, baseURL, now)
	e = e.frozen(loc)
	e.Excerpt = Excerpt(e.Excerpt)
	s.Email = &e
	return s
}

// NewUserSnapshot freezes an auto-provisioning notice; link is the user's
// page in the admin views.
func NewUserSnapshot(u UserFacts, link string, now time.Time) Snapshot {
	return Snapshot{TakenAt: now.UTC().Truncate(time.Second), Link: link, User: &u}
}

// NewTestSnapshot freezes a "send test" notification with text as its body
// (a default sentence when empty).
func NewTestSnapshot(text, link string, now time.Time) Snapshot {
	if strings.TrimSpace(text) == "" {
		text = "If you can read this, VendorSync can reach you on this channel."
	}
	return Snapshot{TakenAt: now.UTC().Truncate(time.Second), Link: link, Text: text}
}
