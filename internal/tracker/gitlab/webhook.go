package gitlab

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

// Webhook is GitLab's delivery scheme: X-Gitlab-Token carries the secret
// token itself (GitLab does not sign), X-Gitlab-Event-UUID the delivery's
// id, X-Gitlab-Event the event ("Issue Hook").
var Webhook = &tracker.Webhook{
	Verify: func(h http.Header, _, secret []byte) error {
		return tracker.VerifyToken(h.Get("X-Gitlab-Token"), secret)
	},
	DeliveryID: func(h http.Header, _ []byte) string { return h.Get("X-Gitlab-Event-UUID") },
	Event:      func(h http.Header, _ []byte) string { return h.Get("X-Gitlab-Event") },
	Parse:      parseIssueHook,
}

// issueHook is the part of an "Issue Hook" delivery VendorSync reads.
type issueHook struct {
	ObjectKind string `json:"object_kind"`
	Project    struct {
		PathWithNamespace string `json:"path_with_namespace"`
	} `json:"project"`
	Attributes struct {
		IID         int64  `json:"iid"`
		Title       string `json:"title"`
		Description string `json:"description"`
		DueDate     string `json:"due_date"`
		State       string `json:"state"`
		URL         string `json:"url"`
		UpdatedAt   string `json:"updated_at"`
	} `json:"object_attributes"`
	Labels []struct {
		Title string `json:"title"`
	} `json:"labels"`
	Assignees []struct {
		Username string `json:"username"`
	} `json:"assignees"`
}

func parseIssueHook(event string, body []byte) (tracker.Issue, bool, error) {
	if event != "Issue Hook" && event != "Confidential Issue Hook" {
		return tracker.Issue{}, false, nil
	}
	var ev issueHook
	if err := json.Unmarshal(body, &ev); err != nil {
		return tracker.Issue{}, false, fmt.Errorf("read the Issue Hook delivery: %w", err)
	}
	a := ev.Attributes
	if ev.ObjectKind != "issue" || a.IID <= 0 || ev.Project.PathWithNamespace == "" {
		return tracker.Issue{}, false, nil
	}
	labels := make([]string, 0, len(ev.Labels))
	for _, l := range ev.Labels {
		labels = append(labels, l.Title)
	}
	name, cat := forge.Status(a.State, "", labels)
	f := &tracker.IssueFields{Title: a.Title, Body: a.Description, State: forge.OpenOrClosed(a.State), Labels: labels,
		Assignees: make([]string, 0, len(ev.Assignees)), DueDate: a.DueDate}
	for _, as := range ev.Assignees {
		f.Assignees = append(f.Assignees, as.Username)
	}
	return tracker.Issue{Key: forge.Key(ev.Project.PathWithNamespace, a.IID), URL: a.URL, StatusName: name,
		StatusCategory: cat, Updated: tracker.ParseTime(a.UpdatedAt), Fields: f}, true, nil
}
