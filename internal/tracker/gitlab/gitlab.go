// Package gitlab is the tracker.Provider of GitLab (gitlab.com and
// self-managed), on GitLab's client-go with the shared outbound client
// (httpx): issues are created in a project by its path with the
// idempotency marker as a label, found again by listing the project's
// issues with that label, read one by one for status, and commented
// (notes). Failures are *httpx.Error with Upstream "gitlab"; a 429 carries
// the Retry-After GitLab sends. The SDK's own retries and rate limiter are
// off: pacing and retries are the shared client's, waits the job's.
package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
	"golang.org/x/time/rate"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

// upstream names GitLab in errors, metrics and logs.
const upstream = "gitlab"

// Config is one connection to GitLab.
type Config struct {
	// BaseURL is https://gitlab.com or a self-managed GitLab's root (with
	// its relative URL root); /api/v4 is added.
	BaseURL string
	// Token is a personal, project or group access token.
	Token string
	forge.Options
}

// Client talks to one GitLab. Safe for concurrent use.
type Client struct {
	api  *gl.Client
	base string
}

var _ tracker.Provider = (*Client)(nil)

// New builds the client of cfg; no request is made.
func New(cfg Config) (*Client, error) {
	if msg := tracker.BaseURLProblem(cfg.BaseURL); msg != "" {
		return nil, fmt.Errorf("gitlab.New: base URL %s", msg)
	}
	if cfg.Token == "" {
		return nil, errors.New("gitlab.New: token is required")
	}
	base := strings.TrimSuffix(strings.TrimRight(cfg.BaseURL, "/"), "/api/v4")
	api, err := gl.NewClient(cfg.Token, gl.WithBaseURL(base+"/api/v4"), gl.WithHTTPClient(cfg.Client(upstream, base)),
		gl.WithoutRetries(), gl.WithCustomLimiter(rate.NewLimiter(rate.Inf, 0)), gl.WithUserAgent("VendorSync"))
	if err != nil {
		return nil, fmt.Errorf("gitlab.New: %w", err)
	}
	return &Client{api: api, base: base}, nil
}

// String names the site.
func (c *Client) String() string { return "gitlab.Client(" + c.base + ")" }

// CreateIssue opens the issue with POST /projects/:id/issues: Markdown
// description, labels (created by GitLab when new) with the marker label,
// the due date, and the assignee when a user of that username exists
// (GitLab assigns by id; an unknown username leaves the issue unassigned,
// as GitHub does with an assignee it cannot set). A failed create is not
// retried here (use tracker.CreateOnce).
func (c *Client) CreateIssue(ctx context.Context, spec tracker.IssueSpec) (tracker.Issue, error) {
	op := "create issue in " + spec.ProjectKey
	if err := forge.Validate(spec, true); err != nil {
		return tracker.Issue{}, invalid(op, err)
	}
	project := strings.Trim(strings.TrimSpace(spec.ProjectKey), "/")
	labels := gl.LabelOptions(forge.Labels(spec))
	opt := &gl.CreateIssueOptions{Title: gl.Ptr(strings.TrimSpace(spec.Summary)),
		Description: gl.Ptr(spec.Description.Markdown()), Labels: &labels}
	if !spec.DueDate.IsZero() {
		d, err := time.Parse(time.DateOnly, spec.DueDate.String())
		if err == nil {
			due := gl.ISOTime(d)
			opt.DueDate = &due
		}
	}
	if a := strings.TrimSpace(spec.Assignee); a != "" {
		id, ok, err := c.userID(ctx, a)
		if err != nil {
			return tracker.Issue{}, err
		}
		if ok {
			opt.AssigneeIDs = &[]int64{id}
		}
	}
	is, resp, err := c.api.Issues.CreateIssue(project, opt, gl.WithContext(ctx))
	if err != nil {
		return tracker.Issue{}, classify(ctx, op, resp, err)
	}
	return c.issue(project, is, tracker.Unknown), nil
}

// userID looks a username up (GET /users?username=…).
func (c *Client) userID(ctx context.Context, username string) (int64, bool, error) {
	users, resp, err := c.api.Users.ListUsers(&gl.ListUsersOptions{Username: gl.Ptr(username)}, gl.WithContext(ctx))
	if err != nil {
		return 0, false, classify(ctx, "look up user "+username, resp, err)
	}
	for _, u := range users {
		if strings.EqualFold(u.Username, username) {
			return u.ID, true, nil
		}
	}
	return 0, false, nil
}

// FindByIdempotencyKey lists the project's issues (opened and closed)
// carrying the key's marker label, oldest first, and returns the oldest.
func (c *Client) FindByIdempotencyKey(ctx context.Context, project, key string) (tracker.Issue, bool, error) {
	op := "find issue by idempotency key in " + project
	if _, _, ok := forge.SplitProject(project, true); !ok {
		return tracker.Issue{}, false, invalid(op, errors.New("project must be its path, group/name"))
	}
	project = strings.Trim(strings.TrimSpace(project), "/")
	marker := forge.MarkerLabel(key)
	labels := gl.LabelOptions{marker}
	opt := &gl.ListProjectIssuesOptions{Labels: &labels, State: gl.Ptr("all"), OrderBy: gl.Ptr("created_at"),
		Sort: gl.Ptr("asc"), ListOptions: gl.ListOptions{PerPage: 100}}
	list, resp, err := c.api.Issues.ListProjectIssues(project, opt, gl.WithContext(ctx))
	if err != nil {
		return tracker.Issue{}, false, classify(ctx, op, resp, err)
	}
	for _, is := range list {
		if slices.ContainsFunc(is.Labels, func(l string) bool { return strings.EqualFold(l, marker) }) {
			return c.issue(project, is, ""), true, nil
		}
	}
	return tracker.Issue{}, false, nil
}

// Search reads each issue with GET /projects/:id/issues/:iid.
func (c *Client) Search(ctx context.Context, keys []string) ([]tracker.Issue, error) {
	return forge.Search(ctx, keys, c.get)
}

func (c *Client) get(ctx context.Context, key string) (tracker.Issue, bool, error) {
	project, n, ok := forge.ParseKey(key, true)
	if !ok {
		return tracker.Issue{}, false, nil
	}
	is, resp, err := c.api.Issues.GetIssue(project, n, gl.WithContext(ctx))
	if err != nil {
		err = classify(ctx, "read issue "+key, resp, err)
		if httpx.KindOf(err) == httpx.NotFound {
			return tracker.Issue{}, false, nil
		}
		return tracker.Issue{}, false, err
	}
	iss := c.issue(project, is, "")
	iss.Fields = fieldsOf(is)
	return iss, true, nil
}

// Comment adds a Markdown note to the issue.
func (c *Client) Comment(ctx context.Context, key string, body tracker.Document) error {
	op := "comment on " + key
	project, n, ok := forge.ParseKey(key, true)
	if !ok {
		return invalid(op, errors.New("issue key must be group/project#iid"))
	}
	_, resp, err := c.api.Notes.CreateIssueNote(project, n, &gl.CreateIssueNoteOptions{Body: gl.Ptr(body.Markdown())},
		gl.WithContext(ctx))
	if err != nil {
		return classify(ctx, op, resp, err)
	}
	return nil
}

// Test reads the account the token acts as (GET /user).
func (c *Client) Test(ctx context.Context) (string, error) {
	u, resp, err := c.api.Users.CurrentUser(gl.WithContext(ctx))
	if err != nil {
		return "", classify(ctx, "read the account", resp, err)
	}
	return u.Username, nil
}

// issue is the tracker's view of a GitLab issue; cat overrides the
// category read from its state when not empty.
func (c *Client) issue(project string, is *gl.Issue, cat tracker.StatusCategory) tracker.Issue {
	name, category := forge.Status(is.State, "", is.Labels)
	if cat != "" {
		name, category = "", cat
	}
	out := tracker.Issue{Key: forge.Key(project, is.IID), URL: is.WebURL, StatusName: name, StatusCategory: category}
	if is.UpdatedAt != nil {
		out.Updated = *is.UpdatedAt
	}
	return out
}

// classify maps a client-go failure into the taxonomy.
func classify(ctx context.Context, op string, resp *gl.Response, err error) error {
	var hr *http.Response
	if resp != nil {
		hr = resp.Response
	}
	msg := ""
	var er *gl.ErrorResponse
	if errors.As(err, &er) {
		msg = er.Message
		if er.Response != nil {
			hr = er.Response
		}
	}
	out := forge.Classify(ctx, upstream, op, hr, err, msg)
	var he *httpx.Error
	if hr != nil && hr.StatusCode == http.StatusTooManyRequests && errors.As(out, &he) {
		// GitLab's 429 carries Retry-After and RateLimit-Reset; either says
		// how long to wait.
		he.Kind = httpx.RateLimited
		if he.RetryAfter == 0 {
			he.RetryAfter = max(tracker.BudgetWait(hr.Header, "Ratelimit-", time.Now()), time.Second)
			if hr.Header.Get("Ratelimit-Remaining") != "0" {
				he.RetryAfter = time.Minute
			}
		}
	}
	return out
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

// Probe reads the account, the token's scopes (GET
// /personal_access_tokens/self; project and group tokens answer it too)
// and the RateLimit-* budget when GitLab sends it.
func (c *Client) Probe(ctx context.Context) (tracker.Probe, error) {
	u, resp, err := c.api.Users.CurrentUser(gl.WithContext(ctx))
	if err != nil {
		return tracker.Probe{}, classify(ctx, "read the account", resp, err)
	}
	p := tracker.Probe{Account: u.Username, RateLimit: tracker.RateBudgetOf(resp.Header, "Ratelimit-")}
	tok, resp, err := c.api.PersonalAccessTokens.GetSinglePersonalAccessToken(gl.WithContext(ctx))
	switch {
	case err == nil:
		p.Scopes = tok.Scopes
		p.MissingScopes = tracker.Missing(p.Scopes, []string{"api"})
	case resp != nil && resp.StatusCode < 500:
		// Older GitLab (before 15.5) has no self endpoint: scopes unknown.
	default:
		return tracker.Probe{}, classify(ctx, "read the token's scopes", resp, err)
	}
	return p, nil
}

// HasComment reports whether a note on the issue contains marker, reading
// its notes 100 at a time (at most forge.MaxCommentPages pages).
func (c *Client) HasComment(ctx context.Context, key, marker string) (bool, error) {
	op := "read comments of " + key
	project, n, ok := forge.ParseKey(key, true)
	if !ok {
		return false, invalid(op, errors.New("issue key must be group/project#iid"))
	}
	opts := &gl.ListIssueNotesOptions{ListOptions: gl.ListOptions{PerPage: 100, Page: 1}}
	for range forge.MaxCommentPages {
		notes, resp, err := c.api.Notes.ListIssueNotes(project, n, opts, gl.WithContext(ctx))
		if err != nil {
			return false, classify(ctx, op, resp, err)
		}
		for _, nt := range notes {
			if strings.Contains(nt.Body, marker) {
				return true, nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return false, nil
}
