package gitlab

import (
	"context"
	"errors"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

var _ tracker.FieldUpdater = (*Client)(nil)

// UpdateFields edits the issue with PUT /projects/{id}/issues/{iid}:
// title, description, state_event (close or reopen), labels (replacing
// them), assignee_ids (usernames looked up; an unknown one is left out, as
// at creation) and due_date (reset to null to clear it).
func (c *Client) UpdateFields(ctx context.Context, key string, fields []string, to tracker.IssueFields) (tracker.Issue, error) {
	op := "update " + key
	project, n, ok := forge.ParseKey(key, true)
	if !ok {
		return tracker.Issue{}, invalid(op, errors.New("issue key must be group/project#iid"))
	}
	opt := &gl.UpdateIssueOptions{}
	for _, f := range fields {
		switch f {
		case "title":
			opt.Title = gl.Ptr(to.Title)
		case "body":
			opt.Description = gl.Ptr(to.Body)
		case "state":
			ev := "reopen"
			if forge.OpenOrClosed(to.State) == "closed" {
				ev = "close"
			}
			opt.StateEvent = &ev
		case "labels":
			l := gl.LabelOptions(forge.NonNil(to.Labels))
			opt.Labels = &l
		case "assignees":
			ids := []int64{}
			for _, a := range to.Assignees {
				id, ok, err := c.userID(ctx, a)
				if err != nil {
					return tracker.Issue{}, err
				}
				if ok {
					ids = append(ids, id)
				}
			}
			opt.AssigneeIDs = &ids
		case "due_date":
			if d, err := time.Parse(time.DateOnly, to.DueDate); err == nil {
				due := gl.ISOTime(d)
				opt.DueDate = &due
			} else {
				opt.ResetDueDate = true
			}
		}
	}
	is, resp, err := c.api.Issues.UpdateIssue(project, n, opt, gl.WithContext(ctx))
	if err != nil {
		return tracker.Issue{}, classify(ctx, op, resp, err)
	}
	iss := c.issue(project, is, "")
	iss.Fields = fieldsOf(is)
	return iss, nil
}

// fieldsOf are a GitLab issue's canonical fields.
func fieldsOf(is *gl.Issue) *tracker.IssueFields {
	f := &tracker.IssueFields{Title: is.Title, Body: is.Description, State: forge.OpenOrClosed(is.State),
		Labels: append([]string{}, is.Labels...), Assignees: make([]string, 0, len(is.Assignees))}
	for _, a := range is.Assignees {
		f.Assignees = append(f.Assignees, a.Username)
	}
	if is.DueDate != nil {
		f.DueDate = time.Time(*is.DueDate).Format(time.DateOnly)
	}
	return f
}
