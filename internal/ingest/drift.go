package ingest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// DriftCap is how many drifts one vendor may open in an hour; more in the
// same hour are dropped, so a vendor that changes everything at once does
// not bury the admins.
const DriftCap = 20

// DriftStore is what profiles, drift and quality read and write.
type DriftStore interface {
	// Profile returns a vendor event type's profile; not found when none
	// is learned yet.
	Profile(ctx context.Context, tenantID, vendorID, eventType string) (Profile, error)
	ListProfiles(ctx context.Context, tenantID, vendorID string) ([]Profile, error)
	// SaveLearning stores profiles and opens drifts in one transaction. A
	// drift is left out when one of its vendor, event type, path and kind
	// is open, or when its vendor opened limit drifts in the hour before
	// it; jobs(d) commit with each drift opened. It returns those opened.
	SaveLearning(ctx context.Context, tenantID string, ps []Profile, ds []Drift, limit int, jobs func(Drift) []jobargs.Args) ([]Drift, error)
	// EnqueueJobs enqueues jobs in one transaction.
	EnqueueJobs(ctx context.Context, jobs []jobargs.Args) error
	// ListDrifts lists a vendor's drifts, newest first.
	ListDrifts(ctx context.Context, tenantID, vendorID string, openOnly bool) ([]Drift, error)
	IngestDrift(ctx context.Context, tenantID, id string) (Drift, error)
	// AcknowledgeDrift closes an open drift; one already closed is a
	// conflict.
	AcknowledgeDrift(ctx context.Context, d Drift, ev audit.Event) error
	// QualityCounts counts a vendor's events received at or after since
	// (ids from sinceID) by outcome and timeliness, and its drifts since.
	QualityCounts(ctx context.Context, tenantID, vendorID, sinceID string, since time.Time) (QualityCounts, error)
	// HourlyCounts counts a vendor's events from sinceID by the UTC hour
	// of their receipt and outcome, with its repeats and refusals counted
	// in hours from since; hours without any may be left out, and an hour
	// may come more than once (its counts add up).
	HourlyCounts(ctx context.Context, tenantID, vendorID, sinceID string, since time.Time) ([]HourCounts, error)
}

// learn updates the profiles of the vendors' event types with the
// payloads of newly received events and opens the drifts they show; outs
// are the events' outcomes, in order. It runs after the outcomes are
// committed, in its own transaction: its trouble is logged, never the
// normalizer's. It returns the vendors it learned about (registry id →
// vendor key), to be measured.
func (s *Service) learn(ctx context.Context, tenantID string, evs []Event, outs []Outcome) map[string]string {
	profiles := map[[2]string]*Profile{}
	var order []*Profile
	var drifts []Drift
	// keys are the vendor keys of the registry vendors learned, and
	// sources the events that showed each drift, for the log lines.
	keys := map[string]string{}
	sources := map[string]Event{}
	for i, ev := range evs {
		if ev.Status != Received {
			continue // a replay: the event was learned when it arrived
		}
		eventType, shape, ok := learnedShape(ev, outs[i])
		if !ok {
			continue
		}
		key := [2]string{ev.VendorID, eventType}
		p := profiles[key]
		if p == nil {
			got, err := s.Store.Profile(ctx, tenantID, ev.VendorID, eventType)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				s.log().ErrorContext(ctx, "ingest profile load failed", append(ev.logKeys(), "err", err.Error())...)
				return nil
			}
			got.TenantID, got.VendorID, got.EventType = tenantID, ev.VendorID, eventType
			p = &got
			profiles[key] = p
			order = append(order, p)
		}
		keys[ev.VendorID] = ev.VendorKey
		for _, d := range p.detect(shape) {
			d.ID, d.TenantID, d.VendorID, d.EventType, d.IngestID, d.DetectedAt = ident.New(), tenantID, ev.VendorID, eventType, ev.ID, s.now()
			drifts = append(drifts, d)
			sources[ev.ID] = ev
		}
		p.add(shape)
		p.UpdatedAt = s.now()
	}
	if len(order) == 0 {
		return nil
	}
	ps := make([]Profile, len(order))
	for i, p := range order {
		p.encode()
		ps[i] = *p
	}
	opened, err := s.Store.SaveLearning(ctx, tenantID, ps, drifts, DriftCap, s.driftJobs)
	if err != nil {
		s.log().ErrorContext(ctx, "ingest profile save failed", "tenant", tenantID, "events", len(evs), "err", err.Error())
		return nil
	}
	for _, d := range opened {
		s.log().InfoContext(ctx, "ingest drift", append(sources[d.IngestID].logKeys(), "eventType", d.EventType, "path", d.Path,
			"kind", d.Kind, "breaking", d.Breaking, "driftId", d.ID)...)
		s.metrics().drift(d.Kind)
	}
	return keys
}

// learnedShape is the eventType and payload shape of a newly received
// event: those normalizing it found, or else read from its bytes; ok is
// false when they do not read as an envelope with a JSON payload.
func learnedShape(ev Event, o Outcome) (eventType string, shape map[string]bool, ok bool) {
	if o.shape != nil {
		return o.eventType, o.shape, true
	}
	env, err := ParseEnvelope(ev.Raw)
	if err != nil {
		return "", nil, false
	}
	shape, err = payloadShape(env.Payload)
	if err != nil {
		return "", nil, false
	}
	return env.EventType, shape, true
}

func (s *Service) driftJobs(d Drift) []jobargs.Args {
	if s.Consequences.Drifted == nil {
		return nil
	}
	return s.Consequences.Drifted(d)
}

// Drifts lists a vendor's drifts, newest first (only the open ones when
// openOnly).
func (s *Service) Drifts(ctx context.Context, p auth.Principal, vendorID string, openOnly bool) ([]Drift, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	if _, err := s.Store.IngestVendor(ctx, p.TenantID, vendorID); err != nil {
		return nil, err
	}
	return s.Store.ListDrifts(ctx, p.TenantID, vendorID, openOnly)
}

// Profiles lists the field profiles of a vendor's event types.
func (s *Service) Profiles(ctx context.Context, p auth.Principal, vendorID string) ([]ProfileView, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	if _, err := s.Store.IngestVendor(ctx, p.TenantID, vendorID); err != nil {
		return nil, err
	}
	ps, err := s.Store.ListProfiles(ctx, p.TenantID, vendorID)
	if err != nil {
		return nil, err
	}
	out := make([]ProfileView, len(ps))
	for i, pr := range ps {
		out[i] = ProfileView{Profile: pr, Window: len(pr.Seen), Fields: pr.Fields()}
	}
	return out, nil
}

// ProfileView is a profile with its fields summarized.
type ProfileView struct {
	Profile
	Window int            `json:"window" doc:"How many recent events the fields are learned from (64 at most)."`
	Fields []FieldProfile `json:"fields"`
}

// AcknowledgeDrift closes a vendor's open drift: someone has seen it, and
// the same change of the same path may open a new one later.
func (s *Service) AcknowledgeDrift(ctx context.Context, p auth.Principal, vendorID, id string) (Drift, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return Drift{}, err
	}
	d, err := s.Store.IngestDrift(ctx, p.TenantID, id)
	if err != nil {
		return Drift{}, err
	}
	if d.VendorID != vendorID {
		return Drift{}, apperr.E(apperr.NotFound, "drift not found")
	}
	if d.AcknowledgedAt != nil {
		return Drift{}, apperr.E(apperr.Conflict, "the drift is already acknowledged")
	}
	before := d
	at := s.now()
	d.AcknowledgedAt, d.AcknowledgedBy = &at, p.Label
	if err := s.Store.AcknowledgeDrift(ctx, d, audit.Record(p, "ingest_drift.acknowledge", "ingest_drift", d.ID, before, d)); err != nil {
		return Drift{}, fmt.Errorf("ingest.AcknowledgeDrift %s: %w", id, err)
	}
	return d, nil
}

// Measure is a vendor's data quality over the last 7 days, taken at most
// once an hour while its events arrive; its consequences are the score
// signals event_quarantine_rate, schema_drift_count and data_quality_score.
type Measure struct {
	TenantID string
	VendorID string
	// Hour is the hour it was taken in; the signals are keyed by it, so
	// another process measuring in the same hour adds nothing.
	Hour    time.Time
	Quality Quality
}

// measure measures the vendors (registry id → vendor key) not measured
// yet this hour, after their learning is stored (so a measure counts the
// drifts the same events opened), and commits the jobs of their measures.
// A normalize pass calls it once it has caught up with the events waiting,
// so an hour's measure is not taken halfway through a backlog. A vendor
// whose measure fails is measured again with its next events.
func (s *Service) measure(ctx context.Context, tenantID string, vendors map[string]string) {
	if s.Consequences.Measured == nil {
		return
	}
	now := s.now()
	hour := now.Truncate(time.Hour)
	var jobs []jobargs.Args
	var measured []string
	for _, id := range slices.Sorted(maps.Keys(vendors)) {
		if last, ok := s.measured.Load(tenantID + "/" + id); ok && last.(time.Time).Equal(hour) {
			continue
		}
		qs, err := s.quality(ctx, tenantID, id, now)
		if err != nil {
			s.log().ErrorContext(ctx, "ingest quality failed", "vendorId", vendors[id], "err", err.Error())
			continue
		}
		jobs = append(jobs, s.Consequences.Measured(Measure{TenantID: tenantID, VendorID: id, Hour: hour, Quality: qs[0]})...)
		measured = append(measured, id)
	}
	if len(jobs) == 0 {
		return
	}
	if err := s.Store.EnqueueJobs(ctx, jobs); err != nil {
		s.log().ErrorContext(ctx, "ingest measure failed", "tenant", tenantID, "err", err.Error())
		return
	}
	for _, v := range measured {
		s.measured.Store(tenantID+"/"+v, hour)
	}
}
