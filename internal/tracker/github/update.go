package github

import (
	"context"
	"errors"

	gh "github.com/google/go-github/v92/github"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

var _ tracker.FieldUpdater = (*Client)(nil)

// UpdateFields edits the issue with PATCH /repos/{owner}/{repo}/issues/{number}
// (go-github's Update):
// title, body, state, labels and assignees (each replacing the issue's).
// GitHub issues have no due date; it is not sent.
func (c *Client) UpdateFields(ctx context.Context, key string, fields []string, to tracker.IssueFields) (tracker.Issue, error) {
	op := "update " + key
	project, n, ok := forge.ParseKey(key, false)
	if !ok {
		return tracker.Issue{}, invalid(op, errors.New("issue key must be owner/repo#number"))
	}
	owner, repo, _ := forge.SplitProject(project, false)
	var req gh.UpdateIssueRequest
	for _, f := range fields {
		switch f {
		case "title":
			req.Title = gh.Ptr(to.Title)
		case "body":
			req.Body = gh.Ptr(to.Body)
		case "state":
			req.State = gh.Ptr(forge.OpenOrClosed(to.State))
		case "labels":
			req.Labels = forge.NonNil(to.Labels)
		case "assignees":
			req.Assignees = forge.NonNil(to.Assignees)
		}
	}
	is, resp, err := c.api.Issues.Update(ctx, owner, repo, int(n), req)
	if err != nil {
		return tracker.Issue{}, classify(ctx, op, resp, err)
	}
	iss := c.issue(project, is, "")
	iss.Fields = fieldsOf(is)
	return iss, nil
}

// fieldsOf are a GitHub issue's canonical fields.
func fieldsOf(is *gh.Issue) *tracker.IssueFields {
	f := &tracker.IssueFields{Title: is.GetTitle(), Body: is.GetBody(), State: forge.OpenOrClosed(is.GetState()),
		Labels: make([]string, 0, len(is.Labels)), Assignees: make([]string, 0, len(is.Assignees))}
	for _, l := range is.Labels {
		f.Labels = append(f.Labels, l.GetName())
	}
	for _, a := range is.Assignees {
		f.Assignees = append(f.Assignees, a.GetLogin())
	}
	return f
}
