package tracker_test

import (
	"bytes"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
)

// GitHub's documented example ("Validating webhook deliveries"): this
// secret and payload give this signature.
const (
	docSecret    = "It's a Secret to Everybody"
	docPayload   = "Hello, World!"
	docSignature = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
)

// TestWebhookSignatureVectors: per provider, the documented signature
// verifies; one flipped bit of the body, a wrong secret, a malformed or a
// missing header do not.
func TestWebhookSignatureVectors(t *testing.T) {
	body := []byte(docPayload)
	for _, c := range []struct {
		name   string
		hook   *tracker.Webhook
		header string
		valid  string
		wrong  string // the header computed with another secret
	}{
		{"github", github.Webhook, "X-Hub-Signature-256", "sha256=" + docSignature, tracker.SignHMACHex("sha256=", body, []byte("other"))},
		{"gitea", gitea.Webhook, "X-Gitea-Signature", docSignature, tracker.SignHMACHex("", body, []byte("other"))},
		{"jira", jira.Webhook, "X-Hub-Signature", "sha256=" + docSignature, tracker.SignHMACHex("sha256=", body, []byte("other"))},
		{"gitlab", gitlab.Webhook, "X-Gitlab-Token", docSecret, "other"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := func(v string) http.Header {
				hd := http.Header{}
				if v != "" {
					hd.Set(c.header, v)
				}
				return hd
			}
			if err := c.hook.Verify(h(c.valid), body, []byte(docSecret)); err != nil {
				t.Errorf("valid: %v", err)
			}
			flipped := bytes.Clone(body)
			flipped[3] ^= 0x01
			cases := map[string]struct {
				header string
				body   []byte
				secret string
			}{
				"wrong secret":             {c.valid, body, "It's a Secret to Everybody!"},
				"signed by another secret": {c.wrong, body, docSecret},
				"missing header":           {"", body, docSecret},
				"no secret kept":           {c.valid, body, ""},
				"malformed":                {c.valid[:len(c.valid)-1], body, docSecret},
			}
			if c.name != "gitlab" {
				// GitLab sends its token, not a signature of the body.
				cases["one flipped bit"] = struct {
					header string
					body   []byte
					secret string
				}{c.valid, flipped, docSecret}
			}
			for name, bad := range cases {
				if err := c.hook.Verify(h(bad.header), bad.body, []byte(bad.secret)); !errors.Is(err, tracker.ErrSignature) {
					t.Errorf("%s: %v, want ErrSignature", name, err)
				}
			}
		})
	}
}

// TestWebhookParse: each provider's issue delivery, shaped as its
// documentation shows, reads as the issue's key and state; deliveries about
// pull requests or other events are not issues.
func TestWebhookParse(t *testing.T) {
	for _, c := range []struct {
		name, event, body string
		hook              *tracker.Webhook
		want              tracker.Issue
		ok                bool
	}{
		{"github closed not planned", "issues", `{"action":"closed","issue":{"number":12,"state":"closed","state_reason":"not_planned",
			"title":"Visa — URL endpoint change [VS-0001]","body":"**Vendor:** Visa","assignees":[{"login":"maria"}],
			"html_url":"https://github.com/acme/pay/issues/12","updated_at":"2026-12-05T09:00:00Z","labels":[{"name":"vendor-change"}]},
			"repository":{"full_name":"acme/pay"}}`, github.Webhook,
			tracker.Issue{Key: "acme/pay#12", URL: "https://github.com/acme/pay/issues/12", StatusName: "Closed (not planned)",
				StatusCategory: tracker.Done, Updated: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC),
				Fields: &tracker.IssueFields{Title: "Visa — URL endpoint change [VS-0001]", Body: "**Vendor:** Visa", State: "closed",
					Labels: []string{"vendor-change"}, Assignees: []string{"maria"}}}, true},
		{"github pull request", "issues", `{"action":"opened","issue":{"number":3,"state":"open","pull_request":{"url":"x"}},
			"repository":{"full_name":"acme/pay"}}`, github.Webhook, tracker.Issue{}, false},
		{"github push", "push", `{}`, github.Webhook, tracker.Issue{}, false},
		{"gitea in progress", "issues", `{"action":"label_updated","number":4,"issue":{"number":4,"state":"open",
			"html_url":"https://gitea.example/acme/pay/issues/4","labels":[{"name":"In Progress"}]},
			"repository":{"full_name":"acme/pay"}}`, gitea.Webhook,
			tracker.Issue{Key: "acme/pay#4", URL: "https://gitea.example/acme/pay/issues/4", StatusName: "In progress",
				StatusCategory: tracker.InProgress}, true},
		{"gitlab reopened", "Issue Hook", `{"object_kind":"issue","project":{"path_with_namespace":"acme/sub/pay"},
			"object_attributes":{"iid":9,"state":"opened","url":"https://gitlab.com/acme/sub/pay/-/issues/9","title":"T",
			"description":"D","due_date":"2027-04-20","updated_at":"2026-12-05 09:00:00 UTC"},"labels":[],"assignees":[{"username":"lee"}]}`,
			gitlab.Webhook, tracker.Issue{Key: "acme/sub/pay#9", URL: "https://gitlab.com/acme/sub/pay/-/issues/9",
				StatusName: "Open", StatusCategory: tracker.ToDo, Updated: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC),
				Fields: &tracker.IssueFields{Title: "T", Body: "D", State: "open", Labels: []string{}, Assignees: []string{"lee"},
					DueDate: "2027-04-20"}}, true},
		{"jira done", "jira:issue_updated", `{"timestamp":1,"webhookEvent":"jira:issue_updated","issue":{"key":"PAY-7",
			"self":"https://acme.atlassian.net/rest/api/3/issue/10007","fields":{"status":{"name":"Done","statusCategory":{"key":"done"}}}}}`,
			jira.Webhook, tracker.Issue{Key: "PAY-7", URL: "https://acme.atlassian.net/browse/PAY-7", StatusName: "Done",
				StatusCategory: tracker.Done}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok, err := c.hook.Parse(c.event, []byte(c.body))
			if c.want.Fields == nil {
				// Only the cases that say so check the fields and time.
				got.Fields, got.Updated = nil, time.Time{}
			}
			if err != nil || ok != c.ok {
				t.Fatalf("ok %v, %v; want %v", ok, err, c.ok)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("issue (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzWebhookParse: no delivery body makes a provider's parser panic.
func FuzzWebhookParse(f *testing.F) {
	f.Add("issues", []byte(`{"issue":{"number":1,"state":"open"},"repository":{"full_name":"a/b"}}`))
	f.Add("Issue Hook", []byte(`{"object_kind":"issue","object_attributes":{"iid":1}}`))
	f.Add("jira:issue_updated", []byte(`{"issue":{"key":"A-1","fields":{"status":{}}}}`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		for _, h := range []*tracker.Webhook{github.Webhook, gitea.Webhook, gitlab.Webhook, jira.Webhook} {
			_, _, _ = h.Parse(event, body)
			_ = h.DeliveryID(http.Header{}, body)
		}
	})
}
