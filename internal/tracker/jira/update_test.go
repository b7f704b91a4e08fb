package jira_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

// TestUpdateFieldsRefusals: a field Jira refuses comes back as a bad
// request naming it, with nothing changed; a workflow without a way to a
// done status makes closing a bad request that says so.
func TestUpdateFieldsRefusals(t *testing.T) {
	for _, fl := range flavors {
		t.Run(string(fl), func(t *testing.T) {
			ctx := context.Background()
			srv := jiratest.New(t)
			c := newClient(t, srv, fl)
			created, err := c.CreateIssue(ctx, seedSpec())
			if err != nil {
				t.Fatal(err)
			}
			key := created.Key
			_, err = c.UpdateFields(ctx, key, []string{"title", "due_date"}, tracker.IssueFields{Title: "Ours", DueDate: "2027-13-45"})
			var he *httpx.Error
			if !errors.As(err, &he) || he.Kind != httpx.BadRequest || he.Status != 400 || !strings.Contains(he.Error(), "duedate") {
				t.Fatalf("bad due date: %v", err)
			}
			if is, _ := srv.Issue(key); is.Summary == "Ours" {
				t.Fatal("a refused edit changed the issue")
			}
			srv.CloseTransitionsTo(jiratest.CategoryDone)
			_, err = c.UpdateFields(ctx, key, []string{"state"}, tracker.IssueFields{State: "closed"})
			if !errors.As(err, &he) || he.Kind != httpx.BadRequest || !strings.Contains(he.Error(), "no transition") {
				t.Fatalf("close without a transition: %v", err)
			}
			iss, err := c.UpdateFields(ctx, key, []string{"title", "state"}, tracker.IssueFields{Title: "Ours", State: "open"})
			if err != nil || iss.Fields == nil || iss.Fields.Title != "Ours" || iss.StatusCategory != tracker.ToDo || iss.URL == "" {
				t.Fatalf("open issue left open: %+v %v", iss, err)
			}
			if fl == jira.Cloud {
				return
			}
			iss, err = c.UpdateFields(ctx, key, []string{"body"}, tracker.IssueFields{Body: "h1. Wiki"})
			if err != nil || iss.Fields.Body != "h1. Wiki" {
				t.Fatalf("body on Server: %+v %v", iss.Fields, err)
			}
		})
	}
}
