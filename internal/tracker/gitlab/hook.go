package gitlab

import (
	"context"
	"errors"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

var _ tracker.HookRegistrar = (*Client)(nil)

// RegisterHook lists the project's hooks (GET /projects/:id/hooks) and
// edits the one whose url is url (PUT /projects/:id/hooks/:hook_id), or
// adds one (POST /projects/:id/hooks) with the secret as its token and
// issue and note (comment) events only. GitLab answers 403 to an account
// below Maintainer.
func (c *Client) RegisterHook(ctx context.Context, project, url, secret string) (bool, error) {
	op := "register webhook in " + project
	if _, _, ok := forge.SplitProject(project, true); !ok {
		return false, invalid(op, errors.New("project must be its path, group/name"))
	}
	project = strings.Trim(strings.TrimSpace(project), "/")
	opt := &gl.ListProjectHooksOptions{ListOptions: gl.ListOptions{PerPage: 100}}
	for {
		hooks, resp, err := c.api.Projects.ListProjectHooks(project, opt, gl.WithContext(ctx))
		if err != nil {
			return false, classify(ctx, op, resp, err)
		}
		for _, h := range hooks {
			if h.URL == url {
				edit := &gl.EditProjectHookOptions{URL: gl.Ptr(url), Token: gl.Ptr(secret), IssuesEvents: gl.Ptr(true),
					NoteEvents: gl.Ptr(true), PushEvents: gl.Ptr(false), EnableSSLVerification: gl.Ptr(true)}
				if _, resp, err := c.api.Projects.EditProjectHook(project, h.ID, edit, gl.WithContext(ctx)); err != nil {
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
	add := &gl.AddProjectHookOptions{Name: gl.Ptr("VendorSync"), URL: gl.Ptr(url), Token: gl.Ptr(secret),
		IssuesEvents: gl.Ptr(true), NoteEvents: gl.Ptr(true), PushEvents: gl.Ptr(false), EnableSSLVerification: gl.Ptr(true)}
	if _, resp, err := c.api.Projects.AddProjectHook(project, add, gl.WithContext(ctx)); err != nil {
		return false, classify(ctx, op, resp, err)
	}
	return true, nil
}
