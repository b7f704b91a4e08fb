package ingest

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// TrafficHours is how many hours of a vendor's traffic its ingest page
// shows, the current hour last.
const TrafficHours = 24

// HourCounts are a vendor's events received in one hour (UTC) and how
// many of them normalization quarantined or failed on. Duplicates are
// answered without being stored, so they are not counted.
type HourCounts struct {
	Hour        time.Time `json:"hour"`
	Events      int       `json:"events"`
	Quarantined int       `json:"quarantined"`
	Failed      int       `json:"failed" doc:"FAILED_NORMALIZE."`
}

// Traffic is a vendor's events per hour over the last TrafficHours, every
// hour present (zero when none arrived), oldest first, with their sums.
type Traffic struct {
	Since time.Time    `json:"since"`
	Hours []HourCounts `json:"hours"`
	Total HourCounts   `json:"total" doc:"The sums; hour is since."`
}

// VendorTraffic is a vendor's traffic up to now.
func (s *Service) VendorTraffic(ctx context.Context, p auth.Principal, vendorID string) (Traffic, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Traffic{}, err
	}
	if _, err := s.Store.IngestVendor(ctx, p.TenantID, vendorID); err != nil {
		return Traffic{}, err
	}
	since := s.now().UTC().Truncate(time.Hour).Add(-(TrafficHours - 1) * time.Hour)
	hs, err := s.Store.HourlyCounts(ctx, p.TenantID, vendorID, sinceID(since))
	if err != nil {
		return Traffic{}, err
	}
	return fillHours(since, hs), nil
}

// fillHours places counts in the TrafficHours hours from since.
func fillHours(since time.Time, hs []HourCounts) Traffic {
	t := Traffic{Since: since, Hours: make([]HourCounts, TrafficHours), Total: HourCounts{Hour: since}}
	for i := range t.Hours {
		t.Hours[i].Hour = since.Add(time.Duration(i) * time.Hour)
	}
	for _, h := range hs {
		i := int(h.Hour.Sub(since) / time.Hour)
		if h.Hour.Before(since) || i >= TrafficHours {
			continue
		}
		h.Hour = t.Hours[i].Hour
		t.Hours[i] = h
		t.Total.Events += h.Events
		t.Total.Quarantined += h.Quarantined
		t.Total.Failed += h.Failed
	}
	return t
}
