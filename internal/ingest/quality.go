package ingest

import (
	"context"
	"math"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// Timeliness bounds of an event's occurredAt against its receipt.
const (
	// LateAfter: an event received this long after it occurred is late.
	LateAfter = 24 * time.Hour
	// FutureAfter: an event that occurred this far after its receipt is
	// from the future (a sender's clock or a bad field).
	FutureAfter = 5 * time.Minute
)

// QualityWindows are the days the data-quality score is kept over.
var QualityWindows = []int{7, 30}

// QualityCounts are a vendor's events over a window by outcome and
// timeliness, and the drifts its payloads showed.
type QualityCounts struct {
	Events      int `json:"events" doc:"Events received in the window (duplicates are not stored)."`
	Normalized  int `json:"normalized"`
	Quarantined int `json:"quarantined"`
	Failed      int `json:"failed" doc:"FAILED_NORMALIZE."`
	Late        int `json:"late" doc:"occurredAt more than 24 hours before receipt."`
	Future      int `json:"future" doc:"occurredAt more than 5 minutes after receipt."`
	Drifts      int `json:"drifts" doc:"Drifts detected in the window."`
	Breaking    int `json:"breaking_drifts"`
}

// Quality is a vendor's data-quality score over a window, 0 to 100, with
// its parts: validity (60 points: the share of processed events
// normalized), timeliness (25: the share of events neither late nor from
// the future) and stability (15, less 1.5 per drift down to 0 at ten).
type Quality struct {
	VendorID       string        `json:"vendor_id"`
	Days           int           `json:"days"`
	Since          time.Time     `json:"since"`
	Counts         QualityCounts `json:"counts"`
	ValidPct       float64       `json:"valid_pct" doc:"NORMALIZED of the processed events (normalized, quarantined, failed), in percent."`
	QuarantinedPct float64       `json:"quarantined_pct"`
	TimelyPct      float64       `json:"timely_pct"`
	Validity       float64       `json:"validity_points" doc:"Out of 60."`
	Timeliness     float64       `json:"timeliness_points" doc:"Out of 25."`
	Stability      float64       `json:"stability_points" doc:"Out of 15."`
	Score          int           `json:"score" doc:"0 to 100: the parts' sum, rounded."`
}

// ScoreQuality computes the score of counts; a window without events
// scores 100 (nothing wrong was seen).
func ScoreQuality(c QualityCounts) Quality {
	q := Quality{Counts: c, ValidPct: 100, TimelyPct: 100}
	if p := c.Normalized + c.Quarantined + c.Failed; p > 0 {
		q.ValidPct = 100 * float64(c.Normalized) / float64(p)
		q.QuarantinedPct = 100 * float64(c.Quarantined) / float64(p)
	}
	if c.Events > 0 {
		q.TimelyPct = 100 * (1 - float64(min(c.Late+c.Future, c.Events))/float64(c.Events))
	}
	q.Validity = round2(0.6 * q.ValidPct)
	q.Timeliness = round2(0.25 * q.TimelyPct)
	q.Stability = round2(15 * (1 - float64(min(c.Drifts, 10))/10))
	q.Score = int(math.Round(0.6*q.ValidPct + 0.25*q.TimelyPct + 15*(1-float64(min(c.Drifts, 10))/10)))
	q.ValidPct, q.QuarantinedPct, q.TimelyPct = round2(q.ValidPct), round2(q.QuarantinedPct), round2(q.TimelyPct)
	return q
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// sinceID is the smallest ingest id of an event received at or after t
// (ids are ULIDs of their receipt).
func sinceID(t time.Time) string {
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(t)) // fails only after the year 10889
	return id.String()
}

// VendorQuality is a vendor's data-quality score over each of
// QualityWindows, up to now.
func (s *Service) VendorQuality(ctx context.Context, p auth.Principal, vendorID string) ([]Quality, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	if _, err := s.Store.IngestVendor(ctx, p.TenantID, vendorID); err != nil {
		return nil, err
	}
	return s.quality(ctx, p.TenantID, vendorID, s.now())
}

func (s *Service) quality(ctx context.Context, tenantID, vendorID string, now time.Time) ([]Quality, error) {
	out := make([]Quality, 0, len(QualityWindows))
	for _, days := range QualityWindows {
		since := now.AddDate(0, 0, -days)
		c, err := s.Store.QualityCounts(ctx, tenantID, vendorID, sinceID(since), since)
		if err != nil {
			return nil, err
		}
		q := ScoreQuality(c)
		q.VendorID, q.Days, q.Since = vendorID, days, since
		out = append(out, q)
	}
	return out, nil
}
