package gitea

import (
	"context"
	"errors"
	"slices"
	"time"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

var _ tracker.FieldUpdater = (*Client)(nil)

// UpdateFields replaces the issue's labels with PUT
// /repos/{owner}/{repo}/issues/{index}/labels (by id, creating labels the
// repository lacks) when they change, then edits the rest with PATCH
// /repos/{owner}/{repo}/issues/{index} — title, body, state, assignees,
// due date (unset_due_date clears it) — whose answer is the issue as it
// then stands.
func (c *Client) UpdateFields(ctx context.Context, key string, fields []string, to tracker.IssueFields) (tracker.Issue, error) {
	op := "update " + key
	project, n, ok := forge.ParseKey(key, false)
	if !ok {
		return tracker.Issue{}, invalid(op, errors.New("issue key must be owner/repo#number"))
	}
	owner, repo, _ := forge.SplitProject(project, false)
	api, err := c.api(ctx)
	if err != nil {
		return tracker.Issue{}, invalid(op, err)
	}
	if slices.Contains(fields, "labels") {
		ids, err := c.labelIDs(ctx, api, owner, repo, to.Labels)
		if err != nil {
			return tracker.Issue{}, err
		}
		if _, resp, err := api.ReplaceIssueLabels(owner, repo, n, sdk.IssueLabelsOption{Labels: ids}); err != nil {
			return tracker.Issue{}, classify(ctx, op, resp, err)
		}
	}
	var opt sdk.EditIssueOption
	for _, f := range fields {
		switch f {
		case "title":
			opt.Title = to.Title
		case "body":
			opt.Body = &to.Body
		case "state":
			st := sdk.StateType(forge.OpenOrClosed(to.State))
			opt.State = &st
		case "assignees":
			opt.Assignees = forge.NonNil(to.Assignees)
		case "due_date":
			if d, err := time.Parse(time.DateOnly, to.DueDate); err == nil {
				opt.Deadline = &d
			} else {
				opt.RemoveDeadline = new(true)
			}
		}
	}
	is, resp, err := api.EditIssue(owner, repo, n, opt)
	if err != nil {
		return tracker.Issue{}, classify(ctx, op, resp, err)
	}
	iss := c.issue(project, is, "")
	iss.Fields = fieldsOf(is)
	return iss, nil
}

// fieldsOf are a Gitea issue's canonical fields; the due date is the
// deadline's day in UTC.
func fieldsOf(is *sdk.Issue) *tracker.IssueFields {
	f := &tracker.IssueFields{Title: is.Title, Body: is.Body, State: forge.OpenOrClosed(string(is.State)),
		Labels: make([]string, 0, len(is.Labels)), Assignees: make([]string, 0, len(is.Assignees))}
	for _, l := range is.Labels {
		if l != nil {
			f.Labels = append(f.Labels, l.Name)
		}
	}
	for _, a := range is.Assignees {
		if a != nil {
			f.Assignees = append(f.Assignees, a.UserName)
		}
	}
	if is.Deadline != nil {
		f.DueDate = is.Deadline.UTC().Format(time.DateOnly)
	}
	return f
}
