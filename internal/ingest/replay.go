package ingest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Selection picks events to replay; at least one criterion is required.
type Selection struct {
	IngestID      string     `json:"ingest_id,omitempty" maxLength:"26" doc:"One event."`
	VendorID      string     `json:"vendor_id,omitempty" maxLength:"100" doc:"The registry vendor's events."`
	EventType     string     `json:"event_type,omitempty" maxLength:"100" doc:"The vendor's eventType."`
	SchemaVersion string     `json:"schema_version,omitempty" maxLength:"32" doc:"The envelopes' schemaVersion."`
	Status        Status     `json:"status,omitempty" enum:"RECEIVED,NORMALIZED,FAILED_NORMALIZE,QUARANTINED" doc:"Events in this status."`
	Quarantine    bool       `json:"quarantine,omitempty" doc:"Events set aside by normalization: QUARANTINED or FAILED_NORMALIZE."`
	Reason        string     `json:"reason,omitempty" maxLength:"64" doc:"Events quarantined or failed for this reason, e.g. schema_invalid."`
	Since         *time.Time `json:"since,omitempty" doc:"Received at or after."`
	Until         *time.Time `json:"until,omitempty" doc:"Received before."`
}

func (sel Selection) empty() bool {
	return sel.IngestID == "" && sel.VendorID == "" && sel.EventType == "" && sel.SchemaVersion == "" && sel.Status == "" &&
		!sel.Quarantine && sel.Reason == "" && sel.Since == nil && sel.Until == nil
}

// ReplayResult counts what a replay did.
type ReplayResult struct {
	Selected        int `json:"selected"`
	Normalized      int `json:"normalized"`
	FailedNormalize int `json:"failed_normalize"`
	Quarantined     int `json:"quarantined"`
	// Job is set when the selection was too large to replay within the
	// request: the replay runs in the background instead.
	Job *ReplayJob `json:"job,omitempty" doc:"Set when more than 20,000 events are selected: the replay runs in the background (counts above are 0); follow it at GET /api/v1/ingest/replays/{id}."`
}

// MaxReplayAPI is the most events one replay through the API or the UI
// replays within the request; larger ones run in the background (the
// ingest.replay job), with progress.
const MaxReplayAPI = 20000

// Replay normalizes the selected events again with today's schemas and
// mappings, as an admin asked through the API or the UI.
func (s *Service) Replay(ctx context.Context, p auth.Principal, sel Selection) (ReplayResult, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return ReplayResult{}, err
	}
	if err := sel.Check(); err != nil {
		return ReplayResult{}, err
	}
	n, err := s.Store.CountSelected(ctx, p.TenantID, sel)
	if err != nil {
		return ReplayResult{}, err
	}
	if sel.IngestID != "" && n == 0 {
		return ReplayResult{}, apperr.E(apperr.NotFound, "ingest event not found")
	}
	if n > s.replayInline() {
		job, err := s.startReplay(ctx, p, sel, n)
		if err != nil {
			return ReplayResult{}, err
		}
		return ReplayResult{Job: &job}, nil
	}
	if err := s.Store.RecordReplay(ctx, audit.Record(p, "ingest.replay", "ingest_events", sel.IngestID, nil, sel)); err != nil {
		return ReplayResult{}, err
	}
	return s.ReplayTenant(ctx, p.TenantID, sel, nil)
}

// ReplayFromCommand replays a tenant's selected events for an operator at
// the command line, without the API's size limit, audited as the system.
// An ingest id that selects nothing is not found.
func (s *Service) ReplayFromCommand(ctx context.Context, tenantID string, sel Selection, progress func(done, total int)) (ReplayResult, error) {
	if err := sel.Check(); err != nil {
		return ReplayResult{}, err
	}
	if sel.IngestID != "" {
		if n, err := s.Store.CountSelected(ctx, tenantID, sel); err != nil {
			return ReplayResult{}, err
		} else if n == 0 {
			return ReplayResult{}, apperr.E(apperr.NotFound, "ingest event %s not found", sel.IngestID)
		}
	}
	if err := s.Store.RecordReplay(ctx, audit.Record(auth.System(tenantID), "ingest.replay", "ingest_events", sel.IngestID, nil, sel)); err != nil {
		return ReplayResult{}, err
	}
	return s.ReplayTenant(ctx, tenantID, sel, progress)
}

// VendorByKeyOrID finds a tenant's ingest vendor by its vendor key (the
// envelopes' vendorId) or its registry id.
func (s *Service) VendorByKeyOrID(ctx context.Context, tenantID, v string) (VendorSetup, error) {
	vs, err := s.Store.IngestVendorByKey(ctx, tenantID, v)
	if apperr.Is(err, apperr.NotFound) {
		vs, err = s.Store.IngestVendor(ctx, tenantID, v)
	}
	if apperr.Is(err, apperr.NotFound) {
		return VendorSetup{}, apperr.E(apperr.NotFound, "no ingest vendor with the key or id %q", v)
	}
	return vs, err
}

// Check reports what is wrong with a selection, field by field.
func (sel Selection) Check() error {
	var v apperr.Validation
	v.Check(!sel.empty(), "selection", "choose events to replay: an ingest id, a vendor, an event type, a schema version, a status or a time window")
	v.Check(sel.Status == "" || validStatus(sel.Status), "status", "must be one of RECEIVED, NORMALIZED, FAILED_NORMALIZE, QUARANTINED")
	v.Check(sel.Reason == "" || slices.Contains(Reasons, sel.Reason), "reason", "must be one of %s", strings.Join(Reasons, ", "))
	v.Check(sel.Since == nil || sel.Until == nil || sel.Since.Before(*sel.Until), "until", "must be after since")
	return v.Err()
}

// ReplayTenant replays a tenant's selected events, in id order, calling
// progress (when set) after each round with the events done and selected.
// A replay revises a normalized event in place: its revision goes up only
// when its bytes change.
func (s *Service) ReplayTenant(ctx context.Context, tenantID string, sel Selection, progress func(done, total int)) (ReplayResult, error) {
	if err := sel.Check(); err != nil {
		return ReplayResult{}, err
	}
	var res ReplayResult
	total, err := s.Store.CountSelected(ctx, tenantID, sel)
	if err != nil {
		return res, err
	}
	r, err := s.loadRules(ctx, tenantID)
	if err != nil {
		return res, err
	}
	after := ""
	for {
		page, last, err := s.replayPage(ctx, r, tenantID, sel, after, normalizeBatch)
		if err != nil {
			return res, err
		}
		if page.Selected == 0 {
			break
		}
		res.Selected += page.Selected
		res.Normalized += page.Normalized
		res.FailedNormalize += page.FailedNormalize
		res.Quarantined += page.Quarantined
		after = last
		if progress != nil {
			progress(res.Selected, max(total, res.Selected))
		}
	}
	_, err = s.ArchiveNormalized(ctx, tenantID)
	return res, err
}

// replayPage replays up to limit selected events after afterID and
// stores their outcomes in one transaction; it returns their counts and
// the last event's id.
func (s *Service) replayPage(ctx context.Context, r *rules, tenantID string, sel Selection, afterID string, limit int) (ReplayResult, string, error) {
	var res ReplayResult
	evs, err := s.Store.SelectEvents(ctx, tenantID, sel, afterID, limit)
	if err != nil || len(evs) == 0 {
		return res, afterID, err
	}
	at := s.now()
	outs := make([]Outcome, len(evs))
	for i, ev := range evs {
		outs[i] = s.normalizeOne(ctx, r, ev, at)
		s.log().DebugContext(ctx, "ingest event replayed", append(ev.logKeys(), "status", outs[i].Status, "reason", outs[i].Reason)...)
		switch outs[i].Status {
		case Normalized:
			res.Normalized++
		case FailedNormalize:
			res.FailedNormalize++
		default:
			res.Quarantined++
		}
	}
	if err := s.Store.SaveOutcomes(ctx, tenantID, outs, s.deliverJobs(tenantID)); err != nil {
		return res, afterID, fmt.Errorf("ingest.Replay %s: %w", tenantID, err)
	}
	res.Selected = len(evs)
	return res, evs[len(evs)-1].ID, nil
}
