package score

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Band is a vendor's risk class.
type Band string

// The four bands, least risky first. NoData is a vendor without a
// scorable signal in the window: never a perfect or a worst score.
const (
	Low      Band = "low"
	Medium   Band = "medium"
	High     Band = "high"
	Critical Band = "critical"
	NoData   Band = ""
)

// Bands lists the bands, least risky first.
var Bands = []Band{Low, Medium, High, Critical}

// Label is the band's name in the UI.
func (b Band) Label() string {
	switch b {
	case Low:
		return "Low"
	case Medium:
		return "Medium"
	case High:
		return "High"
	case Critical:
		return "Critical"
	}
	return "No data"
}

// rank orders bands: NoData -1, Low 0 … Critical 3.
func (b Band) rank() int { return slices.Index(Bands, b) }

// Thresholds are the lowest scores of the medium, high and critical bands.
type Thresholds struct {
	Medium   float64 `json:"medium" doc:"Lowest score of the medium band."`
	High     float64 `json:"high" doc:"Lowest score of the high band."`
	Critical float64 `json:"critical" doc:"Lowest score of the critical band."`
}

// Band classifies a score.
func (t Thresholds) Band(score float64) Band {
	switch {
	case score >= t.Critical:
		return Critical
	case score >= t.High:
		return High
	case score >= t.Medium:
		return Medium
	}
	return Low
}

// RuleDefinition is what a tenant tunes in a rule. Weights are relative: a
// category's weight against the others present, a signal's weight against
// the other signals of its category.
type RuleDefinition struct {
	CategoryWeights map[Category]float64 `json:"category_weights" doc:"Weight of each category (financial, delivery, quality, compliance, security, relationship); 0 leaves it out."`
	SignalWeights   map[string]float64   `json:"signal_weights,omitempty" doc:"Per-signal weight overrides by code; 0 leaves the signal out."`
	Bands           Thresholds           `json:"bands"`
	WindowDays      int                  `json:"window_days" doc:"Signals observed longer ago than this are not scored (and are rejected as STALE when submitted)."`
	HalfLifeDays    float64              `json:"half_life_days" doc:"A signal this old counts half as much as one observed now."`
}

// ScoringRule is one version of a tenant's scoring rule.
type ScoringRule struct {
	ID          string         `json:"id"`
	TenantID    string         `json:"-"`
	Version     int            `json:"version"`
	IsActive    bool           `json:"is_active"`
	Definition  RuleDefinition `json:"definition"`
	Note        string         `json:"note,omitempty"`
	CreatedBy   string         `json:"created_by,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	ActivatedAt *time.Time     `json:"activated_at,omitempty"`
}

// DefaultRule is the rule of a tenant that never saved one.
func DefaultRule() RuleDefinition {
	return RuleDefinition{
		CategoryWeights: map[Category]float64{Financial: 20, Delivery: 25, Quality: 20, Compliance: 15, Security: 15, Relationship: 5},
		Bands:           Thresholds{Medium: 25, High: 50, Critical: 75},
		WindowDays:      365,
		HalfLifeDays:    90,
	}
}

// Limits of a rule.
const (
	MaxWindowDays = 3650
	MaxWeight     = 1000
)

// Validate refuses a rule that cannot produce a valid score, with the
// reason per field.
func (d RuleDefinition) Validate() error {
	var v apperr.Validation
	positive := false
	for c, w := range d.CategoryWeights {
		v.Check(slices.Contains(Categories, c), "category_weights."+string(c), "is not a category")
		v.Check(finite(w) && w >= 0 && w <= MaxWeight, "category_weights."+string(c), "must be between 0 and %d", MaxWeight)
		if w > 0 && slices.Contains(Categories, c) {
			positive = true
		}
	}
	v.Check(positive, "category_weights", "at least one category needs a weight above 0, or no signal could count")
	usable := false
	for _, def := range Catalog {
		if d.weight(def) > 0 {
			usable = true
		}
	}
	for code, w := range d.SignalWeights {
		_, ok := Lookup(code)
		v.Check(ok, "signal_weights."+code, "is not a signal code of the catalog")
		v.Check(finite(w) && w >= 0 && w <= MaxWeight, "signal_weights."+code, "must be between 0 and %d", MaxWeight)
	}
	v.Check(!positive || usable, "signal_weights", "every signal of the weighted categories is weighted 0, so no signal could count")
	b := d.Bands
	v.Check(finite(b.Medium) && finite(b.High) && finite(b.Critical) && 0 < b.Medium && b.Medium < b.High && b.High < b.Critical && b.Critical <= 100,
		"bands", "thresholds must rise strictly: 0 < medium < high < critical ≤ 100")
	v.Check(d.WindowDays >= 1 && d.WindowDays <= MaxWindowDays, "window_days", "must be between 1 and %d", MaxWindowDays)
	v.Check(finite(d.HalfLifeDays) && d.HalfLifeDays >= 1 && d.HalfLifeDays <= MaxWindowDays, "half_life_days", "must be between 1 and %d", MaxWindowDays)
	if err := v.Err(); err != nil {
		return fmt.Errorf("score rule: %w", err)
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// weight is the weight one signal of def carries before decay: its
// category's weight times its own.
func (d RuleDefinition) weight(def Definition) float64 {
	w := def.Weight
	if o, ok := d.SignalWeights[def.Code]; ok {
		w = o
	}
	return d.CategoryWeights[def.Category] * w
}

// Window is how far back the rule scores.
func (d RuleDefinition) Window() time.Duration { return time.Duration(d.WindowDays) * 24 * time.Hour }
