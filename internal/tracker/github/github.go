// Package github is the tracker.Provider of GitHub and GitHub Enterprise
// Server, on google/go-github with the shared outbound client (httpx):
// issues are created with the idempotency marker as a label, found again by
// listing the repository's issues with that label, read one by one for
// status, and commented. Failures are *httpx.Error with Upstream "github";
// GitHub's primary limit (403/429 with X-RateLimit-Remaining: 0) and
// secondary limits (Retry-After) are RateLimited with the wait they ask.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

// upstream names GitHub in errors, metrics and logs.
const upstream = "github"

// PublicURL is github.com's API root; connections to github.com may give
// https://github.com or this.
const PublicURL = "https://api.github.com"

// Config is one connection to GitHub.
type Config struct {
	// BaseURL is https://github.com (or the API root) or a GitHub
	// Enterprise Server's root; /api/v3 is added for the latter.
	BaseURL string
	// Token is a personal access token (classic or fine-grained) or a
	// GitHub App installation token.
	Token string
	forge.Options
}

// Client talks to one GitHub. Safe for concurrent use.
type Client struct {
	api  *gh.Client
	base string
}

var _ tracker.Provider = (*Client)(nil)

// New builds the client of cfg; no request is made.
func New(cfg Config) (*Client, error) {
	if msg := tracker.BaseURLProblem(cfg.BaseURL); msg != "" {
		return nil, fmt.Errorf("github.New: base URL %s", msg)
	}
	if cfg.Token == "" {
		return nil, errors.New("github.New: token is required")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	opts := []gh.ClientOptionsFunc{gh.WithHTTPClient(cfg.Client(upstream, base)), gh.WithAuthToken(cfg.Token),
		gh.WithUserAgent("VendorSync"),
		// Waiting out limits is the shared client's and the job's work; the
		// SDK's own memory of a limit would refuse calls on a clock of its own.
		gh.WithDisableRateLimitCheck()}
	if !public(base) {
		opts = append(opts, gh.WithEnterpriseURLs(base, base))
	}
	api, err := gh.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("github.New: %w", err)
	}
	return &Client{api: api, base: base}, nil
}

func public(base string) bool {
	b := strings.ToLower(base)
	return b == "https://github.com" || b == PublicURL
}

// String names the site.
func (c *Client) String() string { return "github.Client(" + c.base + ")" }

// CreateIssue opens the issue with POST /repos/{owner}/{repo}/issues:
// Markdown body, labels (created by GitHub when new) with the marker label,
// the assignee. GitHub has no due date; the description carries it. A
// failed create is not retried here (use tracker.CreateOnce).
func (c *Client) CreateIssue(ctx context.Context, spec tracker.IssueSpec) (tracker.Issue, error) {
	op := "create issue in " + spec.ProjectKey
	if err := forge.Validate(spec, false); err != nil {
		return tracker.Issue{}, invalid(op, err)
	}
	owner, repo, _ := forge.SplitProject(spec.ProjectKey, false)
	body := spec.Description.Markdown()
	req := gh.CreateIssueRequest{Title: strings.TrimSpace(spec.Summary), Body: &body, Labels: forge.Labels(spec)}
	if a := strings.TrimSpace(spec.Assignee); a != "" {
		req.Assignees = []string{a}
	}
	iss, resp, err := c.api.Issues.Create(ctx, owner, repo, req)
	if err != nil {
		return tracker.Issue{}, classify(ctx, op, resp, err)
	}
	return c.issue(owner+"/"+repo, iss, tracker.Unknown), nil
}

// FindByIdempotencyKey lists the repository's issues (open and closed)
// carrying the key's marker label, oldest first, and returns the oldest.
// The issues list is read from GitHub's database, so an issue is found
// the moment its create committed (the search API would lag).
func (c *Client) FindByIdempotencyKey(ctx context.Context, project, key string) (tracker.Issue, bool, error) {
	op := "find issue by idempotency key in " + project
	owner, repo, ok := forge.SplitProject(project, false)
	if !ok {
		return tracker.Issue{}, false, invalid(op, errors.New("repository must be owner/name"))
	}
	marker := forge.MarkerLabel(key)
	opt := &gh.IssueListByRepoOptions{State: "all", Labels: []string{marker}, Sort: "created",
		Direction: "asc", ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		list, resp, err := c.api.Issues.ListByRepo(ctx, owner, repo, opt)
		if err != nil {
			return tracker.Issue{}, false, classify(ctx, op, resp, err)
		}
		for _, is := range list {
			if !is.IsPullRequest() && slices.ContainsFunc(is.Labels, func(l *gh.Label) bool {
				return strings.EqualFold(l.GetName(), marker)
			}) {
				return c.issue(owner+"/"+repo, is, ""), true, nil
			}
		}
		if resp.NextPage == 0 {
			return tracker.Issue{}, false, nil
		}
		opt.ListOptions.Page = resp.NextPage
	}
}

// Search reads each issue with GET /repos/{owner}/{repo}/issues/{number}.
func (c *Client) Search(ctx context.Context, keys []string) ([]tracker.Issue, error) {
	return forge.Search(ctx, keys, c.get)
}

func (c *Client) get(ctx context.Context, key string) (tracker.Issue, bool, error) {
	project, n, ok := forge.ParseKey(key, false)
	if !ok {
		return tracker.Issue{}, false, nil
	}
	owner, repo, _ := forge.SplitProject(project, false)
	is, resp, err := c.api.Issues.Get(ctx, owner, repo, int(n))
	if err != nil {
		err = classify(ctx, "read issue "+key, resp, err)
		if httpx.KindOf(err) == httpx.NotFound {
			return tracker.Issue{}, false, nil
		}
		return tracker.Issue{}, false, err
	}
	if is.IsPullRequest() {
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
	_, resp, err := c.api.Issues.CreateComment(ctx, owner, repo, int(n), gh.IssueCommentRequest{Body: body.Markdown()})
	if err != nil {
		return classify(ctx, op, resp, err)
	}
	return nil
}

// Test reads the account the token acts as (GET /user).
func (c *Client) Test(ctx context.Context) (string, error) {
	u, resp, err := c.api.Users.Get(ctx, "")
	if err != nil {
		return "", classify(ctx, "read the account", resp, err)
	}
	return u.GetLogin(), nil
}

// issue is the tracker's view of a GitHub issue; cat overrides the
// category read from its state when not empty.
func (c *Client) issue(project string, is *gh.Issue, cat tracker.StatusCategory) tracker.Issue {
	labels := make([]string, 0, len(is.Labels))
	for _, l := range is.Labels {
		labels = append(labels, l.GetName())
	}
	name, category := forge.Status(is.GetState(), is.GetStateReason(), labels)
	if cat != "" {
		name, category = "", cat
	}
	return tracker.Issue{Key: forge.Key(project, int64(is.GetNumber())), URL: is.GetHTMLURL(), StatusName: name,
		StatusCategory: category, Updated: is.GetUpdatedAt().Time}
}

// classify maps a go-github failure into the taxonomy, with GitHub's rate
// limits: a primary limit says when it resets, a secondary one how long to
// wait (Retry-After, else a minute as GitHub's documentation advises).
func classify(ctx context.Context, op string, resp *gh.Response, err error) error {
	var hr *http.Response
	if resp != nil {
		hr = resp.Response
	}
	msg := ""
	var er *gh.ErrorResponse
	var rl *gh.RateLimitError
	var ab *gh.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		hr, msg = rl.Response, rl.Message
	case errors.As(err, &ab):
		hr, msg = ab.Response, ab.Message
	case errors.As(err, &er):
		hr, msg = er.Response, er.Message
		for _, e := range er.Errors {
			if e.Message != "" {
				msg += "; " + e.Message
			} else if e.Field != "" {
				msg += "; " + e.Field + " " + e.Code
			}
		}
	}
	out := forge.Classify(ctx, upstream, op, hr, err, msg)
	var he *httpx.Error
	if hr == nil || !errors.As(out, &he) || (hr.StatusCode != http.StatusForbidden && hr.StatusCode != http.StatusTooManyRequests) {
		return out
	}
	switch {
	case hr.Header.Get("X-RateLimit-Remaining") == "0":
		he.Kind = httpx.RateLimited
		if reset, perr := strconv.ParseInt(hr.Header.Get("X-RateLimit-Reset"), 10, 64); perr == nil && he.RetryAfter == 0 {
			he.RetryAfter = max(time.Until(time.Unix(reset, 0)), time.Second)
		}
	case ab != nil || hr.Header.Get("Retry-After") != "":
		he.Kind = httpx.RateLimited
		if he.RetryAfter == 0 {
			he.RetryAfter = time.Minute
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

// Probe reads the account, the scopes of a classic token (X-OAuth-Scopes;
// fine-grained tokens and App installations send none) and the primary
// rate-limit budget.
func (c *Client) Probe(ctx context.Context) (tracker.Probe, error) {
	u, resp, err := c.api.Users.Get(ctx, "")
	if err != nil {
		return tracker.Probe{}, classify(ctx, "read the account", resp, err)
	}
	p := tracker.Probe{Account: u.GetLogin(), RateLimit: tracker.RateBudgetOf(resp.Header, "X-Ratelimit-")}
	if h, ok := resp.Header["X-Oauth-Scopes"]; ok {
		p.Scopes = tracker.SplitScopes(strings.Join(h, ","))
		p.MissingScopes = tracker.Missing(p.Scopes, []string{"repo", "public_repo"})
	}
	return p, nil
}

// HasComment reports whether a comment on the issue contains marker,
// reading its comments 100 at a time (at most forge.MaxCommentPages pages).
func (c *Client) HasComment(ctx context.Context, key, marker string) (bool, error) {
	op := "read comments of " + key
	project, n, ok := forge.ParseKey(key, false)
	if !ok {
		return false, invalid(op, errors.New("issue key must be owner/repo#number"))
	}
	owner, repo, _ := forge.SplitProject(project, false)
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100, Page: 1}}
	for range forge.MaxCommentPages {
		cs, resp, err := c.api.Issues.ListComments(ctx, owner, repo, int(n), opts)
		if err != nil {
			return false, classify(ctx, op, resp, err)
		}
		for _, cm := range cs {
			if strings.Contains(cm.GetBody(), marker) {
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
