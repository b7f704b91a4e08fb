// Package p21 reads the item catalog of Epicor Prophet 21 through its OData
// v4 data service (/odataservice/odata/table/{table}) with VendorSync's own
// small OData client: Accept: application/json, $select, $filter,
// $orderby, $top, $skip and $count, @odata.nextLink followed when the
// service pages by itself, and numbers decoded exactly (json.Number into
// decimals, never floating point). It signs in with P21's token login
// (POST /api/security/token/v2 with a user name and password or a consumer
// key; the token is kept until it expires and renewed on a 401), or, for
// sites behind a gateway, with an API key (bearer) or HTTP basic.
//
// Every call goes through one httpx client per Client: pacing, a breaker,
// per-attempt timeouts and retries of reads. Failures are *httpx.Error
// with Upstream "p21". Credentials only ever go into the Authorization
// header or the token request's body: never into errors or logs.
package p21

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/httpx"
)

// Provider is P21's name in the connector registry.
const Provider erp.Provider = "p21"

// upstream names P21 in errors, metrics and logs.
const upstream = "p21"

// Defaults for Options' zero fields.
const (
	DefaultPageSize = 1000
	DefaultTimeout  = 60 * time.Second
)

// Paths of the P21 services, relative to the base URL.
const (
	TokenPath = "/api/security/token/v2"
	TablePath = "/odataservice/odata/table"
)

// Options tune every P21 client a program builds.
type Options struct {
	// PageSize is the $top of each page read; DefaultPageSize when zero.
	PageSize int
	// Timeout bounds each HTTP attempt; DefaultTimeout when zero.
	Timeout time.Duration
	// HTTPClient, when set, supplies the base transport (a test server's,
	// a proxy); the client still wraps it with httpx.
	HTTPClient *http.Client
	// Resilience overrides the httpx policy (Name and AttemptTimeout are
	// set from the connector and Timeout).
	Resilience httpx.Policy
	// Telemetry receives the client's metrics and debug logs.
	Telemetry httpx.Telemetry
	// Now is the clock token expiry is judged by; time.Now when nil.
	Now func() time.Time
}

// Client is one connector's P21 client. Safe for concurrent use.
type Client struct {
	base     string
	settings erp.Settings
	opts     Options
	http     *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

// New builds the client of a connector; no request is made.
func New(s erp.Settings, o Options) (*Client, error) {
	if s.BaseURL == "" {
		return nil, fmt.Errorf("p21: base URL is required")
	}
	switch s.AuthMode {
	case erp.AuthPassword, erp.AuthConsumerKey, erp.AuthAPIKey, erp.AuthBasic:
	default:
		return nil, fmt.Errorf("p21: auth mode %q is not supported", s.AuthMode)
	}
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	p := o.Resilience
	p.AttemptTimeout = o.Timeout
	if p.Name == "" {
		p.Name = "p21 " + strings.TrimRight(s.BaseURL, "/")
	}
	opts := []httpx.Option{httpx.WithTelemetry(o.Telemetry), httpx.WithoutRedirects()}
	if o.HTTPClient != nil {
		opts = append(opts, httpx.WithBase(o.HTTPClient))
	}
	return &Client{base: strings.TrimRight(s.BaseURL, "/"), settings: s, opts: o, http: httpx.NewClient(upstream, p, opts...)}, nil
}

// String describes the client without its secret.
func (c *Client) String() string {
	return fmt.Sprintf("p21.Client{BaseURL: %q, AuthMode: %q, Username: %q}", c.base, c.settings.AuthMode, c.settings.Username)
}

// Factory registers P21 in the connector registry.
func Factory(o Options) erp.Factory {
	return erp.Factory{Provider: Provider, Name: "Prophet 21", NeedsURL: true,
		AuthModes: []erp.AuthMode{erp.AuthPassword, erp.AuthConsumerKey, erp.AuthAPIKey, erp.AuthBasic},
		New: func(s erp.Settings) (erp.Client, error) {
			c, err := New(s, o)
			if err != nil {
				return nil, err
			}
			return c, nil
		}}
}

func (c *Client) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
}
