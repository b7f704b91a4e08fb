package score

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Rules lists every version of the tenant's scoring rule, newest first.
func (s *Service) Rules(ctx context.Context, p auth.Principal) ([]ScoringRule, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	rs, err := s.Store.ScoreRules(ctx, p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("score.Rules: %w", err)
	}
	return rs, nil
}

// ScoringRule returns one version of the tenant's scoring rule.
func (s *Service) ScoringRule(ctx context.Context, p auth.Principal, id string) (ScoringRule, error) {
	if err := p.Require(auth.PermView); err != nil {
		return ScoringRule{}, err
	}
	r, err := s.Store.ScoreRule(ctx, p.TenantID, id)
	if err != nil {
		return ScoringRule{}, fmt.Errorf("score.Rule %s: %w", id, err)
	}
	return r, nil
}

// MaxNote bounds a rule's note.
const MaxNote = 2000

// CreateRule saves d as the tenant's next rule version, inactive; a rule
// whose weights cannot produce a valid score is refused with the reason.
func (s *Service) CreateRule(ctx context.Context, p auth.Principal, d RuleDefinition, note string) (ScoringRule, error) {
	if err := p.Require(auth.PermEditScoring); err != nil {
		return ScoringRule{}, err
	}
	if err := d.Validate(); err != nil {
		return ScoringRule{}, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return ScoringRule{}, apperr.Invalidf("the note must be at most %d characters", MaxNote)
	}
	r := ScoringRule{ID: ident.New(), TenantID: p.TenantID, Definition: d, Note: note, CreatedBy: p.Label, CreatedAt: s.now()}
	v, err := s.Store.CreateScoreRule(ctx, r, audit.Record(p, "score_rule.create", "score_rule", r.ID, nil, d))
	if err != nil {
		return ScoringRule{}, fmt.Errorf("score.CreateRule: %w", err)
	}
	r.Version = v
	return r, nil
}

// ActivateRule makes rule id the tenant's only active rule, atomically
// (concurrent activations leave exactly one active), and rescores every
// vendor under it.
func (s *Service) ActivateRule(ctx context.Context, p auth.Principal, id string) (ScoringRule, error) {
	if err := p.Require(auth.PermEditScoring); err != nil {
		return ScoringRule{}, err
	}
	r, err := s.Store.ScoreRule(ctx, p.TenantID, id)
	if err != nil {
		return ScoringRule{}, fmt.Errorf("score.ActivateRule %s: %w", id, err)
	}
	now := s.now()
	ev := audit.Record(p, "score_rule.activate", "score_rule", id, nil, map[string]any{"version": r.Version})
	jobs := []jobargs.Args{jobargs.ScoreRescoreTenant{Tenant: jobargs.For(p.TenantID)}}
	if err := s.Store.ActivateScoreRule(ctx, p.TenantID, id, now, ev, jobs); err != nil {
		return ScoringRule{}, fmt.Errorf("score.ActivateRule %s: %w", id, err)
	}
	r.IsActive, r.ActivatedAt = true, &now
	return r, nil
}

// MapExternalID records that source calls vendor vendorID externalID, so
// its signals resolve by vendor_ref.external_id.
func (s *Service) MapExternalID(ctx context.Context, p auth.Principal, vendorID, source, externalID string) error {
	if err := p.Require(auth.PermEditVendors); err != nil {
		return err
	}
	if _, err := s.Store.Vendor(ctx, p.TenantID, vendorID); err != nil {
		return fmt.Errorf("score.MapExternalID: %w", err)
	}
	source, externalID = strings.TrimSpace(source), strings.TrimSpace(externalID)
	var v apperr.Validation
	v.Check(source != "" && len(source) <= maxSource, "source", "must be 1-%d characters", maxSource)
	v.Check(externalID != "" && len(externalID) <= 200, "external_id", "must be 1-200 characters")
	if err := v.Err(); err != nil {
		return err
	}
	ev := audit.Record(p, "vendor.map_external_id", "vendor", vendorID, nil, map[string]any{"source": source, "external_id": externalID})
	if err := s.Store.MapExternalID(ctx, p.TenantID, source, externalID, vendorID, s.now(), ev); err != nil {
		return fmt.Errorf("score.MapExternalID: %w", err)
	}
	return nil
}

// Card is everything the vendor score page shows.
type Card struct {
	Score       VendorScore    `json:"score"`
	History     []HistoryPoint `json:"history" nullable:"false"`
	Bands       []BandEvent    `json:"band_changes" nullable:"false"`
	ScoringRule ScoringRule    `json:"rule"`
}

// HistoryDays is how far back a card's trend goes.
const HistoryDays = 180

// VendorCard returns a vendor's score, trend and band changes; a vendor
// never scored shows "no data".
func (s *Service) VendorCard(ctx context.Context, p auth.Principal, vendorID string) (Card, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Card{}, err
	}
	v, err := s.Store.Vendor(ctx, p.TenantID, vendorID)
	if err != nil {
		return Card{}, fmt.Errorf("score.VendorCard: %w", err)
	}
	vs, err := s.Store.VendorScore(ctx, p.TenantID, vendorID)
	if apperr.Is(err, apperr.NotFound) {
		vs, err = VendorScore{VendorID: v.ID, Result: Result{Contributors: []Contributor{}}}, nil
	}
	if err != nil {
		return Card{}, fmt.Errorf("score.VendorCard: %w", err)
	}
	vs.VendorName = v.Name
	c := Card{Score: vs}
	if c.History, err = s.Store.ScoreHistory(ctx, p.TenantID, vendorID, s.now().Add(-HistoryDays*24*time.Hour)); err != nil {
		return Card{}, fmt.Errorf("score.VendorCard: %w", err)
	}
	if c.Bands, err = s.Store.BandEvents(ctx, p.TenantID, vendorID, 20); err != nil {
		return Card{}, fmt.Errorf("score.VendorCard: %w", err)
	}
	if c.ScoringRule, err = s.ActiveRule(ctx, p.TenantID); err != nil {
		return Card{}, err
	}
	return c, nil
}

// Portfolio lists every vendor of the tenant: the scored ones riskiest
// first, then the active vendors never scored (no data), by name.
func (s *Service) Portfolio(ctx context.Context, p auth.Principal) ([]VendorScore, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	vs, err := s.Store.ListVendorScores(ctx, p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("score.Portfolio: %w", err)
	}
	all, err := s.Store.ScoreVendors(ctx, p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("score.Portfolio: %w", err)
	}
	scored := make(map[string]bool, len(vs))
	for _, v := range vs {
		scored[v.VendorID] = true
	}
	for _, v := range all {
		if v.IsActive && !scored[v.ID] {
			vs = append(vs, VendorScore{TenantID: p.TenantID, VendorID: v.ID, VendorName: v.Name, Result: Result{Contributors: []Contributor{}}})
		}
	}
	return vs, nil
}

// Signals pages through the tenant's signals: accepted ones (of a vendor
// when f.VendorID is set) or, with f.Rejected, the rejections.
func (s *Service) Signals(ctx context.Context, p auth.Principal, f SignalFilter) ([]Signal, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	if f.Reason != "" {
		ok := false
		for _, r := range Reasons {
			ok = ok || r == f.Reason
		}
		if !ok {
			return nil, "", apperr.Invalidf("no such rejection reason: %.40s", f.Reason)
		}
	}
	if f.VendorID != "" {
		if _, err := s.Store.Vendor(ctx, p.TenantID, f.VendorID); err != nil {
			return nil, "", fmt.Errorf("score.Signals: %w", err)
		}
	}
	out, next, err := s.Store.ListSignals(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("score.Signals: %w", err)
	}
	return out, next, nil
}
