package obs

import "github.com/prometheus/client_golang/prometheus"

// IngestMetrics are the collectors of the ingest pipeline. No series is
// labelled by tenant or vendor, so their number stays bounded.
type IngestMetrics struct {
	// Accepted counts events stored new (RECEIVED).
	Accepted prometheus.Counter
	// Duplicates counts events answered DUPLICATE.
	Duplicates prometheus.Counter
	// FailedValidation counts events refused at accept, by reason
	// ("invalid", "too_large", "forbidden", "conflict").
	FailedValidation *prometheus.CounterVec
	// Normalized counts events normalized.
	Normalized prometheus.Counter
	// NormalizeFailed counts events quarantined or failed, by status and
	// reason (the machine-readable reasons of ingest).
	NormalizeFailed *prometheus.CounterVec
	// StageDuration is the latency of a stage ("accept": one request's
	// parse and commit; "normalize": one batch of events).
	StageDuration *prometheus.HistogramVec
	// Drifts counts drifts opened, by kind.
	Drifts *prometheus.CounterVec
	// Paused counts the seconds the background passes ("normalize",
	// "archive") waited for accepts under a burst.
	Paused *prometheus.CounterVec
}

func newIngestMetrics() IngestMetrics {
	return IngestMetrics{
		Accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vendorsync_ingest_accepted_total", Help: "Ingest events stored new (RECEIVED).",
		}),
		Duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vendorsync_ingest_duplicate_total", Help: "Ingest events answered DUPLICATE.",
		}),
		FailedValidation: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorsync_ingest_failed_validation_total", Help: "Ingest events refused at accept, by reason.",
		}, []string{"reason"}),
		Normalized: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vendorsync_ingest_normalize_success_total", Help: "Ingest events normalized.",
		}),
		NormalizeFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorsync_ingest_normalize_failed_total", Help: "Ingest events quarantined or failed, by status and reason.",
		}, []string{"status", "reason"}),
		StageDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vendorsync_ingest_stage_duration_seconds", Help: "Ingest latency by stage (accept: a request; normalize: a batch).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"stage"}),
		Drifts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorsync_ingest_drifts_total", Help: "Payload drifts opened, by kind.",
		}, []string{"kind"}),
		Paused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorsync_ingest_paused_seconds_total", Help: "Seconds the background passes over accepted events waited for accepts under a burst, by pass.",
		}, []string{"pass"}),
	}
}

func (m IngestMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.Accepted, m.Duplicates, m.FailedValidation, m.Normalized, m.NormalizeFailed, m.StageDuration, m.Drifts, m.Paused}
}
