package score

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Consequences are the jobs score changes cause; internal/app declares
// them in its table of consequences.
type Consequences struct {
	// BandChanged returns the jobs of a vendor crossing into another band
	// (the notifications, rendered from the event's frozen payload).
	BandChanged func(BandEvent) []jobargs.Args
}

// Service holds the score rules. Safe for concurrent use.
type Service struct {
	Store Store
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Consequences are the jobs band crossings cause.
	Consequences Consequences
	// Blobs keeps rendered reports; ReportSettings returns the tenant's
	// legal name, locale, currency and time zone for them (nil: the
	// tenant's name, en-US, USD, UTC).
	Blobs          Blobs
	ReportSettings func(ctx context.Context, tenantID string) (ReportSettings, error)
}

func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// ActiveRule returns the tenant's active rule, or the default (version 0)
// when it never saved one.
func (s *Service) ActiveRule(ctx context.Context, tenantID string) (ScoringRule, error) {
	r, err := s.Store.ActiveScoreRule(ctx, tenantID)
	if apperr.Is(err, apperr.NotFound) {
		return ScoringRule{TenantID: tenantID, Definition: DefaultRule(), IsActive: true}, nil
	}
	if err != nil {
		return ScoringRule{}, fmt.Errorf("score rule of tenant %s: %w", tenantID, err)
	}
	return r, nil
}

// Submit validates and stores signals from source as principal p, one
// result per item in order. Items of a batch are independent: one bad item
// never stops the rest. Accepted signals cause a rescore of their vendors.
func (s *Service) Submit(ctx context.Context, p auth.Principal, source string, items []Submission) ([]ItemResult, error) {
	if err := p.Require(auth.PermSubmitSignals); err != nil {
		return nil, err
	}
	source = strings.TrimSpace(source)
	if source == "" || len(source) > maxSource {
		return nil, apperr.Invalidf("the source must be 1-%d characters", maxSource)
	}
	if len(items) > MaxBatch {
		return nil, apperr.Invalidf("at most %d signals per request", MaxBatch)
	}
	rule, err := s.ActiveRule(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	res, err := newResolver(ctx, s.Store, p.TenantID, source)
	if err != nil {
		return nil, fmt.Errorf("score.Submit: %w", err)
	}
	now := s.now()
	out := make([]ItemResult, len(items))
	var sigs []Signal
	var at []int
	vendors := map[string]bool{}
	for i, it := range items {
		out[i] = ItemResult{Index: i + 1, EventID: it.EventID}
		if msg := readable(it); msg != "" {
			out[i].Outcome, out[i].Message = Invalid, msg
			continue
		}
		sig := Signal{ID: ident.New(), TenantID: p.TenantID, EventID: strings.TrimSpace(it.EventID), Source: source,
			VendorRef: it.VendorRef, Code: it.Code, Value: it.Value, ObservedAt: it.ObservedAt.UTC().Truncate(time.Microsecond),
			WindowStart: utcPtr(it.WindowStart), WindowEnd: utcPtr(it.WindowEnd), RecordedAt: now, Status: StatusNormalized,
			Note: it.Note}
		vendorID, err := res.resolve(ctx, it.VendorRef)
		if err != nil {
			return nil, fmt.Errorf("score.Submit: %w", err)
		}
		def, reason := check(it, rule.Definition.Window(), now)
		sig.Category = def.Category
		if vendorID == "" {
			reason = MissingVendorRef
		}
		sig.VendorID = vendorID
		if reason != "" {
			sig.Status, sig.RejectionReason = StatusRejected, reason
			out[i].Outcome, out[i].Reason, out[i].Message = Rejected, reason, reason.Explain()
		} else {
			out[i].Outcome = Accepted
			vendors[vendorID] = true
		}
		out[i].SignalID, out[i].VendorID = sig.ID, vendorID
		sigs, at = append(sigs, sig), append(at, i)
	}
	if len(sigs) == 0 {
		return out, nil
	}
	var jobs []jobargs.Args
	for v := range vendors {
		jobs = append(jobs, jobargs.ScoreRescore{Tenant: jobargs.For(p.TenantID), VendorID: v})
	}
	ev := audit.Record(p, "signals.submit", "signal", sigs[0].ID, nil, map[string]any{"source": source, "items": len(items)})
	dup, err := s.Store.RecordSignals(ctx, p.TenantID, sigs, ev, jobs)
	if err != nil {
		return nil, fmt.Errorf("score.Submit: %w", err)
	}
	for k, i := range at {
		if dup[k] {
			out[i].Outcome, out[i].SignalID = Duplicate, sigs[k].ID
		}
	}
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// Rescore computes a vendor's score from its signals under the active
// rule and saves it; when the vendor crossed into another band, the band
// event with its frozen delivery payload and its notifications commit with
// it. It returns the new score.
func (s *Service) Rescore(ctx context.Context, tenantID, vendorID string) (VendorScore, error) {
	rule, err := s.ActiveRule(ctx, tenantID)
	if err != nil {
		return VendorScore{}, err
	}
	now := s.now()
	obs, err := s.Store.VendorObservations(ctx, tenantID, vendorID, now.Add(-rule.Definition.Window()))
	if err != nil {
		return VendorScore{}, fmt.Errorf("score.Rescore %s: %w", vendorID, err)
	}
	prev, err := s.Store.VendorScore(ctx, tenantID, vendorID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return VendorScore{}, fmt.Errorf("score.Rescore %s: %w", vendorID, err)
	}
	res := Composite(rule.Definition, obs, now)
	vs := VendorScore{TenantID: tenantID, VendorID: vendorID, VendorName: prev.VendorName, Result: res,
		RuleVersion: rule.Version, ComputedAt: now}
	c := ScoreChange{Score: vs, HistoryID: ident.New(), History: HistoryPoint{Score: res.Score, Band: res.Band, ComputedAt: now}, Through: now}
	if crossed(prev.Band, res.Band) {
		ev, err := s.bandEvent(ctx, prev, vs)
		if err != nil {
			return VendorScore{}, fmt.Errorf("score.Rescore %s: %w", vendorID, err)
		}
		c.Crossed = &ev
		if s.Consequences.BandChanged != nil {
			c.Jobs = s.Consequences.BandChanged(ev)
		}
	}
	if err := s.Store.SaveScore(ctx, c); err != nil {
		return VendorScore{}, fmt.Errorf("score.Rescore %s: %w", vendorID, err)
	}
	return vs, nil
}

// crossed reports whether moving from band a to b is news: any move
// between bands, and a first score that is already high or critical.
func crossed(a, b Band) bool {
	if a == b || b == NoData {
		return false
	}
	return a != NoData || b.rank() >= High.rank()
}

// RescoreTenant rescores every vendor of the tenant with a score or a
// signal, and returns how many it scored.
func (s *Service) RescoreTenant(ctx context.Context, tenantID string) (int, error) {
	ids, err := s.Store.ScoredVendors(ctx, tenantID)
	if err != nil {
		return 0, fmt.Errorf("score.RescoreTenant %s: %w", tenantID, err)
	}
	for i, id := range ids {
		if _, err := s.Rescore(ctx, tenantID, id); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

// RescoreAll rescores every tenant's vendors (the daily full rescore).
func (s *Service) RescoreAll(ctx context.Context) (int, error) {
	ts, err := s.Store.TenantsWithSignals(ctx)
	if err != nil {
		return 0, fmt.Errorf("score.RescoreAll: %w", err)
	}
	n := 0
	for _, t := range ts {
		k, err := s.RescoreTenant(ctx, t)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
