// Package scoredemo loads the scores demo: eight weeks of signals from the
// demo vendors' outside systems (delivery, quality, security, satisfaction
// feeds), each week scored as it would have been that week, so the demo
// shows scores with a history — and one vendor, Twilio, sliding from the
// low band into high. The signals VendorSync's own modules emit about the
// demo vendors (the demo tickets, the reconciled price files) flow into
// the same scores through the usual seam once the workers run.
package scoredemo

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/score"
)

// Source is the source the demo's signals are submitted under.
const Source = "demo-feeds"

// Weeks is how many weekly points of history the demo writes.
const Weeks = 8

// Series is one signal code's weekly values, moving in a straight line
// from From (the oldest week) to To (this week).
type Series struct {
	Code     string
	From, To float64
}

// Vendor is one demo vendor's feeds, by its registry name.
type Vendor struct {
	Name   string
	Series []Series
}

// Crossing names the demo vendor whose score crosses bands.
const Crossing = "Twilio"

// Vendors are the demo's scored vendors. Twilio's deliveries, quality and
// security slide week after week; the others hold steady at their level.
var Vendors = []Vendor{
	{Name: "Visa", Series: []Series{{"on_time_delivery_rate", 0.97, 0.98}, {"security_rating", 91, 93}, {"satisfaction_score", 86, 88}}},
	{Name: "Mastercard", Series: []Series{{"on_time_delivery_rate", 0.95, 0.94}, {"security_rating", 88, 87}, {"payment_dispute_count", 2, 3}}},
	{Name: "Stripe", Series: []Series{{"service_uptime_pct", 97, 96}, {"defect_rate", 0.3, 0.32}, {"satisfaction_score", 62, 60}}},
	{Name: "AWS", Series: []Series{{"service_uptime_pct", 99.95, 99.9}, {"security_rating", 90, 90}, {"critical_vulnerabilities_open", 2, 1}}},
	{Name: Crossing, Series: []Series{{"on_time_delivery_rate", 0.82, 0.05}, {"defect_rate", 0.15, 0.95},
		{"security_incident_count", 1, 5}, {"satisfaction_score", 75, 10}}},
	{Name: "Okta", Series: []Series{{"security_rating", 62, 58}, {"security_incident_count", 2, 2}, {"satisfaction_score", 60, 55}}},
	{Name: "Midwest Fastener Supply", Series: []Series{{"on_time_delivery_rate", 0.88, 0.85}, {"lead_time_days_late", 6, 9},
		{"invoice_mismatch_rate", 0.08, 0.12}}},
	{Name: "Allied Safety & Janitorial", Series: []Series{{"on_time_delivery_rate", 0.8, 0.78}, {"defect_rate", 0.1, 0.12},
		{"certification_lapsed", 0, 0}}},
}

// Result says what Load did.
type Result struct {
	// Loaded is false when the demo's vendors already have scores.
	Loaded  bool
	Vendors int
	Signals int
	// Crossed counts band crossings the history went through.
	Crossed int
}

func (r Result) String() string {
	if !r.Loaded {
		return "the demo vendors already have scores; nothing loaded"
	}
	return fmt.Sprintf("scored %d vendors over %d weeks from %d signals, %d band crossings", r.Vendors, Weeks, r.Signals, r.Crossed)
}

// value is the series' value in week k (0 the oldest), as its code takes
// it: counts, flags and ratings whole.
func (s Series) value(k int) float64 {
	v := s.From + (s.To-s.From)*float64(k)/float64(Weeks-1)
	d, _ := score.Lookup(s.Code)
	switch d.ValueType {
	case score.Count, score.Flag, score.Rating:
		return math.Round(v)
	case score.Percent, score.Days:
		return math.Round(v*100) / 100
	}
	return math.Round(v*1000) / 1000
}

// Load submits the demo's signals into the tenant, week by week, and
// scores each week as of its end, so the history has a point per week and
// band crossings are recorded when they happened. Vendors missing from the
// registry are left out; when the demo vendors already have scores (a
// second start with --demo) nothing is loaded.
func Load(ctx context.Context, s *score.Service, tenantID string, now time.Time) (Result, error) {
	entries, err := s.Store.ScoreVendors(ctx, tenantID)
	if err != nil {
		return Result{}, fmt.Errorf("scoredemo: %w", err)
	}
	ids := map[string]string{}
	for _, e := range entries {
		ids[strings.ToLower(e.Name)] = e.ID
	}
	var vendors []Vendor
	for _, v := range Vendors {
		id, ok := ids[strings.ToLower(v.Name)]
		if !ok {
			continue
		}
		_, err := s.Store.VendorScore(ctx, tenantID, id)
		if err == nil {
			return Result{}, nil
		}
		if !apperr.Is(err, apperr.NotFound) {
			return Result{}, fmt.Errorf("scoredemo: %w", err)
		}
		vendors = append(vendors, v)
	}
	res := Result{Loaded: true, Vendors: len(vendors)}
	now = now.UTC().Truncate(time.Second)
	sys := auth.System(tenantID)
	for k := range Weeks {
		at := now.Add(-time.Duration(Weeks-1-k) * 7 * 24 * time.Hour)
		var items []score.Submission
		for _, v := range vendors {
			slug := strings.ToLower(strings.NewReplacer(" ", "-", "&", "and").Replace(v.Name))
			for _, sr := range v.Series {
				x := sr.value(k)
				items = append(items, score.Submission{EventID: fmt.Sprintf("demo:%s:%s:w%d", slug, sr.Code, k),
					VendorRef: score.VendorRef{ID: ids[strings.ToLower(v.Name)]}, Code: sr.Code, Value: &x,
					ObservedAt: at.Add(-time.Hour), Note: "weekly feed"})
			}
		}
		out, err := s.Submit(ctx, sys, Source, items)
		if err != nil {
			return res, fmt.Errorf("scoredemo: week %d: %w", k, err)
		}
		for _, r := range out {
			if r.Outcome != score.Accepted && r.Outcome != score.Duplicate {
				return res, fmt.Errorf("scoredemo: week %d: %s %s: %s %s", k, r.EventID, r.Outcome, r.Reason, r.Message)
			}
			res.Signals++
		}
		// Score as of that week: only the signals observed so far exist.
		then := *s
		then.Now = func() time.Time { return at }
		for _, v := range vendors {
			id := ids[strings.ToLower(v.Name)]
			before, err := s.Store.VendorScore(ctx, tenantID, id)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return res, fmt.Errorf("scoredemo: %w", err)
			}
			after, err := then.Rescore(ctx, tenantID, id)
			if err != nil {
				return res, fmt.Errorf("scoredemo: week %d: %w", k, err)
			}
			if before.Band != score.NoData && before.Band != after.Band {
				res.Crossed++
			}
		}
	}
	return res, nil
}
