package link

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// SpecInput is what the issue for one application of a ticket is made of.
type SpecInput struct {
	Ticket ticket.Ticket
	Vendor registry.Vendor
	App    registry.Application
	// TeamName is the application's owner team, "" when none.
	TeamName string
	// BaseURL is VendorSync's address for the link back; "" leaves it out.
	BaseURL string
	// Now and Location date the "D-N" countdown in the tenant's time zone.
	Now      time.Time
	Location *time.Location
}

// IssueSpec builds the issue exactly as the seed's "What VendorSync creates
// in Jira": summary "Visa — URL endpoint change [VS-2847]", the
// application's project, issue type and default assignee, the effective
// date as due date (the ticket's due date when the vendor gave none),
// labels vendorsync, vendor:<name> and the application's labels, and the
// description block with vendor, change, effective date (D-N), severity,
// SLA, application and team, summary, routing reasoning and the link back.
func IssueSpec(in SpecInput) tracker.IssueSpec {
	t, a := in.Ticket, in.App
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	spec := tracker.IssueSpec{
		ProjectKey:     strings.TrimSpace(a.TrackerProjectKey),
		IssueType:      strings.TrimSpace(a.TrackerIssueType),
		Summary:        summary(in.Vendor.Name, t.Topic, t.Key()),
		Assignee:       strings.TrimSpace(a.TrackerDefaultAssignee),
		Labels:         append([]string{"vendorsync", VendorLabel(in.Vendor.Name)}, a.TrackerLabels...),
		IdempotencyKey: IdempotencyKey(t.ID, a.ID),
	}
	spec.DueDate = IssueDueDate(t, loc)
	app := a.Name
	if in.TeamName != "" {
		app += " (" + teamLabel(in.TeamName) + ")"
	}
	doc := tracker.Document{
		Title: "VENDOR CHANGE — " + in.Vendor.Name + " " + t.Topic,
		Fields: []tracker.Field{
			{Name: "Vendor", Value: in.Vendor.Name},
			{Name: "Change type", Value: t.Topic},
			{Name: "Effective date", Value: effective(t.EffectiveDate, in.Now, loc)},
			{Name: "Severity", Value: t.Severity.Label()},
			{Name: "SLA", Value: fmt.Sprintf("%d days", t.SLADays)},
			{Name: "Affected application", Value: app},
		},
	}
	if s := strings.TrimSpace(t.Summary); s != "" {
		doc.Paragraphs = append(doc.Paragraphs, tracker.Paragraph{Label: "Summary", Text: s})
	}
	if r := strings.TrimSpace(t.Reasoning); r != "" {
		doc.Paragraphs = append(doc.Paragraphs, tracker.Paragraph{Label: "VendorSync routing reasoning", Text: r})
	}
	doc.Paragraphs = append(doc.Paragraphs, tracker.Paragraph{Label: "VendorSync ticket", Text: t.Key()})
	if base := strings.TrimRight(in.BaseURL, "/"); base != "" {
		doc.Link = &tracker.Link{Label: "Direct link", URL: TicketURL(base, t.Key())}
		if doc.Validate() != nil {
			doc.Link = nil // a base URL that is not absolute http(s) cannot be linked
		}
	}
	spec.Description = doc
	return spec
}

// TicketURL is where a person opens a ticket in VendorSync.
func TicketURL(baseURL, key string) string {
	return strings.TrimRight(baseURL, "/") + "/tickets/" + key
}

// VendorLabel is the label naming the vendor: "vendor:" and the name in
// lower case with whitespace runs as "-" ("vendor:american-express").
func VendorLabel(name string) string {
	return "vendor:" + strings.Join(strings.FieldsFunc(strings.ToLower(name), unicode.IsSpace), "-")
}

// summary is "Vendor — topic [VS-0042]", the topic shortened to fit Jira's
// 255 characters; line breaks never reach it (topics are single lines).
func summary(vendor, topic, key string) string {
	topic = strings.Join(strings.Fields(topic), " ")
	prefix, suffix := strings.TrimSpace(vendor)+" — ", " ["+key+"]"
	room := tracker.MaxSummaryLen - len([]rune(prefix)) - len([]rune(suffix))
	if r := []rune(topic); len(r) > room {
		topic = strings.TrimSpace(string(r[:max(room-1, 0)])) + "…"
	}
	return prefix + topic + suffix
}

// teamLabel says "Payments team" unless the name says team already.
func teamLabel(name string) string {
	if strings.HasSuffix(strings.ToLower(name), "team") {
		return name
	}
	return name + " team"
}

// effective writes the effective date as the seed does: "April 20, 2027
// (D-180)", counting calendar days in the tenant's time zone; "D+3" once
// it has passed, "not given" when the vendor gave none.
func effective(d ticket.Date, now time.Time, loc *time.Location) string {
	if d == "" {
		return "not given"
	}
	day, err := time.ParseInLocation(time.DateOnly, string(d), loc)
	if err != nil {
		return string(d)
	}
	n := ticket.DaysLeft(now, day, loc)
	countdown := fmt.Sprintf("D-%d", n)
	if n < 0 {
		countdown = fmt.Sprintf("D+%d", -n)
	}
	return day.Format("January 2, 2006") + " (" + countdown + ")"
}

// IssueDueDate is the due date a ticket gives its issues: its effective
// date, or the day it is due in loc when the vendor gave none.
func IssueDueDate(t ticket.Ticket, loc *time.Location) tracker.Date {
	if t.EffectiveDate != "" {
		return tracker.Date(t.EffectiveDate)
	}
	return tracker.DateOf(t.DueAt, loc)
}
