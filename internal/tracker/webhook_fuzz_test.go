package tracker_test

import (
	"net/http"
	"testing"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
)

// fuzzWebhook feeds arbitrary bodies to a provider's webhook reading:
// nothing panics, a signature made with another secret never verifies,
// and an issue read from a body always has a key and a known category.
func fuzzWebhook(f *testing.F, w *tracker.Webhook, event string, header func(h http.Header, body []byte), seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h := http.Header{}
		header(h, body)
		if err := w.Verify(h, body, []byte("another secret")); err == nil {
			t.Fatal("a signature under another secret verified")
		}
		_ = w.DeliveryID(h, body)
		ev := w.Event(h, body)
		if ev == "" {
			ev = event
		}
		iss, ok, err := w.Parse(ev, body)
		if err != nil || !ok {
			return
		}
		if iss.Key == "" {
			t.Fatalf("issue without a key from %q", body)
		}
		switch iss.StatusCategory {
		case tracker.ToDo, tracker.InProgress, tracker.Done, tracker.Unknown:
		default:
			t.Fatalf("category %q from %q", iss.StatusCategory, body)
		}
	})
}

func FuzzGitHubWebhook(f *testing.F) {
	fuzzWebhook(f, github.Webhook, "issues", func(h http.Header, body []byte) {
		h.Set("X-GitHub-Event", "issues")
		h.Set("X-GitHub-Delivery", "d-1")
		h.Set("X-Hub-Signature-256", tracker.SignHMACHex("sha256=", body, []byte("secret")))
	}, `{"action":"closed","issue":{"number":1,"state":"closed","state_reason":"not_planned","title":"t","labels":[{"name":"in progress"}],"updated_at":"2026-01-02T03:04:05Z"},"repository":{"full_name":"acme/payments"}}`,
		`{"issue":{"number":2,"pull_request":{}},"repository":{"full_name":"a/b"}}`, `[]`, `{"issue":null}`)
}

func FuzzGiteaWebhook(f *testing.F) {
	fuzzWebhook(f, gitea.Webhook, "issues", func(h http.Header, body []byte) {
		h.Set("X-Gitea-Event", "issues")
		h.Set("X-Gitea-Delivery", "d-1")
		h.Set("X-Gitea-Signature", tracker.SignHMACHex("", body, []byte("secret")))
	}, `{"action":"edited","issue":{"number":3,"state":"open","due_date":"2026-03-01T00:00:00Z","assignees":[{"login":"maria"}]},"repository":{"full_name":"acme/payments"}}`)
}

func FuzzGitLabWebhook(f *testing.F) {
	fuzzWebhook(f, gitlab.Webhook, "Issue Hook", func(h http.Header, _ []byte) {
		h.Set("X-Gitlab-Event", "Issue Hook")
		h.Set("X-Gitlab-Event-UUID", "d-1")
		h.Set("X-Gitlab-Token", "secret")
	}, `{"object_kind":"issue","project":{"path_with_namespace":"acme/payments"},"object_attributes":{"iid":4,"state":"closed","title":"t","updated_at":"2026-01-02 03:04:05 UTC"},"labels":[{"title":"doing"}]}`)
}

func FuzzJiraWebhook(f *testing.F) {
	fuzzWebhook(f, jira.Webhook, "jira:issue_updated", func(h http.Header, body []byte) {
		h.Set("X-Hub-Signature", tracker.SignHMACHex("sha256=", body, []byte("secret")))
	}, `{"timestamp":1767323045000,"webhookEvent":"jira:issue_updated","issue":{"key":"PAY-1","fields":{"summary":"s","status":{"name":"Done","statusCategory":{"key":"done"}},"updated":"2026-01-02T03:04:05.000+0000"}}}`)
}
