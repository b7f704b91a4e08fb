package web

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/ingest"
)

type ingestDriftsIn struct {
	ID   string `path:"id" doc:"The vendor."`
	Open bool   `query:"open" doc:"Only the drifts not acknowledged yet."`
}

type ingestDriftsOut struct {
	Body []ingest.Drift `nullable:"false"`
}

func (s *Server) apiListIngestDrifts(ctx context.Context, in *ingestDriftsIn) (*ingestDriftsOut, error) {
	ds, err := s.Ingest.Drifts(ctx, principal(ctx), in.ID, in.Open)
	if err != nil {
		return nil, err
	}
	if ds == nil {
		ds = []ingest.Drift{}
	}
	return &ingestDriftsOut{Body: ds}, nil
}

type ingestDriftPath struct {
	ID      string `path:"id" doc:"The vendor."`
	DriftID string `path:"drift_id" doc:"The drift."`
}

type ingestDriftOut struct {
	Body ingest.Drift
}

func (s *Server) apiAcknowledgeIngestDrift(ctx context.Context, in *ingestDriftPath) (*ingestDriftOut, error) {
	d, err := s.Ingest.AcknowledgeDrift(ctx, principal(ctx), in.ID, in.DriftID)
	if err != nil {
		return nil, err
	}
	return &ingestDriftOut{Body: d}, nil
}

type ingestQualityOut struct {
	Body []ingest.Quality `nullable:"false"`
}

func (s *Server) apiGetIngestQuality(ctx context.Context, in *IDPath) (*ingestQualityOut, error) {
	qs, err := s.Ingest.VendorQuality(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &ingestQualityOut{Body: qs}, nil
}

type ingestTrafficOut struct {
	Body ingest.Traffic
}

func (s *Server) apiGetIngestTraffic(ctx context.Context, in *IDPath) (*ingestTrafficOut, error) {
	t, err := s.Ingest.VendorTraffic(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &ingestTrafficOut{Body: t}, nil
}

type ingestProfilesOut struct {
	Body []ingest.ProfileView `nullable:"false"`
}

func (s *Server) apiListIngestProfiles(ctx context.Context, in *IDPath) (*ingestProfilesOut, error) {
	ps, err := s.Ingest.Profiles(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		ps = []ingest.ProfileView{}
	}
	return &ingestProfilesOut{Body: ps}, nil
}

var (
	docListIngestDrifts = huma.Operation{Summary: "List a vendor's payload drifts",
		Description: "Newest first: new, removed and retyped fields and sudden presence changes of the vendor's payloads against " +
			"the profile learned from its last 64 events of each type. One is open per event type, path and kind until acknowledged; " +
			"breaking when a field every event had was removed or retyped."}
	docAcknowledgeIngestDrift = huma.Operation{Summary: "Acknowledge a drift",
		Description: "Closes an open drift (409 when it is closed already); the same change may open a new one later."}
	docGetIngestQuality = huma.Operation{Summary: "Get a vendor's data quality",
		Description: "The data-quality score (0–100) over 7 and 30 days with its parts: validity (60 points, the share of processed " +
			"events normalized), timeliness (25, the share neither more than 24 hours late nor more than 5 minutes in the future) " +
			"and stability (15, less 1.5 per drift)."}
	docGetIngestTraffic = huma.Operation{Summary: "Get a vendor's traffic per hour",
		Description: "The last 24 hours (UTC), oldest first, every hour present: events stored and how many of them were " +
			"quarantined or failed normalize, and the events resent under an externalEventId already stored, as duplicates " +
			"(same payload, answered 200 DUPLICATE) and conflicts (another payload, refused with 409), counted in the transaction " +
			"that answers them; and the requests or batch items refused before anything was stored (invalid, another vendor's, " +
			"too large, over the rate, badly signed), which each server adds every 5 seconds and when it stops."}
	docListIngestProfiles = huma.Operation{Summary: "List a vendor's field profiles",
		Description: "Per event type: each field's path (arrays as []), the types seen and its presence over the last 64 events."}
)
