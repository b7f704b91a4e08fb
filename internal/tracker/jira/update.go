package jira

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

var _ tracker.FieldUpdater = (*Client)(nil)

// UpdateFields edits the issue with PUT /rest/api/3/issue/{key} (Cloud) or
// /rest/api/2/issue/{key} (Server): summary, labels (normalised as on
// create), duedate (null clears it), assignee (the first of to's, resolved
// with ResolveAssignee: by accountId on Cloud, by name on Server; null
// unassigns) and, when the body is among fields, description (on Cloud a
// paragraph of ADF, on Server the wiki text as the mirror holds it). A
// state change goes through the issue's workflow: GET …/transitions, then
// POST …/transitions with one whose target status is in the done category
// (closed) or in to-do, else in-progress (open), unless the issue is
// already in one; a workflow with no such transition is a permanent error.
// It returns the issue read back with GET /issue/{key}.
func (c *Client) UpdateFields(ctx context.Context, key string, fields []string, to tracker.IssueFields) (tracker.Issue, error) {
	op := "update " + key
	if strings.TrimSpace(key) == "" {
		return tracker.Issue{}, c.fail(op, httpx.BadRequest, 0, "issue key is required", nil)
	}
	path := "/issue/" + url.PathEscape(key)
	edit := map[string]any{}
	for _, f := range fields {
		switch f {
		case "title":
			edit["summary"] = strings.TrimSpace(to.Title)
		case "body":
			edit["description"] = c.description(to.Body)
		case "labels":
			edit["labels"] = append([]string{}, NormalizeLabels(to.Labels)...)
		case "due_date":
			edit["duedate"] = nil
			if to.DueDate != "" {
				edit["duedate"] = to.DueDate
			}
		case "assignees":
			edit["assignee"] = nil
			if len(to.Assignees) > 0 && strings.TrimSpace(to.Assignees[0]) != "" {
				who, err := c.ResolveAssignee(ctx, to.Assignees[0])
				if err != nil {
					return tracker.Issue{}, err
				}
				edit["assignee"] = c.userRef(who)
			}
		}
	}
	if len(edit) > 0 {
		if err := c.call(ctx, op, http.MethodPut, path, map[string]any{"fields": edit}, nil); err != nil {
			return tracker.Issue{}, err
		}
	}
	if slices.Contains(fields, "state") {
		if err := c.transition(ctx, op, key, to.State == "closed"); err != nil {
			return tracker.Issue{}, err
		}
	}
	return c.readBack(ctx, op, key)
}

// description is the flavor's description of a body: null for none, a
// paragraph of ADF on Cloud, the wiki text itself on Server.
func (c *Client) description(body string) any {
	switch {
	case strings.TrimSpace(body) == "":
		return nil
	case c.flavor == Cloud:
		return toADF(tracker.Document{Paragraphs: []tracker.Paragraph{{Text: body}}})
	}
	return body
}

// userRef is how the flavor names a user in a field: by accountId on
// Cloud, by name on Server.
func (c *Client) userRef(who string) map[string]string {
	if c.flavor == Cloud {
		return map[string]string{"accountId": who}
	}
	return map[string]string{"name": who}
}

// transitionList is Jira's answer to GET /issue/{key}/transitions.
type transitionList struct {
	Transitions []struct {
		ID string `json:"id"`
		To struct {
			Name     string `json:"name"`
			Category struct {
				Key string `json:"key"`
			} `json:"statusCategory"`
		} `json:"to"`
	} `json:"transitions"`
}

// transition moves the issue to a done status (closed) or back to a to-do,
// else an in-progress, one; an issue already in such a status is left.
func (c *Client) transition(ctx context.Context, op, key string, closed bool) error {
	want := []tracker.StatusCategory{tracker.ToDo, tracker.InProgress}
	verb := "reopen"
	if closed {
		want, verb = []tracker.StatusCategory{tracker.Done}, "close"
	}
	iss, err := c.readBack(ctx, op, key)
	if err != nil || slices.Contains(want, iss.StatusCategory) {
		return err
	}
	path := "/issue/" + url.PathEscape(key) + "/transitions"
	var list transitionList
	if err := c.call(ctx, op, http.MethodGet, path, nil, &list); err != nil {
		return err
	}
	for _, cat := range want {
		for _, t := range list.Transitions {
			if Category(t.To.Category.Key) == cat {
				return c.call(ctx, op, http.MethodPost, path, map[string]any{"transition": map[string]string{"id": t.ID}}, nil)
			}
		}
	}
	return c.fail(op, httpx.BadRequest, 0, "no transition of "+key+"'s workflow from "+iss.StatusName+" can "+verb+
		" it: an admin must add one in Jira or change the issue there", nil)
}

// readBack reads the issue's canonical fields with GET /issue/{key}.
func (c *Client) readBack(ctx context.Context, op, key string) (tracker.Issue, error) {
	var is issueFields
	path := "/issue/" + url.PathEscape(key) + "?fields=" + strings.Join(pollFields, ",")
	if err := c.call(ctx, op, http.MethodGet, path, nil, &is); err != nil {
		return tracker.Issue{}, err
	}
	if is.Key == "" || is.Fields.Status == nil {
		return tracker.Issue{}, c.fail(op, httpx.Transient, http.StatusOK, "Jira answered without the issue's status", nil)
	}
	iss := is.issue()
	iss.URL = c.browseURL(iss.Key)
	return iss, nil
}
