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
	for attempt := 1; ; attempt++ {
		vs, err := s.rescore(ctx, tenantID, vendorID)
		if !apperr.Is(err, apperr.Conflict) || attempt == rescoreAttempts {
			return vs, err
		}
	}
}

// rescoreAttempts is how often Rescore computes again when another
// rescore of the vendor saved first.
const rescoreAttempts = 5

func (s *Service) rescore(ctx context.Context, tenantID, vendorID string) (VendorScore, error) {
	rule, err := s.ActiveRule(ctx, tenantID)
	if err != nil {
		return VendorScore{}, err
	}
	prev, err := s.Store.VendorScore(ctx, tenantID, vendorID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return VendorScore{}, fmt.Errorf("score.Rescore %s: %w", vendorID, err)
	}
	now := s.now()
	d := rule.Definition
	sums, err := s.Store.VendorSignalSums(ctx, tenantID, vendorID, now.Add(-d.Window()), now, d.HalfLifeDays)
	if err == nil && !allInRange(sums) {
		sums, err = s.observedSums(ctx, tenantID, vendorID, d, now)
	}
	if err != nil {
		return VendorScore{}, fmt.Errorf("score.Rescore %s: %w", vendorID, err)
	}
	c, err := s.change(ctx, rule, prev, vendorID, sums, now)
	if err != nil {
		return VendorScore{}, fmt.Errorf("score.Rescore %s: %w", vendorID, err)
	}
	if err := s.Store.SaveScores(ctx, []ScoreChange{c}); err != nil {
		return VendorScore{}, fmt.Errorf("score.Rescore %s: %w", vendorID, err)
	}
	return c.Score, nil
}

// observedSums sums a vendor's observations one by one, clamping each
// value into its range: the exact path when a stored value lies outside
// the range its code has now.
func (s *Service) observedSums(ctx context.Context, tenantID, vendorID string, d RuleDefinition, now time.Time) ([]CodeSum, error) {
	obs, err := s.Store.VendorObservations(ctx, tenantID, vendorID, now.Add(-d.Window()))
	if err != nil {
		return nil, err
	}
	return Sums(d, obs, now), nil
}

func allInRange(sums []CodeSum) bool {
	for _, c := range sums {
		if !c.InRange() {
			return false
		}
	}
	return true
}

// change is the write of a vendor's new score from its sums: the score,
// its history point and, when it crossed a band, the band event with its
// notifications.
func (s *Service) change(ctx context.Context, rule ScoringRule, prev VendorScore, vendorID string, sums []CodeSum, now time.Time) (ScoreChange, error) {
	res := CompositeOfSums(rule.Definition, sums)
	vs := VendorScore{TenantID: rule.TenantID, VendorID: vendorID, VendorName: prev.VendorName, Result: res,
		RuleVersion: rule.Version, ComputedAt: now}
	c := ScoreChange{Score: vs, HistoryID: ident.New(), History: HistoryPoint{Score: res.Score, Band: res.Band, ComputedAt: now}, Through: now,
		From: ScoreState{Band: prev.Band, ComputedAt: prev.ComputedAt}}
	if crossed(prev.Band, res.Band) {
		ev, err := s.bandEvent(ctx, prev, vs)
		if err != nil {
			return ScoreChange{}, err
		}
		c.Crossed = &ev
		if s.Consequences.BandChanged != nil {
			c.Jobs = s.Consequences.BandChanged(ev)
		}
	}
	return c, nil
}

// crossed reports whether moving from band a to b is news: any move
// between bands, and a first score that is already high or critical.
func crossed(a, b Band) bool {
	if a == b || b == NoData {
		return false
	}
	return a != NoData || b.rank() >= High.rank()
}

// rescoreChunk is how many vendors' scores a full rescore writes per
// transaction.
const rescoreChunk = 100

// RescoreTenant rescores every vendor of the tenant with a score or a
// signal, and returns how many it scored. One query sums every vendor's
// signals; the scores are written a chunk of vendors per transaction.
func (s *Service) RescoreTenant(ctx context.Context, tenantID string) (int, error) {
	rule, err := s.ActiveRule(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	ids, err := s.Store.ScoredVendors(ctx, tenantID)
	if err != nil {
		return 0, fmt.Errorf("score.RescoreTenant %s: %w", tenantID, err)
	}
	scores, err := s.Store.ListVendorScores(ctx, tenantID)
	if err != nil {
		return 0, fmt.Errorf("score.RescoreTenant %s: %w", tenantID, err)
	}
	prev := make(map[string]VendorScore, len(scores))
	for _, v := range scores {
		prev[v.VendorID] = v
	}
	now := s.now()
	d := rule.Definition
	sums, err := s.Store.TenantSignalSums(ctx, tenantID, now.Add(-d.Window()), now, d.HalfLifeDays)
	if err != nil {
		return 0, fmt.Errorf("score.RescoreTenant %s: %w", tenantID, err)
	}
	done := 0
	batch := make([]ScoreChange, 0, rescoreChunk)
	for i, id := range ids {
		vs := sums[id]
		if !allInRange(vs) {
			if vs, err = s.observedSums(ctx, tenantID, id, d, now); err != nil {
				return done, fmt.Errorf("score.RescoreTenant %s: %w", tenantID, err)
			}
		}
		c, err := s.change(ctx, rule, prev[id], id, vs, now)
		if err != nil {
			return done, fmt.Errorf("score.RescoreTenant %s: %w", tenantID, err)
		}
		batch = append(batch, c)
		if len(batch) == rescoreChunk || i == len(ids)-1 {
			if err := s.saveChunk(ctx, batch); err != nil {
				return done, fmt.Errorf("score.RescoreTenant %s: %w", tenantID, err)
			}
			done += len(batch)
			batch = batch[:0]
		}
	}
	return done, nil
}

// saveChunk writes a chunk of a full rescore; when a vendor of it was
// rescored meanwhile (a signal landed), it rescores the chunk's vendors one
// by one instead.
func (s *Service) saveChunk(ctx context.Context, batch []ScoreChange) error {
	err := s.Store.SaveScores(ctx, batch)
	if !apperr.Is(err, apperr.Conflict) {
		return err
	}
	for _, c := range batch {
		if _, err := s.Rescore(ctx, c.Score.TenantID, c.Score.VendorID); err != nil {
			return err
		}
	}
	return nil
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
