// Package gitea is the tracker.Provider of Gitea (and Forgejo), on the
// Gitea SDK with the shared outbound client (httpx): issues are created
// with the idempotency marker as a label (Gitea sets labels by id, so the
// repository's labels are created first when missing), found again by
// listing the repository's issues with that label, read one by one for
// status, and commented. Failures are *httpx.Error with Upstream "gitea".
//
// The SDK takes its context per client, not per call, so each call gets a
// light client of its own over the one shared *http.Client; the server
// version is not probed (the endpoints used exist since Gitea 1.12).
package gitea

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

// upstream names Gitea in errors, metrics and logs.
const upstream = "gitea"

// labelColor is the color of the labels VendorSync creates.
const labelColor = "#5319e7"

// Config is one connection to Gitea.
type Config struct {
	// BaseURL is the Gitea's root (with its sub-path); /api/v1 is added.
	BaseURL string
	// Token is an access token with the issue scope (write:issue) and
	// read:user.
	Token string
	forge.Options
}

// Client talks to one Gitea. Safe for concurrent use.
type Client struct {
	base  string
	token string
	http  *http.Client
}

var _ tracker.Provider = (*Client)(nil)

// New builds the client of cfg; no request is made.
func New(cfg Config) (*Client, error) {
	if msg := tracker.BaseURLProblem(cfg.BaseURL); msg != "" {
		return nil, fmt.Errorf("gitea.New: base URL %s", msg)
	}
	if cfg.Token == "" {
		return nil, errors.New("gitea.New: token is required")
	}
	base := strings.TrimSuffix(strings.TrimRight(cfg.BaseURL, "/"), "/api/v1")
	return &Client{base: base, token: cfg.Token, http: cfg.Client(upstream, base)}, nil
}

// String names the site.
func (c *Client) String() string { return "gitea.Client(" + c.base + ")" }

// api is an SDK client for one call.
func (c *Client) api(ctx context.Context) (*sdk.Client, error) {
	api, err := sdk.NewClient(c.base, sdk.SetHTTPClient(c.http), sdk.SetToken(c.token), sdk.SetContext(ctx),
		sdk.SetGiteaVersion(""), sdk.SetUserAgent("VendorSync"))
	if err != nil {
		return nil, fmt.Errorf("gitea client: %w", err)
	}
	return api, nil
}

// CreateIssue opens the issue with POST /repos/{owner}/{repo}/issues:
// Markdown body, labels by id with the marker label, the due date and the
// assignee. A failed create is not retried here (use tracker.CreateOnce).
func (c *Client) CreateIssue(ctx context.Context, spec tracker.IssueSpec) (tracker.Issue, error) {
	op := "create issue in " + spec.ProjectKey
	if err := forge.Validate(spec, false); err != nil {
		return tracker.Issue{}, invalid(op, err)
	}
	owner, repo, _ := forge.SplitProject(spec.ProjectKey, false)
	api, err := c.api(ctx)
	if err != nil {
		return tracker.Issue{}, invalid(op, err)
	}
	ids, err := c.labelIDs(ctx, api, owner, repo, forge.Labels(spec))
	if err != nil {
		return tracker.Issue{}, err
	}
	opt := sdk.CreateIssueOption{Title: strings.TrimSpace(spec.Summary), Body: spec.Description.Markdown(), Labels: ids}
	if a := strings.TrimSpace(spec.Assignee); a != "" {
		opt.Assignees = []string{a}
	}
	if !spec.DueDate.IsZero() {
		if d, err := time.Parse(time.DateOnly, spec.DueDate.String()); err == nil {
			opt.Deadline = &d
		}
	}
	is, resp, err := api.CreateIssue(owner, repo, opt)
	if err != nil {
		return tracker.Issue{}, classify(ctx, op, resp, err)
	}
	return c.issue(owner+"/"+repo, is, tracker.Unknown), nil
}

// labelIDs returns the ids of the repository's labels named names,
// creating those it lacks. Two workers creating the same label at once
// both succeed or one fails and the list is read again.
func (c *Client) labelIDs(ctx context.Context, api *sdk.Client, owner, repo string, names []string) ([]int64, error) {
	have, err := c.labels(ctx, api, owner, repo)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(names))
	for _, n := range names {
		if id, ok := have[strings.ToLower(n)]; ok {
			ids = append(ids, id)
			continue
		}
		l, resp, err := api.CreateLabel(owner, repo, sdk.CreateLabelOption{Name: n, Color: labelColor,
			Description: "Set by VendorSync"})
		if err != nil {
			if have, rerr := c.labels(ctx, api, owner, repo); rerr == nil {
				if id, ok := have[strings.ToLower(n)]; ok {
					ids = append(ids, id) // created meanwhile by another attempt
					continue
				}
			}
			return nil, classify(ctx, "create label "+n+" in "+owner+"/"+repo, resp, err)
		}
		ids = append(ids, l.ID)
	}
	return ids, nil
}

// labels reads every label of the repository by lower-cased name.
func (c *Client) labels(ctx context.Context, api *sdk.Client, owner, repo string) (map[string]int64, error) {
	out := map[string]int64{}
	opt := sdk.ListLabelsOptions{ListOptions: sdk.ListOptions{Page: 1, PageSize: 50}}
	for {
		list, resp, err := api.ListRepoLabels(owner, repo, opt)
		if err != nil {
			return nil, classify(ctx, "list labels of "+owner+"/"+repo, resp, err)
		}
		for _, l := range list {
			out[strings.ToLower(l.Name)] = l.ID
		}
		if resp == nil || resp.NextPage == 0 || len(list) == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// FindByIdempotencyKey lists the repository's issues (open and closed)
// filtered by the key's marker label and returns the oldest that does
// carry it: Gitea drops a filter label the repository does not have and
// then lists every issue, so each one is checked.
func (c *Client) FindByIdempotencyKey(ctx context.Context, project, key string) (tracker.Issue, bool, error) {
	op := "find issue by idempotency key in " + project
	owner, repo, ok := forge.SplitProject(project, false)
	if !ok {
		return tracker.Issue{}, false, invalid(op, errors.New("repository must be owner/name"))
	}
	api, err := c.api(ctx)
	if err != nil {
		return tracker.Issue{}, false, invalid(op, err)
	}
	marker := forge.MarkerLabel(key)
	opt := sdk.ListIssueOption{ListOptions: sdk.ListOptions{Page: 1, PageSize: 50}, State: sdk.StateAll,
		Type: sdk.IssueTypeIssue, Labels: []string{marker}}
	var oldest *sdk.Issue
	for {
		list, resp, err := api.ListRepoIssues(owner, repo, opt)
		if err != nil {
			return tracker.Issue{}, false, classify(ctx, op, resp, err)
		}
		for _, is := range list {
			if hasLabel(is, marker) && (oldest == nil || is.Index < oldest.Index) {
				oldest = is
			}
		}
		if resp == nil || resp.NextPage == 0 || len(list) == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if oldest == nil {
		return tracker.Issue{}, false, nil
	}
	return c.issue(owner+"/"+repo, oldest, ""), true, nil
}

func hasLabel(is *sdk.Issue, name string) bool {
	return slices.ContainsFunc(is.Labels, func(l *sdk.Label) bool { return l != nil && strings.EqualFold(l.Name, name) })
}

// Search reads each issue with GET /repos/{owner}/{repo}/issues/{index}.
func (c *Client) Search(ctx context.Context, keys []string) ([]tracker.Issue, error) {
	return forge.Search(ctx, keys, c.get)
}

func (c *Client) get(ctx context.Context, key string) (tracker.Issue, bool, error) {
	project, n, ok := forge.ParseKey(key, false)
	if !ok {
		return tracker.Issue{}, false, nil
	}
	owner, repo, _ := forge.SplitProject(project, false)
	api, err := c.api(ctx)
	if err != nil {
		return tracker.Issue{}, false, invalid("read issue "+key, err)
	}
	is, resp, err := api.GetIssue(owner, repo, n)
	if err != nil {
		err = classify(ctx, "read issue "+key, resp, err)
		if httpx.KindOf(err) == httpx.NotFound {
			return tracker.Issue{}, false, nil
		}
		return tracker.Issue{}, false, err
	}
	if is.PullRequest != nil {
		return tracker.Issue{}, false, nil
	}
	iss := c.issue(project, is, "")
	iss.Fields = fieldsOf(is)
	return iss, true, nil
}

// Comment adds a Markdown comment to the issue.
func (c *Client) Comment(ctx context.Context, key string, body tracker.Document) error {
	op := "comment on " + key
	project, n, ok := forge.ParseKey(key, false)
	if !ok {
		return invalid(op, errors.New("issue key must be owner/repo#number"))
	}
	owner, repo, _ := forge.SplitProject(project, false)
	api, err := c.api(ctx)
	if err != nil {
		return invalid(op, err)
	}
	_, resp, err := api.CreateIssueComment(owner, repo, n, sdk.CreateIssueCommentOption{Body: body.Markdown()})
	if err != nil {
		return classify(ctx, op, resp, err)
	}
	return nil
}

// Test reads the account the token acts as (GET /user).
func (c *Client) Test(ctx context.Context) (string, error) {
	api, err := c.api(ctx)
	if err != nil {
		return "", invalid("read the account", err)
	}
	u, resp, err := api.GetMyUserInfo()
	if err != nil {
		return "", classify(ctx, "read the account", resp, err)
	}
	return u.UserName, nil
}

// issue is the tracker's view of a Gitea issue; cat overrides the category
// read from its state when not empty.
func (c *Client) issue(project string, is *sdk.Issue, cat tracker.StatusCategory) tracker.Issue {
	labels := make([]string, 0, len(is.Labels))
	for _, l := range is.Labels {
		if l != nil {
			labels = append(labels, l.Name)
		}
	}
	name, category := forge.Status(string(is.State), "", labels)
	if cat != "" {
		name, category = "", cat
	}
	return tracker.Issue{Key: forge.Key(project, is.Index), URL: is.HTMLURL, StatusName: name,
		StatusCategory: category, Updated: is.Updated}
}

// classify maps an SDK failure into the taxonomy; the SDK's error text is
// Gitea's message.
func classify(ctx context.Context, op string, resp *sdk.Response, err error) error {
	var hr *http.Response
	if resp != nil {
		hr = resp.Response
	}
	msg := ""
	if hr != nil && err != nil {
		msg = err.Error()
	}
	return forge.Classify(ctx, upstream, op, hr, err, msg)
}

// invalid is a request refused before it was sent.
func invalid(op string, err error) error {
	msg := err.Error()
	var he *httpx.Error
	if errors.As(err, &he) {
		msg = he.Message
	}
	return &httpx.Error{Upstream: upstream, Op: op, Kind: httpx.BadRequest, Message: msg}
}

// HasComment reports whether a comment on the issue contains marker,
// reading its comments 50 at a time (Gitea's usual page limit; at most
// forge.MaxCommentPages pages).
func (c *Client) HasComment(ctx context.Context, key, marker string) (bool, error) {
	op := "read comments of " + key
	project, n, ok := forge.ParseKey(key, false)
	if !ok {
		return false, invalid(op, errors.New("issue key must be owner/repo#number"))
	}
	owner, repo, _ := forge.SplitProject(project, false)
	api, err := c.api(ctx)
	if err != nil {
		return false, invalid(op, err)
	}
	opts := sdk.ListIssueCommentOptions{ListOptions: sdk.ListOptions{Page: 1, PageSize: 50}}
	for range forge.MaxCommentPages {
		cs, resp, err := api.ListIssueComments(owner, repo, n, opts)
		if err != nil {
			return false, classify(ctx, op, resp, err)
		}
		for _, cm := range cs {
			if strings.Contains(cm.Body, marker) {
				return true, nil
			}
		}
		if resp == nil || resp.NextPage == 0 || len(cs) == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return false, nil
}
