package github

import (
	"context"
	"errors"

	gh "github.com/google/go-github/v92/github"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

var _ tracker.HookRegistrar = (*Client)(nil)

// hookEvents are the events VendorSync's webhook subscribes to.
var hookEvents = []string{"issues", "issue_comment"}

// RegisterHook lists the repository's hooks (GET /repos/{owner}/{repo}/hooks)
// and edits the one whose config.url is url (PATCH …/hooks/{id}), or
// creates one (POST …/hooks) with config.secret, content_type json and the
// issues and issue_comment events. GitHub answers 404 when the token may
// not manage the repository's hooks (admin:repo_hook scope, or
// "Webhooks: write" for a fine-grained token).
func (c *Client) RegisterHook(ctx context.Context, project, url, secret string) (bool, error) {
	op := "register webhook in " + project
	owner, repo, ok := forge.SplitProject(project, false)
	if !ok {
		return false, invalid(op, errors.New("repository must be owner/name"))
	}
	hook := &gh.Hook{Name: gh.Ptr("web"), Active: gh.Ptr(true), Events: hookEvents,
		Config: &gh.HookConfig{URL: gh.Ptr(url), ContentType: gh.Ptr("json"), Secret: gh.Ptr(secret), InsecureSSL: gh.Ptr("0")}}
	opt := &gh.ListOptions{PerPage: 100}
	for {
		hooks, resp, err := c.api.Repositories.ListHooks(ctx, owner, repo, opt)
		if err != nil {
			return false, classify(ctx, op, resp, err)
		}
		for _, h := range hooks {
			if h.GetConfig().GetURL() == url {
				hook.Name = nil // not editable
				if _, resp, err := c.api.Repositories.EditHook(ctx, owner, repo, h.GetID(), hook); err != nil {
					return false, classify(ctx, op, resp, err)
				}
				return false, nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if _, resp, err := c.api.Repositories.CreateHook(ctx, owner, repo, hook); err != nil {
		return false, classify(ctx, op, resp, err)
	}
	return true, nil
}
