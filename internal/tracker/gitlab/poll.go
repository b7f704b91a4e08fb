package gitlab

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

var _ tracker.ChangeLister = (*Client)(nil)

// ListChanged reads one page of GET /projects/:id/issues with
// updated_after (ISO 8601, "updated on or after"), scope all,
// order_by=updated_at, sort=asc and per_page=100, following X-Next-Page.
// A spent budget (RateLimit-Remaining: 0) on a page that did come is the
// wait until RateLimit-Reset.
func (c *Client) ListChanged(ctx context.Context, project string, since time.Time, page string) (tracker.ChangePage, error) {
	op := "list issues changed in " + project
	if _, _, ok := forge.SplitProject(project, true); !ok {
		return tracker.ChangePage{}, invalid(op, errors.New("project must be its path, group/name"))
	}
	project = strings.Trim(strings.TrimSpace(project), "/")
	n, err := forge.PageNumber(page)
	if err != nil {
		return tracker.ChangePage{}, invalid(op, err)
	}
	opt := &gl.ListProjectIssuesOptions{UpdatedAfter: gl.Ptr(since.UTC()), State: gl.Ptr("all"),
		OrderBy: gl.Ptr("updated_at"), Sort: gl.Ptr("asc"), ListOptions: gl.ListOptions{PerPage: 100, Page: int64(n)}}
	list, resp, err := c.api.Issues.ListProjectIssues(project, opt, gl.WithContext(ctx))
	if err != nil {
		return tracker.ChangePage{}, classify(ctx, op, resp, err)
	}
	out := tracker.ChangePage{Ordered: true, Wait: tracker.BudgetWait(resp.Header, "Ratelimit-", time.Now())}
	if resp.NextPage > 0 {
		out.Next = strconv.FormatInt(int64(resp.NextPage), 10)
	}
	for _, is := range list {
		iss := c.issue(project, is, "")
		iss.Fields = fieldsOf(is)
		out.Issues = append(out.Issues, iss)
	}
	return out, nil
}
