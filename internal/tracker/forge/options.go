package forge

import (
	"net/http"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// DefaultTimeout bounds each HTTP attempt when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// DefaultRatePerSecond paces a forge client when Options leave it zero:
// GitHub asks integrations to create content at about one write a second,
// and reads share the budget.
const DefaultRatePerSecond = 5

// Options tune every forge client a program builds, whatever the
// connection: the program (and tests) set them once, in the factories.
type Options struct {
	// Timeout bounds each HTTP attempt; DefaultTimeout when zero.
	Timeout time.Duration
	// HTTPClient, when set, supplies the base transport (proxy, TLS).
	HTTPClient *http.Client
	// Resilience overrides the httpx policy. RatePerSecond 0 means
	// DefaultRatePerSecond; negative means unpaced.
	Resilience httpx.Policy
	// Telemetry receives the clients' metrics and debug logs.
	Telemetry httpx.Telemetry
}

// Client is the shared outbound client of one connection to a forge
// at base: pacing, breaker, per-attempt timeout, the waits a 429 asks for
// and retries of reads; no redirects (a redirect means a wrong base URL).
func (o Options) Client(upstream, base string) *http.Client {
	p := o.Resilience
	p.Name = upstream + " " + base
	p.AttemptTimeout = o.Timeout
	if p.AttemptTimeout == 0 {
		p.AttemptTimeout = DefaultTimeout
	}
	if p.RatePerSecond == 0 {
		p.RatePerSecond = DefaultRatePerSecond
	}
	return httpx.NewClient(upstream, p, httpx.WithBase(o.HTTPClient), httpx.WithoutRedirects(),
		httpx.WithTelemetry(o.Telemetry))
}

// MaxCommentPages bounds how many pages of an issue's comments a
// HasComment reads: the comment it looks for is one VendorSync posted.
const MaxCommentPages = 10
