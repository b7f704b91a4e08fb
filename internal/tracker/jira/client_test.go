package jira_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

var flavors = []jira.Flavor{jira.Cloud, jira.Server}

// newClient returns a client of flavor for srv with fast retries; edit
// adjusts the config first.
func newClient(t testing.TB, srv *jiratest.Server, flavor jira.Flavor, edit ...func(*jira.Config)) *jira.Client {
	t.Helper()
	cfg := jira.Config{
		BaseURL: srv.URL, Flavor: flavor,
		Email: jiratest.Email, APIToken: jiratest.APIToken, PersonalAccessToken: jiratest.PAT,
		Options: jira.Options{Timeout: 2 * time.Second,
			Resilience: httpx.Policy{InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, RatePerSecond: -1}},
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := jira.New(cfg)
	if err != nil {
		t.Fatalf("jira.New: %v", err)
	}
	return c
}

// seedDoc is the seed's description block for a Visa change.
func seedDoc() tracker.Document {
	return tracker.Document{
		Title: "VENDOR CHANGE — Visa URL endpoint update",
		Fields: []tracker.Field{
			{Name: "Vendor", Value: "Visa"},
			{Name: "Change type", Value: "URL endpoint change"},
			{Name: "Effective date", Value: "April 20, 2027 (D-180)"},
			{Name: "Severity", Value: "High"},
		},
		Paragraphs: []tracker.Paragraph{
			{Label: "Summary", Text: "Visa moves the API.\nOld URLs stop on April 20."},
			{Label: "VendorSync ticket", Text: "VS-2847"},
		},
		Link: &tracker.Link{Label: "Direct link", URL: "https://vendorsync.example.com/tickets/VS-2847"},
	}
}

func seedSpec() tracker.IssueSpec {
	return tracker.IssueSpec{
		ProjectKey: "PAY", IssueType: "Task",
		Summary:     "Visa — URL endpoint change [VS-2847]",
		Description: seedDoc(),
		DueDate:     "2027-04-20",
		Assignee:    "alice",
		Labels:      []string{"vendorsync", "vendor:visa", "payments team"},
		// The key names the ticket and the application.
		IdempotencyKey: "VS-2847-app42",
	}
}

const wantADF = `{"type":"doc","version":1,"content":[
 {"type":"heading","attrs":{"level":3},"content":[{"type":"text","text":"VENDOR CHANGE — Visa URL endpoint update"}]},
 {"type":"rule"},
 {"type":"paragraph","content":[
  {"type":"text","text":"Vendor:","marks":[{"type":"strong"}]},{"type":"text","text":" Visa"},{"type":"hardBreak"},
  {"type":"text","text":"Change type:","marks":[{"type":"strong"}]},{"type":"text","text":" URL endpoint change"},{"type":"hardBreak"},
  {"type":"text","text":"Effective date:","marks":[{"type":"strong"}]},{"type":"text","text":" April 20, 2027 (D-180)"},{"type":"hardBreak"},
  {"type":"text","text":"Severity:","marks":[{"type":"strong"}]},{"type":"text","text":" High"}]},
 {"type":"paragraph","content":[
  {"type":"text","text":"Summary:","marks":[{"type":"strong"}]},{"type":"text","text":" Visa moves the API."},{"type":"hardBreak"},
  {"type":"text","text":"Old URLs stop on April 20."}]},
 {"type":"paragraph","content":[{"type":"text","text":"VendorSync ticket:","marks":[{"type":"strong"}]},{"type":"text","text":" VS-2847"}]},
 {"type":"paragraph","content":[{"type":"text","text":"Direct link:","marks":[{"type":"strong"}]},{"type":"text","text":" "},
  {"type":"text","text":"https://vendorsync.example.com/tickets/VS-2847","marks":[{"type":"link","attrs":{"href":"https://vendorsync.example.com/tickets/VS-2847"}}]}]},
 {"type":"rule"}]}`

const wantWiki = `h3. VENDOR CHANGE — Visa URL endpoint update

----

*Vendor:* Visa
*Change type:* URL endpoint change
*Effective date:* April 20, 2027 \(D-180\)
*Severity:* High

*Summary:* Visa moves the API. \\ Old URLs stop on April 20.

*VendorSync ticket:* VS-2847

*Direct link:* [https://vendorsync.example.com/tickets/VS-2847|https://vendorsync.example.com/tickets/VS-2847]

----`

func jsonValue(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	return v
}

func TestCreateIssue(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			c := newClient(t, srv, flavor)
			iss, err := c.CreateIssue(context.Background(), seedSpec())
			if err != nil {
				t.Fatalf("CreateIssue: %v", err)
			}
			want := tracker.Issue{Key: "PAY-1", URL: srv.URL + "/browse/PAY-1", StatusCategory: tracker.Unknown}
			if diff := cmp.Diff(want, iss); diff != "" {
				t.Errorf("issue (-want +got):\n%s", diff)
			}
			got, ok := srv.Issue("PAY-1")
			if !ok {
				t.Fatal("the server has no PAY-1")
			}
			// "alice" is resolved to what the flavor assigns by.
			assignee := map[jira.Flavor]string{jira.Cloud: jiratest.AliceAccountID, jira.Server: "alice"}[flavor]
			stored := jiratest.Issue{Key: got.Key, Project: "PAY", IssueType: "Task", Summary: "Visa — URL endpoint change [VS-2847]",
				DueDate: "2027-04-20", Assignee: assignee,
				Labels: []string{"vendorsync", "vendor:visa", "payments-team", "vsid-vs-2847-app42"}}
			gotFields := jiratest.Issue{Key: got.Key, Project: got.Project, IssueType: got.IssueType, Summary: got.Summary,
				DueDate: got.DueDate, Assignee: got.Assignee, Labels: got.Labels}
			if diff := cmp.Diff(stored, gotFields); diff != "" {
				t.Errorf("stored issue (-want +got):\n%s", diff)
			}
			if flavor == jira.Cloud {
				if diff := cmp.Diff(jsonValue(t, []byte(wantADF)), jsonValue(t, got.DescriptionADF)); diff != "" {
					t.Errorf("ADF description (-want +got):\n%s", diff)
				}
				body := string(createRequest(t, srv).Body)
				if !strings.Contains(body, `"assignee":{"accountId":"`+jiratest.AliceAccountID+`"}`) {
					t.Errorf("Cloud assignee not by accountId: %s", body)
				}
			} else if diff := cmp.Diff(wantWiki, got.DescriptionWiki); diff != "" {
				t.Errorf("wiki description (-want +got):\n%s", diff)
			}
		})
	}
}

// createRequest is the one create request srv received.
func createRequest(t *testing.T, srv *jiratest.Server) jiratest.Request {
	t.Helper()
	for _, r := range srv.Received() {
		if r.Route == jiratest.RouteCreate {
			return r
		}
	}
	t.Fatal("no create request")
	return jiratest.Request{}
}

func TestCreateIssueValidatesBeforeCalling(t *testing.T) {
	srv := jiratest.New(t)
	c := newClient(t, srv, jira.Cloud)
	spec := seedSpec()
	spec.Summary = strings.Repeat("x", 256)
	_, err := c.CreateIssue(context.Background(), spec)
	if httpx.KindOf(err) != httpx.BadRequest {
		t.Fatalf("err = %v, want bad_request", err)
	}
	if n := srv.Requests(jiratest.RouteCreate); n != 0 {
		t.Errorf("%d requests sent for an invalid spec", n)
	}
}

func TestCreateIssueJiraValidation(t *testing.T) {
	srv := jiratest.New(t)
	c := newClient(t, srv, jira.Cloud)
	spec := seedSpec()
	spec.ProjectKey, spec.IssueType = "NOPE", "Epic"
	_, err := c.CreateIssue(context.Background(), spec)
	if httpx.KindOf(err) != httpx.BadRequest {
		t.Fatalf("err = %v, want bad_request", err)
	}
	if !strings.Contains(err.Error(), "project: Specify a valid project ID or key") {
		t.Errorf("error lacks Jira's field message: %v", err)
	}
	if got := apperr.CodeOf(err); got != apperr.Invalid {
		t.Errorf("apperr code = %s, want invalid", got)
	}
}

func TestComment(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			c := newClient(t, srv, flavor)
			key := srv.Seed("OPS", 1)[0]
			body := tracker.Document{Paragraphs: []tracker.Paragraph{{Label: "VendorSync", Text: "D-3: due on 2027-04-20 *soon*"}}}
			if err := c.Comment(context.Background(), key, body); err != nil {
				t.Fatalf("Comment: %v", err)
			}
			comments := srv.Comments(key)
			if len(comments) != 1 {
				t.Fatalf("%d comments, want 1", len(comments))
			}
			if flavor == jira.Cloud {
				want := `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[
					{"type":"text","text":"VendorSync:","marks":[{"type":"strong"}]},{"type":"text","text":" D-3: due on 2027-04-20 *soon*"}]}]}`
				if diff := cmp.Diff(jsonValue(t, []byte(want)), jsonValue(t, comments[0].BodyADF)); diff != "" {
					t.Errorf("ADF comment (-want +got):\n%s", diff)
				}
			} else if want := `*VendorSync:* D-3: due on 2027-04-20 \*soon\*`; comments[0].BodyWiki != want {
				t.Errorf("wiki comment = %q, want %q", comments[0].BodyWiki, want)
			}
		})
	}
	t.Run("missing issue", func(t *testing.T) {
		srv := jiratest.New(t)
		c := newClient(t, srv, jira.Cloud)
		err := c.Comment(context.Background(), "PAY-404", tracker.Document{Title: "x"})
		if httpx.KindOf(err) != httpx.NotFound {
			t.Errorf("err = %v, want not_found", err)
		}
	})
}

func TestTest(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			name, err := newClient(t, srv, flavor).Test(context.Background())
			if err != nil || name != "VendorSync Bot" {
				t.Errorf("Test = %q, %v; want VendorSync Bot", name, err)
			}
		})
	}
	t.Run("wrong token", func(t *testing.T) {
		srv := jiratest.New(t)
		c := newClient(t, srv, jira.Cloud, func(c *jira.Config) { c.APIToken = "s3cret-wrong" })
		_, err := c.Test(context.Background())
		if httpx.KindOf(err) != httpx.Auth {
			t.Fatalf("err = %v, want unauthorized", err)
		}
		if strings.Contains(err.Error(), "s3cret-wrong") || strings.Contains(fmt.Sprintf("%+v", err), "s3cret-wrong") {
			t.Errorf("error leaks the token: %v", err)
		}
	})
}

func TestConfigNeverPrintsSecrets(t *testing.T) {
	cfg := jira.Config{BaseURL: "https://acme.atlassian.net", Flavor: jira.Cloud, Email: "a@b.c", APIToken: "tok-123", PersonalAccessToken: "pat-456"}
	c, err := jira.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(c), fmt.Sprintf("%v", c)} {
		if strings.Contains(s, "tok-123") || strings.Contains(s, "pat-456") {
			t.Errorf("printed form leaks a secret: %s", s)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	err := jira.Config{BaseURL: "https://u:p@acme.atlassian.net", Flavor: jira.Cloud}.Validate()
	want := []apperr.FieldError{
		{Field: "base_url", Message: "must not contain credentials"},
		{Field: "email", Message: "is required for Jira Cloud"},
		{Field: "api_token", Message: "is required for Jira Cloud"},
	}
	if diff := cmp.Diff(want, apperr.FieldsOf(err)); diff != "" {
		t.Errorf("field errors (-want +got):\n%s", diff)
	}
}
