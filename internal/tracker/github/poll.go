package github

import (
	"context"
	"errors"
	"strconv"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

var _ tracker.ChangeLister = (*Client)(nil)

// ListChanged reads one page of GET /repos/{owner}/{repo}/issues with
// state=all, since (ISO 8601, "only issues updated at or after this time"),
// sort=updated, direction=asc and per_page=100, following the Link
// header's next page. Pull requests, which the endpoint also lists, are
// left out. A spent primary budget (X-RateLimit-Remaining: 0) on a page
// that did come is the wait until X-RateLimit-Reset.
func (c *Client) ListChanged(ctx context.Context, project string, since time.Time, page string) (tracker.ChangePage, error) {
	op := "list issues changed in " + project
	owner, repo, ok := forge.SplitProject(project, false)
	if !ok {
		return tracker.ChangePage{}, invalid(op, errors.New("repository must be owner/name"))
	}
	n, err := forge.PageNumber(page)
	if err != nil {
		return tracker.ChangePage{}, invalid(op, err)
	}
	opt := &gh.IssueListByRepoOptions{State: "all", Since: since.UTC(), Sort: "updated", Direction: "asc",
		ListOptions: gh.ListOptions{PerPage: 100, Page: n}}
	list, resp, err := c.api.Issues.ListByRepo(ctx, owner, repo, opt)
	if err != nil {
		return tracker.ChangePage{}, classify(ctx, op, resp, err)
	}
	out := tracker.ChangePage{Ordered: true, Wait: tracker.BudgetWait(resp.Header, "X-Ratelimit-", time.Now())}
	if resp.NextPage > 0 {
		out.Next = strconv.Itoa(resp.NextPage)
	}
	for _, is := range list {
		if is.IsPullRequest() {
			continue
		}
		iss := c.issue(owner+"/"+repo, is, "")
		iss.Fields = fieldsOf(is)
		out.Issues = append(out.Issues, iss)
	}
	return out, nil
}
