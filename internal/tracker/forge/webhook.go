package forge

import (
	"encoding/json"
	"fmt"

	"github.com/vendorsync/vendorsync/internal/tracker"
)

// issueEvent is the part of a GitHub or Gitea "issues" delivery VendorSync
// reads: both send the issue and its repository in the same shape.
type issueEvent struct {
	Action string `json:"action"`
	Issue  *struct {
		Number    int64   `json:"number"`
		Title     string  `json:"title"`
		Body      string  `json:"body"`
		DueDate   *string `json:"due_date"`
		Assignees []struct {
			Login string `json:"login"`
		} `json:"assignees"`
		State       string  `json:"state"`
		StateReason *string `json:"state_reason"`
		HTMLURL     string  `json:"html_url"`
		UpdatedAt   string  `json:"updated_at"`
		PullRequest any     `json:"pull_request"`
		Labels      []struct {
			Name string `json:"name"`
		} `json:"labels"`
	} `json:"issue"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

// ParseIssueEvent reads a GitHub or Gitea "issues" delivery (any action:
// opened, edited, closed, labeled…) into the issue's current state, or
// its deletion (action "deleted"); false
// for other events, pull requests, and deliveries without an issue.
func ParseIssueEvent(event string, body []byte) (tracker.Issue, bool, error) {
	if event != "issues" {
		return tracker.Issue{}, false, nil
	}
	var ev issueEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return tracker.Issue{}, false, fmt.Errorf("read the issues delivery: %w", err)
	}
	is := ev.Issue
	if is == nil || is.Number <= 0 || is.PullRequest != nil || ev.Repository.FullName == "" {
		return tracker.Issue{}, false, nil
	}
	labels := make([]string, 0, len(is.Labels))
	for _, l := range is.Labels {
		labels = append(labels, l.Name)
	}
	reason := ""
	if is.StateReason != nil {
		reason = *is.StateReason
	}
	name, cat := Status(is.State, reason, labels)
	f := &tracker.IssueFields{Title: is.Title, Body: is.Body, State: OpenOrClosed(is.State), Labels: labels,
		Assignees: make([]string, 0, len(is.Assignees))}
	for _, a := range is.Assignees {
		f.Assignees = append(f.Assignees, a.Login)
	}
	if is.DueDate != nil && len(*is.DueDate) >= 10 {
		// Gitea's due date is a timestamp; the mirror keeps its day.
		f.DueDate = (*is.DueDate)[:10]
	}
	return tracker.Issue{Key: Key(ev.Repository.FullName, is.Number), URL: is.HTMLURL, StatusName: name,
		StatusCategory: cat, Updated: tracker.ParseTime(is.UpdatedAt), Fields: f, Deleted: ev.Action == "deleted"}, true, nil
}

// OpenOrClosed is a forge state as the mirror keeps it: GitLab's "opened"
// and "reopened" are open.
func OpenOrClosed(state string) string {
	if state == "closed" {
		return "closed"
	}
	return "open"
}

// NonNil is l, or an empty list for nil: a list sent to replace an
// issue's labels or assignees must be [] to clear them, not null.
func NonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
