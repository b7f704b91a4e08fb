package ingest

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Quarantine pages through the events normalization set aside
// (QUARANTINED, and FAILED_NORMALIZE unless f.Status narrows it), newest
// first, by vendor, event type, reason and time received.
func (s *Service) Quarantine(ctx context.Context, p auth.Principal, f Filter) ([]Event, string, error) {
	if f.Status == "" {
		f.Statuses = []Status{Quarantined, FailedNormalize}
	} else if f.Status != Quarantined && f.Status != FailedNormalize {
		return nil, "", apperr.Invalidf("status must be QUARANTINED or FAILED_NORMALIZE")
	}
	return s.Events(ctx, p, f)
}

// Normalized returns the normalized event of an ingest event.
func (s *Service) Normalized(ctx context.Context, p auth.Principal, ingestID string) (NormalizedEvent, error) {
	if err := p.Require(auth.PermView); err != nil {
		return NormalizedEvent{}, err
	}
	return s.Store.NormalizedEvent(ctx, p.TenantID, ingestID)
}

// NormalizedEvents pages through the tenant's normalized events by
// canonical type, vendor and time occurred, in ingest order.
func (s *Service) NormalizedEvents(ctx context.Context, p auth.Principal, f NormalizedFilter) ([]NormalizedEvent, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	return s.Store.ListNormalized(ctx, p.TenantID, f)
}
