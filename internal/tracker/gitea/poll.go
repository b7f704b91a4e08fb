package gitea

import (
	"context"
	"errors"
	"strconv"
	"time"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

var _ tracker.ChangeLister = (*Client)(nil)

// ListChanged reads one page of GET /repos/{owner}/{repo}/issues with
// state=all, type=issues, since ("only show items updated after the given
// time", RFC 3339) and limit=50 (Gitea's usual maximum page), following
// the Link header. Gitea offers no order by update, so the listing is
// not Ordered.
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
	api, err := c.api(ctx)
	if err != nil {
		return tracker.ChangePage{}, invalid(op, err)
	}
	opt := sdk.ListIssueOption{ListOptions: sdk.ListOptions{Page: n, PageSize: 50}, State: sdk.StateAll,
		Type: sdk.IssueTypeIssue, Since: since.UTC()}
	list, resp, err := api.ListRepoIssues(owner, repo, opt)
	if err != nil {
		return tracker.ChangePage{}, classify(ctx, op, resp, err)
	}
	var out tracker.ChangePage
	if resp != nil && resp.NextPage > 0 && len(list) > 0 {
		out.Next = strconv.Itoa(resp.NextPage)
	}
	for _, is := range list {
		if is.PullRequest != nil {
			continue
		}
		iss := c.issue(owner+"/"+repo, is, "")
		iss.Fields = fieldsOf(is)
		out.Issues = append(out.Issues, iss)
	}
	return out, nil
}
