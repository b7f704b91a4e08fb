package obs

import "github.com/prometheus/client_golang/prometheus"

// OutboundMetrics are the collectors of outbound HTTP calls (Jira, Slack,
// Gmail, OIDC…), filled by the httpx transport. Every series is labelled by
// upstream, a fixed name chosen in code ("jira", "slack"), never a URL, so
// the number of series stays bounded however many tenants connect.
type OutboundMetrics struct {
	// Requests counts attempts by upstream, method and status class
	// ("2xx"…"5xx", "error" when no answer came, "breaker_open" when the
	// breaker refused the attempt).
	Requests *prometheus.CounterVec
	// Duration is each attempt's latency until its response headers.
	Duration *prometheus.HistogramVec
	// Retries counts repeated attempts by upstream and reason
	// ("rate_limited", "status", "error").
	Retries *prometheus.CounterVec
	// BreakersOpen is how many circuit breakers of an upstream are open
	// right now (one per connection: a tenant's Jira, a Slack workspace).
	BreakersOpen *prometheus.GaugeVec
	// BreakerTransitions counts breaker state changes by the state entered
	// ("open", "half-open", "closed").
	BreakerTransitions *prometheus.CounterVec
}

func newOutboundMetrics() OutboundMetrics {
	return OutboundMetrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorsync_outbound_requests_total",
			Help: "Outbound HTTP attempts by upstream, method and status class.",
		}, []string{"upstream", "method", "class"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vendorsync_outbound_attempt_duration_seconds",
			Help:    "Outbound HTTP attempt latency (until the response headers) by upstream and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"upstream", "method"}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorsync_outbound_retries_total",
			Help: "Outbound HTTP attempts repeated after a failure, by upstream and reason.",
		}, []string{"upstream", "reason"}),
		BreakersOpen: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vendorsync_outbound_breakers_open",
			Help: "Circuit breakers currently open, by upstream.",
		}, []string{"upstream"}),
		BreakerTransitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorsync_outbound_breaker_transitions_total",
			Help: "Circuit breaker state changes by upstream and the state entered.",
		}, []string{"upstream", "state"}),
	}
}

func (o OutboundMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{o.Requests, o.Duration, o.Retries, o.BreakersOpen, o.BreakerTransitions}
}
