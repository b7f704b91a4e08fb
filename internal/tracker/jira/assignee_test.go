package jira_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

// TestResolveAssignee turns what an admin types as an application's
// default assignee into what each flavor assigns by: Cloud's accountId
// (found with user/search?query=), Server's user name (user/search?username=).
func TestResolveAssignee(t *testing.T) {
	cases := []struct {
		name, who string
		cloud     string // "" when Cloud cannot place who
		server    string // "" when Server cannot
		problem   string // in the refusal's message
	}{
		{"email shown", "alice@example.com", jiratest.AliceAccountID, "alice", ""},
		{"email hidden by privacy settings", "maria.lopez@example.com", jiratest.MariaAccountID, "maria", ""},
		{"email in other case", "Maria.Lopez@Example.com", jiratest.MariaAccountID, "maria", ""},
		{"display name", "Alice Chen", jiratest.AliceAccountID, "alice", ""},
		{"only user matching", "maria", jiratest.MariaAccountID, "maria", ""},
		{"Cloud account ID as is", jiratest.MarioAccountID, jiratest.MarioAccountID, "", "no active user"},
		{"several users", "mari", "", "", "matches several Jira users (Maria Lopez, Mario Rossi)"},
		{"inactive user", "former@example.com", "", "", "no active user"},
		{"app account (Server has none)", jiratest.Email, "", "vendorsync", "no active user"},
		{"nobody", "nobody@example.com", "", "", "no active user"},
	}
	for _, flavor := range flavors {
		for _, tc := range cases {
			t.Run(string(flavor)+"/"+tc.name, func(t *testing.T) {
				srv := jiratest.New(t)
				c := newClient(t, srv, flavor)
				want := map[jira.Flavor]string{jira.Cloud: tc.cloud, jira.Server: tc.server}[flavor]
				got, err := c.ResolveAssignee(context.Background(), tc.who)
				if want != "" {
					if err != nil || got != want {
						t.Fatalf("ResolveAssignee(%q) = %q, %v; want %q", tc.who, got, err, want)
					}
					return
				}
				var ae *tracker.AssigneeError
				if !errors.As(err, &ae) || httpx.KindOf(err) != httpx.BadRequest || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("ResolveAssignee(%q) = %q, %v; want a refusal saying %q", tc.who, got, err, tc.problem)
				}
			})
		}
	}
}

// TestAssigneeCached: a resolved assignee is not looked up again, and an
// issue is created with the resolved reference.
func TestAssigneeCached(t *testing.T) {
	srv := jiratest.New(t)
	c := newClient(t, srv, jira.Cloud)
	spec := seedSpec()
	spec.Assignee = "maria.lopez@example.com"
	for range 3 {
		if _, err := c.CreateIssue(context.Background(), spec); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Requests(jiratest.RouteUserSearch); n != 1 {
		t.Errorf("%d user searches for 3 creates, want 1", n)
	}
	for _, iss := range srv.Issues() {
		if iss.Assignee != jiratest.MariaAccountID {
			t.Errorf("%s assigned to %q", iss.Key, iss.Assignee)
		}
	}
}

// TestUnresolvableAssigneeSendsNoCreate: an assignee Jira cannot place
// refuses the create before it is sent.
func TestUnresolvableAssigneeSendsNoCreate(t *testing.T) {
	srv := jiratest.New(t)
	spec := seedSpec()
	spec.Assignee = "nobody@example.com"
	_, err := newClient(t, srv, jira.Cloud).CreateIssue(context.Background(), spec)
	if httpx.KindOf(err) != httpx.BadRequest || !tracker.OutcomeKnown(err) {
		t.Fatalf("err = %v, want a bad request", err)
	}
	if n := srv.Requests(jiratest.RouteCreate); n != 0 {
		t.Errorf("%d creates sent", n)
	}
}

// TestFakeRefusesAssigneeShapes: the fake Jira refuses assignees as the
// real one does: Cloud an email address sent as an accountId, Server an
// unknown user name.
func TestFakeRefusesAssigneeShapes(t *testing.T) {
	srv := jiratest.New(t)
	cases := []struct {
		version, auth, assignee string
		status                  int
	}{
		{"3", "basic", `{"accountId":"maria.lopez@example.com"}`, http.StatusBadRequest},
		{"3", "basic", `{"name":"maria"}`, http.StatusBadRequest},
		{"3", "basic", `{"accountId":"` + jiratest.MariaAccountID + `"}`, http.StatusCreated},
		{"2", "bearer", `{"name":"maria.lopez@example.com"}`, http.StatusBadRequest},
		{"2", "bearer", `{"name":"maria"}`, http.StatusCreated},
	}
	for _, tc := range cases {
		body := `{"fields":{"project":{"key":"PAY"},"issuetype":{"name":"Task"},"summary":"S","assignee":` + tc.assignee + `}}`
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/rest/api/"+tc.version+"/issue", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if tc.auth == "basic" {
			req.SetBasicAuth(jiratest.Email, jiratest.APIToken)
		} else {
			req.Header.Set("Authorization", "Bearer "+jiratest.PAT)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("v%s assignee %s: status %d, want %d", tc.version, tc.assignee, resp.StatusCode, tc.status)
		}
	}
}
