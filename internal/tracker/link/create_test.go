package link_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// brokenArgs cannot be encoded, so enqueueing it fails.
type brokenArgs struct {
	C chan int `json:"c"`
}

func (brokenArgs) Kind() string { return "link_test.broken" }

func TestLinksAndJobsCommitWithTheTicket(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db, jira.Cloud)
		pay, fraud, manual := f.app(t, "PaymentService", true), f.app(t, "FraudEngine", true), f.app(t, "Ledger", false)

		t.Run("rollback leaves neither links nor jobs", func(t *testing.T) {
			d := ticket.Draft{VendorID: f.vendor.ID, Topic: "Doomed", Severity: registry.SeverityLow, SLADays: 30,
				ApplicationIDs: []string{pay.ID, fraud.ID}}
			created := f.tickets.Consequences.Created
			f.tickets.Consequences.Created = func(t ticket.Ticket) []jobargs.Args { return append(created(t), brokenArgs{}) }
			defer func() { f.tickets.Consequences.Created = created }()
			if _, err := f.tickets.Create(ctx, f.sys, d); err == nil {
				t.Fatal("a ticket whose job cannot be enqueued was created")
			}
			if got := f.createJobs(t); len(got) != 0 {
				t.Errorf("create jobs after the rollback: %v", got)
			}
			items, err := db.PendingTrackerLinks(ctx, f.tenant)
			if err != nil || len(items) != 0 {
				t.Errorf("links after the rollback: %v %v", items, err)
			}
		})

		tk := f.ticket(t, pay, manual, fraud)
		links, err := db.TicketTrackerLinks(ctx, f.tenant, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range links {
			got = append(got, l.ApplicationName+" "+string(l.SyncStatus)+" "+l.IdempotencyKey)
		}
		want := []string{"FraudEngine pending " + tk.ID + "." + fraud.ID, "PaymentService pending " + tk.ID + "." + pay.ID}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("links (-want +got):\n%s", diff)
		}
		wantJobs := []jobargs.TrackerCreate{
			{Tenant: jobargs.For(f.tenant), TicketID: tk.ID, ApplicationID: pay.ID},
			{Tenant: jobargs.For(f.tenant), TicketID: tk.ID, ApplicationID: fraud.ID},
		}
		if diff := cmp.Diff(wantJobs, f.createJobs(t)); diff != "" {
			t.Errorf("create jobs (-want +got):\n%s", diff)
		}
		if tk.Number != 1 {
			t.Errorf("the rolled-back ticket used up a number: %s", tk.Key())
		}
	})
}

// flatADF renders an ADF document as plain lines: text as is, hard breaks
// and block ends as newlines, rules as "---".
func flatADF(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	type node struct {
		Type    string `json:"type"`
		Text    string `json:"text"`
		Content []node `json:"content"`
	}
	var doc node
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n node)
	walk = func(n node) {
		switch n.Type {
		case "text":
			b.WriteString(n.Text)
		case "hardBreak":
			b.WriteString("\n")
		case "rule":
			b.WriteString("---\n")
		}
		for _, c := range n.Content {
			walk(c)
		}
		if n.Type == "paragraph" || n.Type == "heading" {
			b.WriteString("\n")
		}
	}
	walk(doc)
	return b.String()
}

func TestIssueAsTheSeedDescribes(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				f := newFixture(t, db, flavor)
				pay := f.app(t, "PaymentService", true)
				tk := f.ticket(t, pay)
				res := f.attempt(t, tk, pay)
				l := res.Link
				if l.SyncStatus != link.Created || l.IssueKey == "" || l.Attempts != 1 || l.LastError != "" {
					t.Fatalf("link after the attempt: %+v", l)
				}
				if want := f.jira.URL + "/browse/" + l.IssueKey; l.IssueURL != want {
					t.Errorf("issue URL = %q, want %q", l.IssueURL, want)
				}
				iss, ok := f.jira.Issue(l.IssueKey)
				if !ok {
					t.Fatalf("no issue %s in Jira", l.IssueKey)
				}
				eff := f.clock.now().AddDate(0, 0, 180)
				got := map[string]any{"summary": iss.Summary, "project": iss.Project, "type": iss.IssueType,
					"due": iss.DueDate, "assignee": iss.Assignee, "labels": iss.Labels}
				want := map[string]any{"summary": "Visa — URL endpoint change [" + tk.Key() + "]", "project": "PAY", "type": "Task",
					"due": eff.Format(time.DateOnly), "assignee": map[jira.Flavor]string{jira.Cloud: jiratest.MariaAccountID, jira.Server: "maria"}[flavor],
					"labels": []string{"vendorsync", "vendor:visa", "vendor-change", "payments", tracker.IdempotencyLabel(tk.ID + "." + pay.ID)}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("issue fields (-want +got):\n%s", diff)
				}
				lines := []string{
					"VENDOR CHANGE — Visa URL endpoint change",
					"Vendor: Visa",
					"Change type: URL endpoint change",
					"Effective date: " + eff.Format("January 2, 2006") + " (D-180)",
					"Severity: High",
					"SLA: 14 days",
					"Affected application: PaymentService (Payments team)",
					"Summary: Visa moves the authorization endpoint to v3.",
					"VendorSync routing reasoning: PaymentService calls the Visa authorization v2 endpoint.",
					"VendorSync ticket: " + tk.Key(),
					"Direct link: https://vs.example.com/tickets/" + tk.Key(),
				}
				if flavor == jira.Cloud {
					want := lines[0] + "\n---\n" + strings.Join(lines[1:7], "\n") + "\n" + strings.Join(lines[7:], "\n") + "\n---\n"
					if diff := cmp.Diff(want, flatADF(t, iss.DescriptionADF)); diff != "" {
						t.Errorf("ADF description (-want +got):\n%s", diff)
					}
					return
				}
				for _, l := range []string{"h3. VENDOR CHANGE — Visa URL endpoint change", "*Vendor:* Visa", "*SLA:* 14 days",
					`*Affected application:* PaymentService \(Payments team\)`, "*VendorSync ticket:* " + tk.Key(),
					"*Direct link:* [https://vs.example.com/tickets/" + tk.Key() + "|https://vs.example.com/tickets/" + tk.Key() + "]"} {
					if !strings.Contains(iss.DescriptionWiki, l) {
						t.Errorf("wiki description lacks %q:\n%s", l, iss.DescriptionWiki)
					}
				}
			})
		})
	}
}

func TestIssueSpecShortensLongTopics(t *testing.T) {
	tk := ticket.Ticket{ID: "t1", Number: 2847, Topic: strings.Repeat("endpoint ", 60), Severity: registry.SeverityLow, SLADays: 30}
	spec := link.IssueSpec(link.SpecInput{Ticket: tk, Vendor: registry.Vendor{Name: "American Express"},
		App: registry.Application{ID: "a1", Name: "Billing", TrackerProjectKey: "PAY", TrackerIssueType: "Task"}, BaseURL: "not a url"})
	if n := len([]rune(spec.Summary)); n > tracker.MaxSummaryLen || n < tracker.MaxSummaryLen-2 || !strings.HasSuffix(spec.Summary, "… [VS-2847]") {
		t.Errorf("summary of %d characters: %q", n, spec.Summary)
	}
	if spec.Labels[1] != "vendor:american-express" || spec.Description.Link != nil {
		t.Errorf("labels %v, link %v", spec.Labels, spec.Description.Link)
	}
	if err := spec.Validate(); err != nil {
		t.Errorf("spec invalid: %v", err)
	}
}
