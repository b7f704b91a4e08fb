package ingest

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// TrafficHours is how many hours of a vendor's traffic its ingest page
// shows, the current hour last.
const TrafficHours = 24

// HourCounts are a vendor's events received in one hour (UTC), how many
// of them normalization quarantined or failed on, and the events resent
// that hour under a key already stored (not stored again, so not among
// Events).
type HourCounts struct {
	Hour        time.Time `json:"hour"`
	Events      int       `json:"events" doc:"Events stored (first accepts)."`
	Quarantined int       `json:"quarantined"`
	Failed      int       `json:"failed" doc:"FAILED_NORMALIZE."`
	Duplicates  int       `json:"duplicates" doc:"Resent with the same payload: answered DUPLICATE, not stored again."`
	Conflicts   int       `json:"conflicts" doc:"Resent with another payload: refused with 409, nothing stored."`
	Refused     int       `json:"refused" doc:"Requests or batch items refused before anything was stored: invalid, wrong vendor, too large, over the rate or badly signed."`
}

// add sums o's counts into h.
func (h *HourCounts) add(o HourCounts) {
	h.Events += o.Events
	h.Quarantined += o.Quarantined
	h.Failed += o.Failed
	h.Duplicates += o.Duplicates
	h.Conflicts += o.Conflicts
	h.Refused += o.Refused
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
	hs, err := s.Store.HourlyCounts(ctx, p.TenantID, vendorID, sinceID(since), since)
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
		t.Hours[i].add(h)
		t.Total.add(h)
	}
	return t
}
