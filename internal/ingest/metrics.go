package ingest

import (
	"time"

	"github.com/vendorsync/vendorsync/internal/obs"
)

// counts reports to Service.Metrics; without them it does nothing.
type counts struct{ m *obs.IngestMetrics }

func (s *Service) metrics() counts { return counts{s.Metrics} }

// accepted counts one accept answer.
func (c counts) accepted(r AcceptResult) {
	if c.m == nil {
		return
	}
	switch {
	case r.Error != "":
		c.m.FailedValidation.WithLabelValues(r.Error).Inc()
	case r.Status == Received:
		c.m.Accepted.Inc()
	case r.Status == Duplicate:
		c.m.Duplicates.Inc()
	}
}

// refused counts an event refused before it was stored.
func (c counts) refused(reason string) {
	if c.m != nil {
		c.m.FailedValidation.WithLabelValues(reason).Inc()
	}
}

func (c counts) outcome(o Outcome) {
	if c.m == nil {
		return
	}
	if o.Status == Normalized {
		c.m.Normalized.Inc()
		return
	}
	c.m.NormalizeFailed.WithLabelValues(string(o.Status), o.Reason).Inc()
}

func (c counts) stage(stage string, since time.Time) {
	if c.m != nil {
		c.m.StageDuration.WithLabelValues(stage).Observe(time.Since(since).Seconds())
	}
}

func (c counts) drift(k DriftKind) {
	if c.m != nil {
		c.m.Drifts.WithLabelValues(string(k)).Inc()
	}
}

// paused counts the time a background pass waited for accepts.
func (c counts) paused(pass string, d time.Duration) {
	if c.m != nil {
		c.m.Paused.WithLabelValues(pass).Add(d.Seconds())
	}
}
