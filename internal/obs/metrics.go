package obs

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds the collectors shared across the process.
type Metrics struct {
	Registry     *prometheus.Registry
	HTTPRequests *prometheus.CounterVec
	HTTPDuration *prometheus.HistogramVec
	JobsWorked   *prometheus.CounterVec
	// Outbound is what the httpx transports report about calls to
	// integrations.
	Outbound OutboundMetrics
	// Ingest is what the ingest pipeline reports.
	Ingest IngestMetrics
}

// NewMetrics builds a fresh registry (one per Run, so tests don't collide).
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorsync_http_requests_total", Help: "HTTP requests by route and status class.",
		}, []string{"route", "method", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vendorsync_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		JobsWorked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorsync_jobs_worked_total", Help: "Background jobs worked, by kind and outcome.",
		}, []string{"kind", "outcome"}),
		Outbound: newOutboundMetrics(),
		Ingest:   newIngestMetrics(),
	}
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.HTTPRequests, m.HTTPDuration, m.JobsWorked)
	m.Registry.MustRegister(m.Outbound.collectors()...)
	m.Registry.MustRegister(m.Ingest.collectors()...)
	return m
}
