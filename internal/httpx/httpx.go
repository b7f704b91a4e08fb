// Package httpx is the outbound-HTTP resilience every integration shares:
// one Transport per upstream (one Jira connection, one Slack workspace)
// that paces requests with a token bucket, stops calling an upstream that
// keeps failing (circuit breaker), bounds each attempt with a timeout, and
// retries what is safe to retry, honouring Retry-After.
//
// What is safe: a 429 is retried for every method (the upstream refused the
// request before doing anything); 5xx answers and network errors only for
// idempotent requests (GET, HEAD, OPTIONS, or a context marked with
// MarkIdempotent), because a POST that timed out may have been committed;
// so are 408 and the 529 "overloaded" some APIs send. Retry-After-Ms is
// read before Retry-After (RetryAfter).
// When retries run out, the last response is returned as is, so the caller
// classifies statuses in one place.
package httpx

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"
)

// Defaults for Policy's zero fields.
const (
	DefaultAttemptTimeout  = 30 * time.Second
	DefaultMaxRetries      = 3
	DefaultInitialBackoff  = 500 * time.Millisecond
	DefaultMaxBackoff      = 10 * time.Second
	DefaultMaxRetryAfter   = 30 * time.Second
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = 30 * time.Second
)

// ErrCircuitOpen is returned (wrapped) while the upstream's breaker is open
// or half-open and already probing: the call was not attempted.
var ErrCircuitOpen = errors.New("circuit breaker open")

// Policy configures a Transport. Zero fields take the defaults above.
type Policy struct {
	// Name identifies the upstream in errors ("jira acme.atlassian.net");
	// NewClient sets it to the upstream's name when empty.
	Name string
	// AttemptTimeout bounds one attempt, response headers and body
	// included; negative means none.
	AttemptTimeout time.Duration
	// MaxRetries is how many times a failed attempt is repeated; negative
	// means never.
	MaxRetries int
	// InitialBackoff and MaxBackoff shape the exponential, jittered wait
	// between retries that have no Retry-After.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// MaxRetryAfter is the longest Retry-After waited for; a longer one
	// returns the response at once so the caller can reschedule the work.
	MaxRetryAfter time.Duration
	// RatePerSecond paces attempts; 0 means no pacing.
	RatePerSecond float64
	// Burst is how many attempts may go at once; defaults to the rate
	// rounded up.
	Burst int
	// BreakerFailures is how many consecutive failures (5xx, network
	// errors, timeouts) open the breaker.
	BreakerFailures uint32
	// BreakerCooldown is how long the breaker stays open before it lets one
	// probe through.
	BreakerCooldown time.Duration
	// OnRetry, when set, is told before each wait for a retry: which
	// attempt failed, how long the wait is and why (for logs and tests).
	OnRetry func(attempt int, wait time.Duration, err error)
	// Sleep waits d before a retry, returning early with the context's
	// cause when ctx ends. Nil waits on a timer; tests set it to observe
	// the waits (a Retry-After honoured) without spending them.
	Sleep func(ctx context.Context, d time.Duration) error
}

// sleep waits d on a timer, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (p Policy) withDefaults() Policy {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&p.AttemptTimeout, DefaultAttemptTimeout)
	def(&p.InitialBackoff, DefaultInitialBackoff)
	def(&p.MaxBackoff, DefaultMaxBackoff)
	def(&p.MaxRetryAfter, DefaultMaxRetryAfter)
	def(&p.BreakerCooldown, DefaultBreakerCooldown)
	if p.MaxRetries == 0 {
		p.MaxRetries = DefaultMaxRetries
	}
	if p.MaxRetries < 0 {
		p.MaxRetries = 0
	}
	if p.BreakerFailures == 0 {
		p.BreakerFailures = DefaultBreakerFailures
	}
	if p.Burst <= 0 {
		p.Burst = max(1, int(math.Ceil(p.RatePerSecond)))
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

// Transport is an http.RoundTripper for one upstream. Safe for concurrent
// use; share one per upstream so pacing and the breaker see all traffic.
type Transport struct {
	base     http.RoundTripper
	policy   Policy
	limiter  *rate.Limiter
	breaker  *gobreaker.TwoStepCircuitBreaker[struct{}]
	upstream string // the metrics and log label
	report   *observer
}

// errExcluded marks attempts that say nothing about the upstream's health
// (the caller gave up), so the breaker ignores them.
var errExcluded = errors.New("httpx: excluded from breaker counts")

// New wraps base (http.DefaultTransport with the outbound address policy
// on its dialer, when nil) with policy p. Options
// name the upstream for metrics and logs and say where they go; see
// NewClient for the usual way to get a client.
func New(base http.RoundTripper, p Policy, opts ...Option) *Transport {
	if base == nil {
		base = guarded
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	p = p.withDefaults()
	limit := rate.Inf
	if p.RatePerSecond > 0 {
		limit = rate.Limit(p.RatePerSecond)
	}
	t := &Transport{
		base:     base,
		policy:   p,
		limiter:  rate.NewLimiter(limit, p.Burst),
		upstream: o.upstream,
		report:   newObserver(o.upstream, o.telemetry),
	}
	if t.upstream == "" {
		t.upstream = unnamed
	}
	failures := p.BreakerFailures
	t.breaker = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:          p.Name,
		Timeout:       p.BreakerCooldown,
		ReadyToTrip:   func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		IsExcluded:    func(err error) bool { return errors.Is(err, errExcluded) },
		OnStateChange: t.report.breakerChanged,
	})
	t.report.watch(t)
	return t
}

// BreakerState reports "closed", "half-open" or "open", for health views.
func (t *Transport) BreakerState() string { return t.breaker.State().String() }

type idempotentKey struct{}

// MarkIdempotent tells the Transport that requests made with ctx may be
// repeated after a 5xx or a network error: a search sent as POST, say.
func MarkIdempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey{}, true)
}

// idempotent reports whether req may be sent twice.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	v, _ := req.Context().Value(idempotentKey{}).(bool)
	return v
}
