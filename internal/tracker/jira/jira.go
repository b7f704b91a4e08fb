// Package jira is VendorSync's own typed client for Jira Cloud (REST v3,
// descriptions in Atlassian Document Format, search by nextPageToken on
// /rest/api/3/search/jql) and Jira Server / Data Center (REST v2, wiki
// markup, search paged by startAt). It implements tracker.Provider and
// nothing more: it creates issues, comments and reads status, and has no
// way to transition, edit or delete an issue.
//
// Every call goes through one httpx client per Client: pacing, a circuit
// breaker, a per-attempt timeout, the wait a 429 asks for on every call,
// and retries of 5xx and network errors for reads only (a create that timed
// out may have been committed; tracker.CreateOnce deals with that). Failures
// are *httpx.Error with Upstream "jira".
//
// Credentials are only ever written into the Authorization header: never
// into errors, logs or the String form of Config and Client.
package jira

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Flavor selects the Jira API generation.
type Flavor string

// The supported flavors.
const (
	// Cloud is Jira Cloud: REST v3, ADF, email + API token (basic auth),
	// assignees by accountId.
	Cloud Flavor = "cloud"
	// Server is Jira Server / Data Center: REST v2, wiki markup, personal
	// access token (bearer), assignees by user name.
	Server Flavor = "server"
)

// Defaults for Config's zero fields.
const (
	DefaultTimeout           = 30 * time.Second
	DefaultRatePerSecond     = 20
	DefaultSearchConcurrency = 4
)

// Config is one tenant's Jira connection.
type Config struct {
	// BaseURL is the site root, e.g. https://acme.atlassian.net or
	// https://jira.example.com/jira (a context path is kept).
	BaseURL string
	Flavor  Flavor
	// Email and APIToken authenticate on Cloud (HTTP basic).
	Email    string
	APIToken string
	// PersonalAccessToken authenticates on Server/Data Center (bearer).
	PersonalAccessToken string
	// Options are the program's settings for every client.
	Options
}

// Options tune every Jira client a program builds, whatever the
// connection: the program (and tests) set them once, in Factories.
type Options struct {
	// Timeout bounds each HTTP attempt; DefaultTimeout when zero.
	Timeout time.Duration
	// HTTPClient, when set, supplies the base transport (proxy, TLS) and
	// an overall timeout; the client still wraps it with httpx and never
	// follows redirects.
	HTTPClient *http.Client
	// Resilience overrides the httpx policy. RatePerSecond 0 means
	// DefaultRatePerSecond; negative means unpaced. Name and
	// AttemptTimeout are set from BaseURL and Timeout.
	Resilience httpx.Policy
	// Telemetry receives the client's metrics and debug logs.
	Telemetry httpx.Telemetry
	// SearchConcurrency is how many search chunks run at once;
	// DefaultSearchConcurrency when zero.
	SearchConcurrency int
	// SearchSettle is how long after a create ended the label search may
	// still miss the issue (tracker.Factory.SearchSettle); the flavor's
	// default when zero.
	SearchSettle time.Duration
}

// Validate lists every problem with the configuration at once, as an
// apperr Invalid error with field errors (for the admin form).
func (c Config) Validate() error {
	var v apperr.Validation
	if msg := tracker.BaseURLProblem(c.BaseURL); msg != "" {
		v.Add("base_url", "%s", msg)
	}
	switch c.Flavor {
	case Cloud:
		v.Check(cloudAccount(c.Email), "email", "is required for Jira Cloud")
		v.Check(c.APIToken != "", "api_token", "is required for Jira Cloud")
	case Server:
		v.Check(c.PersonalAccessToken != "", "personal_access_token", "is required for Jira Server/Data Center")
	default:
		v.Add("flavor", "must be %q or %q", Cloud, Server)
	}
	return v.Err()
}

// String describes the connection without its secrets.
func (c Config) String() string {
	return fmt.Sprintf("jira.Config{BaseURL: %q, Flavor: %q, Email: %q, APIToken: %s, PersonalAccessToken: %s}",
		c.BaseURL, c.Flavor, c.Email, redacted(c.APIToken), redacted(c.PersonalAccessToken))
}

// GoString keeps %#v from printing the secrets too.
func (c Config) GoString() string { return c.String() }

// LogValue keeps slog from printing the secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.BaseURL), slog.String("flavor", string(c.Flavor)),
		slog.String("email", c.Email))
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}

// Client talks to one Jira site. Safe for concurrent use.
type Client struct {
	base        string // BaseURL without a trailing slash
	flavor      Flavor
	auth        string // Authorization header value; never printed
	http        *http.Client
	transport   *httpx.Transport
	concurrency int

	mu        sync.Mutex
	assignees map[string]resolved // by lower-cased assignee as configured
	zone      *time.Location      // the API account's, once zoneRead
	zoneRead  bool
}

var (
	_ tracker.Provider         = (*Client)(nil)
	_ tracker.DuplicateFinder  = (*Client)(nil)
	_ tracker.AssigneeResolver = (*Client)(nil)
)

// New checks cfg and builds its client. No request is made; call Test.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("jira.New: %w", err)
	}
	c := &Client{
		base:        strings.TrimRight(cfg.BaseURL, "/"),
		flavor:      cfg.Flavor,
		concurrency: cfg.SearchConcurrency,
	}
	if c.concurrency <= 0 {
		c.concurrency = DefaultSearchConcurrency
	}
	switch cfg.Flavor {
	case Cloud:
		req := &http.Request{Header: http.Header{}}
		req.SetBasicAuth(cfg.Email, cfg.APIToken)
		c.auth = req.Header.Get("Authorization")
	case Server:
		c.auth = "Bearer " + cfg.PersonalAccessToken
	}
	policy := cfg.Resilience
	policy.Name = "jira " + c.base
	policy.AttemptTimeout = cfg.Timeout
	if policy.AttemptTimeout == 0 {
		policy.AttemptTimeout = DefaultTimeout
	}
	if policy.RatePerSecond == 0 {
		policy.RatePerSecond = DefaultRatePerSecond
	}
	// A redirect turns a POST into a GET and usually means the base URL is
	// wrong (http for https, an old host): report it instead of following.
	c.http = httpx.NewClient(upstream, policy, httpx.WithBase(cfg.HTTPClient), httpx.WithoutRedirects(),
		httpx.WithTelemetry(cfg.Telemetry))
	c.transport = httpx.TransportOf(c.http)
	return c, nil
}

// String names the site without the credentials.
func (c *Client) String() string { return "jira.Client(" + string(c.flavor) + " " + c.base + ")" }

// BreakerState reports the circuit breaker's state for health views.
func (c *Client) BreakerState() string { return c.transport.BreakerState() }

// api returns the REST path prefix of the flavor.
func (c *Client) api() string {
	if c.flavor == Cloud {
		return "/rest/api/3"
	}
	return "/rest/api/2"
}

// browseURL is where a person opens the issue.
func (c *Client) browseURL(key string) string { return c.base + "/browse/" + url.PathEscape(key) }
