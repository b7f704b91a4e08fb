package jira

import (
	"context"
	"net/http"
	"strings"
	"unicode"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// maxLabel is the longest label Jira accepts.
const maxLabel = 255

// createResponse is Jira's answer to POST /issue.
type createResponse struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// CreateIssue creates one issue with POST /rest/api/3/issue (ADF
// description, assignee by accountId) or /rest/api/2/issue (wiki markup,
// assignee by name), the assignee resolved first (ResolveAssignee). Labels are normalised as Jira requires: whitespace
// becomes "-", empty and duplicate labels are dropped, and the idempotency
// label is added. A 5xx or timeout is not retried here: the issue may exist
// (use tracker.CreateOnce). The returned issue has StatusCategory Unknown
// until the next Search.
func (c *Client) CreateIssue(ctx context.Context, spec tracker.IssueSpec) (tracker.Issue, error) {
	op := "create issue in " + spec.ProjectKey
	if err := spec.Validate(); err != nil {
		return tracker.Issue{}, c.invalid(op, err)
	}
	if !ValidProjectKey(spec.ProjectKey) {
		return tracker.Issue{}, c.fail(op, httpx.BadRequest, 0, "project key must be upper-case letters, digits or _", nil)
	}
	assignee, err := c.ResolveAssignee(ctx, spec.Assignee)
	if err != nil {
		return tracker.Issue{}, err
	}
	spec.Assignee = assignee
	var out createResponse
	if err := c.call(ctx, op, http.MethodPost, "/issue", map[string]any{"fields": c.createFields(spec)}, &out); err != nil {
		return tracker.Issue{}, err
	}
	if out.Key == "" {
		return tracker.Issue{}, c.fail(op, httpx.Transient, http.StatusCreated, "Jira answered without an issue key", nil)
	}
	return tracker.Issue{Key: out.Key, URL: c.browseURL(out.Key), StatusCategory: tracker.Unknown}, nil
}

// createFields builds the "fields" object of a create request.
func (c *Client) createFields(spec tracker.IssueSpec) map[string]any {
	fields := map[string]any{
		"project":   map[string]string{"key": spec.ProjectKey},
		"issuetype": map[string]string{"name": strings.TrimSpace(spec.IssueType)},
		"summary":   strings.TrimSpace(spec.Summary),
	}
	if !spec.Description.IsEmpty() {
		fields["description"] = c.render(spec.Description)
	}
	if !spec.DueDate.IsZero() {
		fields["duedate"] = spec.DueDate.String()
	}
	if a := strings.TrimSpace(spec.Assignee); a != "" {
		fields["assignee"] = c.userRef(a)
	}
	labels := spec.Labels
	if spec.IdempotencyKey != "" {
		labels = append(append([]string(nil), labels...), tracker.IdempotencyLabel(spec.IdempotencyKey))
	}
	if l := NormalizeLabels(labels); len(l) > 0 {
		fields["labels"] = l
	}
	return fields
}

// render turns a document into the flavor's description or comment body.
func (c *Client) render(d tracker.Document) any {
	if c.flavor == Cloud {
		return toADF(d)
	}
	return toWiki(d)
}

// NormalizeLabels makes labels acceptable to Jira: whitespace runs become
// "-", each label is cut to 255 characters, and empty and duplicate labels
// are dropped. Order is kept.
func NormalizeLabels(labels []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range labels {
		l = strings.Join(strings.FieldsFunc(l, unicode.IsSpace), "-")
		if r := []rune(l); len(r) > maxLabel {
			l = string(r[:maxLabel])
		}
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}

// FindByIdempotencyKey searches project for the issue carrying
// tracker.IdempotencyLabel(key), oldest first:
// project = "PAY" AND labels = "vsid-…" ORDER BY created ASC.
func (c *Client) FindByIdempotencyKey(ctx context.Context, project, key string) (tracker.Issue, bool, error) {
	op := "find issue by idempotency key in " + project
	switch {
	case !ValidProjectKey(project):
		return tracker.Issue{}, false, c.fail(op, httpx.BadRequest, 0, "project key must be upper-case letters, digits or _", nil)
	case !tracker.ValidIdempotencyKey(key):
		return tracker.Issue{}, false, c.fail(op, httpx.BadRequest, 0, "malformed idempotency key", nil)
	}
	issues, err := c.searchJQL(ctx, op, labelJQL(project, tracker.IdempotencyLabel(key)), 1)
	if err != nil || len(issues) == 0 {
		return tracker.Issue{}, false, err
	}
	return issues[0], true, nil
}

// maxDuplicates bounds the issues FindAllByIdempotencyKey lists.
const maxDuplicates = 20

// FindAllByIdempotencyKey lists the issues of project carrying the key's
// label, oldest first (at most 20): more than one means an issue was
// created twice.
func (c *Client) FindAllByIdempotencyKey(ctx context.Context, project, key string) ([]tracker.Issue, error) {
	op := "list issues by idempotency key in " + project
	switch {
	case !ValidProjectKey(project):
		return nil, c.fail(op, httpx.BadRequest, 0, "project key must be upper-case letters, digits or _", nil)
	case !tracker.ValidIdempotencyKey(key):
		return nil, c.fail(op, httpx.BadRequest, 0, "malformed idempotency key", nil)
	}
	return c.searchJQL(ctx, op, labelJQL(project, tracker.IdempotencyLabel(key)), maxDuplicates)
}
