package score

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// ChangeDays is how far back the portfolio's change column looks.
const ChangeDays = 30

// PortfolioRow is one vendor of the portfolio with its score ChangeDays
// ago and the change since.
type PortfolioRow struct {
	VendorScore
	// Before is the vendor's score ChangeDays ago (its latest history
	// point then); nil when it had none or no data.
	Before *float64 `json:"score_30_days_ago"`
	// Change is the score now minus Before, to one decimal; nil when
	// either is "no data".
	Change *float64 `json:"change_30_days"`
}

// ChangeText is the change as the portfolio shows it: signed, one
// decimal, or "—" when there is nothing to compare.
func (r PortfolioRow) ChangeText() string {
	if r.Change == nil {
		return "—"
	}
	if *r.Change > 0 {
		return "+" + FormatScore(r.Change)
	}
	return FormatScore(r.Change)
}

// PortfolioSort orders the portfolio.
type PortfolioSort string

// The portfolio's orders.
const (
	SortScore  PortfolioSort = "score"  // riskiest first, no data last
	SortName   PortfolioSort = "name"   // by vendor name
	SortBand   PortfolioSort = "band"   // critical first, then by score
	SortChange PortfolioSort = "change" // biggest rise first, nothing to compare last
)

// PortfolioSorts lists the orders.
var PortfolioSorts = []PortfolioSort{SortScore, SortName, SortBand, SortChange}

// BandNone selects, in a portfolio filter, the vendors with no data.
const BandNone = "none"

// PortfolioQuery selects and orders the portfolio.
type PortfolioQuery struct {
	Sort PortfolioSort
	// Band keeps only vendors in it (low, medium, high, critical, or
	// BandNone for no data); empty keeps all.
	Band string
}

// Check refuses an order or band the portfolio does not know.
func (q PortfolioQuery) Check() error {
	if q.Sort != "" && !slices.Contains(PortfolioSorts, q.Sort) {
		return apperr.Invalidf("no such order: %.40s (score, name, band or change)", q.Sort)
	}
	if q.Band != "" && q.Band != BandNone && !slices.Contains(Bands, Band(q.Band)) {
		return apperr.Invalidf("no such band: %.40s (low, medium, high, critical or none)", q.Band)
	}
	return nil
}

// PortfolioView lists the tenant's scored vendors with their change over
// ChangeDays, filtered and ordered by q.
func (s *Service) PortfolioView(ctx context.Context, p auth.Principal, q PortfolioQuery) ([]PortfolioRow, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	vs, err := s.Portfolio(ctx, p)
	if err != nil {
		return nil, err
	}
	before, err := s.Store.ScoresAsOf(ctx, p.TenantID, s.now().Add(-ChangeDays*24*time.Hour))
	if err != nil {
		return nil, fmt.Errorf("score.PortfolioView: %w", err)
	}
	out := make([]PortfolioRow, 0, len(vs))
	for _, v := range vs {
		if q.Band == BandNone && v.Score != nil || q.Band != "" && q.Band != BandNone && v.Band != Band(q.Band) {
			continue
		}
		r := PortfolioRow{VendorScore: v, Before: before[v.VendorID]}
		if r.Score != nil && r.Before != nil {
			c := math.Round((*r.Score-*r.Before)*10) / 10
			r.Change = &c
		}
		out = append(out, r)
	}
	sortPortfolio(out, q.Sort)
	return out, nil
}

// sortPortfolio orders rows stably; ties fall back to the name.
func sortPortfolio(rows []PortfolioRow, by PortfolioSort) {
	name := func(a, b PortfolioRow) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.VendorName), strings.ToLower(b.VendorName)), strings.Compare(a.VendorID, b.VendorID))
	}
	// desc orders present values high first and absent ones last.
	desc := func(a, b *float64) int {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return 1
		case b == nil:
			return -1
		}
		return cmp.Compare(*b, *a)
	}
	slices.SortStableFunc(rows, func(a, b PortfolioRow) int {
		switch by {
		case SortName:
			return name(a, b)
		case SortBand:
			return cmp.Or(cmp.Compare(b.Band.rank(), a.Band.rank()), desc(a.Score, b.Score), name(a, b))
		case SortChange:
			return cmp.Or(desc(a.Change, b.Change), name(a, b))
		}
		return cmp.Or(desc(a.Score, b.Score), name(a, b))
	})
}
