package httpx

import (
	"log/slog"
	"net/http"

	"github.com/vendorsync/vendorsync/internal/obs"
)

// unnamed labels the metrics of a Transport built without a name.
const unnamed = "unnamed"

// Telemetry is where every transport reports: per-upstream metrics and one
// debug log line per attempt. The zero value reports nothing, so tests and
// tools need not wire it; the server passes one built from its registry and
// logger to every integration.
type Telemetry struct {
	// Metrics receives the outbound collectors (obs.Metrics.Outbound); nil
	// records none.
	Metrics *obs.Metrics
	// Logger receives a debug line per attempt (method, host, path without
	// query, status, duration, attempt); nil logs nothing.
	Logger *slog.Logger
}

// Option adjusts how New and NewClient build a transport or client.
type Option func(*options)

type options struct {
	upstream   string
	telemetry  Telemetry
	base       *http.Client
	noRedirect bool
}

// Named labels the transport's metrics and log lines with upstream, a
// fixed name such as "jira" or "slack" (never a URL: it would make a
// series per tenant). NewClient sets it.
func Named(upstream string) Option {
	return func(o *options) { o.upstream = upstream }
}

// WithTelemetry sends the transport's metrics and debug logs to t.
func WithTelemetry(t Telemetry) Option {
	return func(o *options) { o.telemetry = t }
}

// WithBase builds the client on c: its transport (proxy, TLS, a test
// server's) carries the attempts and its Timeout bounds the whole call,
// retries included. Nil means http.DefaultTransport and no overall
// timeout (each attempt is still bounded by Policy.AttemptTimeout).
func WithBase(c *http.Client) Option {
	return func(o *options) { o.base = c }
}

// WithoutRedirects makes the client return a redirect as the response
// instead of following it: for APIs where a redirect means a wrong base URL
// (and following it would turn a POST into a GET).
func WithoutRedirects() Option {
	return func(o *options) { o.noRedirect = true }
}

// NewClient returns an *http.Client whose transport is a Transport for the
// upstream named upstream with policy p, so an integration gets timeouts,
// retries honouring Retry-After, pacing, a circuit breaker, metrics and
// logs without assembling them. Build one per connection (a tenant's Jira
// site, a Slack workspace) and keep it as long as the connection, so
// pacing and the breaker see all its traffic.
func NewClient(upstream string, p Policy, opts ...Option) *http.Client {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if p.Name == "" {
		p.Name = upstream
	}
	c := &http.Client{}
	if o.base != nil {
		copied := *o.base
		c = &copied
	}
	c.Transport = New(c.Transport, p, append(opts, Named(upstream))...)
	if o.noRedirect {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

// TransportOf returns the Transport under a client NewClient built, for
// health views (BreakerState); nil for any other client.
func TransportOf(c *http.Client) *Transport {
	t, _ := c.Transport.(*Transport)
	return t
}
