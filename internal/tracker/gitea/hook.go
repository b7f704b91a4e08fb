package gitea

import (
	"context"
	"errors"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

var _ tracker.HookRegistrar = (*Client)(nil)

// hookEvents are the events VendorSync's webhook subscribes to: Gitea
// sends label and assignee changes as events of their own.
var hookEvents = []string{"issues", "issue_assign", "issue_label", "issue_comment"}

// RegisterHook lists the repository's hooks (GET /repos/{owner}/{repo}/hooks)
// and edits the one whose config.url is url (PATCH …/hooks/{id}), or
// creates one (POST …/hooks) of type gitea with content_type json and the
// secret. Gitea answers 403 to an account without admin rights on the
// repository. Gitea delivers to loopback and private addresses only when
// its [webhook] ALLOWED_HOST_LIST allows them.
func (c *Client) RegisterHook(ctx context.Context, project, url, secret string) (bool, error) {
	op := "register webhook in " + project
	owner, repo, ok := forge.SplitProject(project, false)
	if !ok {
		return false, invalid(op, errors.New("repository must be owner/name"))
	}
	api, err := c.api(ctx)
	if err != nil {
		return false, invalid(op, err)
	}
	config := map[string]string{"url": url, "content_type": "json", "secret": secret}
	for page := 1; ; page++ {
		hooks, resp, err := api.ListRepoHooks(owner, repo, sdk.ListHooksOptions{ListOptions: sdk.ListOptions{Page: page, PageSize: 50}})
		if err != nil {
			return false, classify(ctx, op, resp, err)
		}
		for _, h := range hooks {
			if h.Config["url"] == url {
				active := true
				resp, err := api.EditRepoHook(owner, repo, h.ID, sdk.EditHookOption{Config: config, Events: hookEvents, Active: &active})
				if err != nil {
					return false, classify(ctx, op, resp, err)
				}
				return false, nil
			}
		}
		if resp == nil || resp.NextPage == 0 || len(hooks) == 0 {
			break
		}
	}
	_, resp, err := api.CreateRepoHook(owner, repo, sdk.CreateHookOption{Type: sdk.HookTypeGitea, Config: config,
		Events: hookEvents, Active: true})
	if err != nil {
		return false, classify(ctx, op, resp, err)
	}
	return true, nil
}
