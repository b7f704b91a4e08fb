package score

import (
	"math"
	"sort"
	"time"
)

// Observation is one accepted signal as the score reads it.
type Observation struct {
	Code       string
	Value      float64
	ObservedAt time.Time
}

// Contributor is one signal code's part of a score. Points of all
// contributors add up to the score exactly as shown (tenths), and Share is
// Points over the score.
type Contributor struct {
	Code     string   `json:"code" doc:"Signal code, or \"other\" for the rest together."`
	Label    string   `json:"label"`
	Category Category `json:"category,omitempty"`
	Signals  int      `json:"signals"`
	Points   float64  `json:"points" doc:"Score points this code contributes, to one decimal; they sum to the score."`
	Share    float64  `json:"share" doc:"Points over the score (0–1); 0 when the score is 0."`
}

// Result is a composite score.
type Result struct {
	// Score is 0 (no risk) … 100 (most risk), to one decimal; nil when no
	// signal in the window counts ("no data").
	Score        *float64      `json:"score"`
	Band         Band          `json:"band" enum:"low,medium,high,critical,"`
	Contributors []Contributor `json:"contributors" nullable:"false"`
	// Signals is how many signals counted.
	Signals int `json:"signals"`
}

// TopContributors is how many codes a result names; the rest are "other".
const TopContributors = 5

// CodeSum is what a score reads of one signal code's observations in the
// window: how many there are, the sum of their decay factors and the sum of
// decay × value, and their smallest and largest value (a store may report
// wider bounds, never narrower). The store computes it from its running day
// totals; Sums computes it from observations.
type CodeSum struct {
	Code    string
	Signals int
	Decay   float64
	Value   float64
	Min     float64
	Max     float64
}

// InRange reports whether every value summed lies in its catalog range, so
// that the risk of the sum is the sum of the risks (risk is linear within
// the range; a value outside it would be clamped one by one).
func (c CodeSum) InRange() bool {
	def, ok := Lookup(c.Code)
	return !ok || c.Signals == 0 || (c.Min >= def.Min && c.Max <= def.Max)
}

// Sums reduces observations to one CodeSum per code under rule d at now:
// observations outside the window and of unknown codes are left out, and
// values are clamped into their range first.
func Sums(d RuleDefinition, obs []Observation, now time.Time) []CodeSum {
	from := now.Add(-d.Window())
	idx := map[string]int{}
	var out []CodeSum
	for _, o := range obs {
		if o.ObservedAt.Before(from) {
			continue
		}
		def, ok := Lookup(o.Code)
		if !ok {
			continue
		}
		i, seen := idx[o.Code]
		if !seen {
			i = len(out)
			idx[o.Code] = i
			out = append(out, CodeSum{Code: o.Code, Min: def.Max, Max: def.Min})
		}
		v := math.Min(math.Max(o.Value, def.Min), def.Max)
		dec := Decay(now.Sub(o.ObservedAt), d.HalfLifeDays)
		c := &out[i]
		c.Signals++
		c.Decay += dec
		c.Value += dec * v
		c.Min, c.Max = math.Min(c.Min, v), math.Max(c.Max, v)
	}
	return out
}

// Composite scores a vendor's observations under rule d at now: each
// signal's risk (0–1, by its catalog range and direction) weighted by its
// category and signal weight and decayed by age (halving every
// HalfLifeDays), averaged, times 100. Observations outside the window,
// of unknown codes or weighted 0 do not count.
func Composite(d RuleDefinition, obs []Observation, now time.Time) Result {
	return CompositeOfSums(d, Sums(d, obs, now))
}

// CompositeOfSums is Composite from the per-code sums of the window's
// observations (see CodeSum; every sum must be InRange).
func CompositeOfSums(d RuleDefinition, sums []CodeSum) Result {
	type acc struct {
		def     Definition
		wr      float64
		signals int
	}
	byCode := make(map[string]*acc, len(sums))
	var total float64
	n := 0
	for _, c := range sums {
		def, ok := Lookup(c.Code)
		if !ok || c.Signals == 0 {
			continue
		}
		w := d.weight(def)
		if w <= 0 {
			continue
		}
		// Σ decay × risk, risk being linear in the value within its range.
		risk := (c.Value - def.Min*c.Decay) / (def.Max - def.Min)
		if def.Direction == HigherIsBetter {
			risk = c.Decay - risk
		}
		risk = math.Min(math.Max(risk, 0), c.Decay) // rounding only
		a := byCode[c.Code]
		if a == nil {
			a = &acc{def: def}
			byCode[c.Code] = a
		}
		total += w * c.Decay
		a.wr += w * risk
		a.signals += c.Signals
		n += c.Signals
	}
	if n == 0 || total <= 0 {
		return Result{Band: NoData, Contributors: []Contributor{}}
	}
	cs := make([]Contributor, 0, len(byCode))
	raw := make([]float64, 0, len(byCode))
	for code, a := range byCode {
		if a.signals == 0 {
			continue
		}
		cs = append(cs, Contributor{Code: code, Label: a.def.Label, Category: a.def.Category, Signals: a.signals})
		raw = append(raw, 100*a.wr/total)
	}
	idx := make([]int, len(cs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool {
		a, b := idx[i], idx[j]
		if raw[a] != raw[b] {
			return raw[a] > raw[b]
		}
		return cs[a].Code < cs[b].Code
	})
	out := make([]Contributor, 0, TopContributors+1)
	pts := make([]float64, 0, TopContributors+1)
	for k, i := range idx {
		if k < TopContributors {
			out, pts = append(out, cs[i]), append(pts, raw[i])
			continue
		}
		if k == TopContributors {
			out, pts = append(out, Contributor{Code: "other", Label: "Other signals"}), append(pts, 0)
		}
		out[len(out)-1].Signals += cs[i].Signals
		pts[len(pts)-1] += raw[i]
	}
	var sum float64
	for _, p := range pts {
		sum += p
	}
	score := math.Round(sum*10) / 10
	tenths := apportion(pts, int(math.Round(score*10)))
	for i := range out {
		out[i].Points = float64(tenths[i]) / 10
		if score > 0 {
			out[i].Share = math.Round(out[i].Points/score*10000) / 10000
		}
	}
	return Result{Score: &score, Band: d.Bands.Band(score), Contributors: out, Signals: n}
}

// Decay is the weight left to a signal of age: 1 now, ½ after halfLifeDays.
// A signal stamped slightly ahead of the clock counts fully.
func Decay(age time.Duration, halfLifeDays float64) float64 {
	if age <= 0 {
		return 1
	}
	return math.Exp2(-age.Hours() / 24 / halfLifeDays)
}

// apportion splits total tenths among parts in proportion to them, by
// largest remainder, so the rounded parts add up to the rounded total.
func apportion(parts []float64, total int) []int {
	out := make([]int, len(parts))
	var sum float64
	for _, p := range parts {
		sum += p
	}
	if sum <= 0 || total <= 0 {
		return out
	}
	rem := make([]float64, len(parts))
	given := 0
	for i, p := range parts {
		exact := p / sum * float64(total)
		out[i] = int(math.Floor(exact))
		rem[i] = exact - float64(out[i])
		given += out[i]
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for k := 0; given < total; k++ {
		out[order[k%len(order)]]++
		given++
	}
	return out
}

// DayMoments is how many powers of a signal's time of day the running
// day totals keep (see DayDecay).
const DayMoments = 12

// DayDecay returns the coefficients that turn a day's moments into decayed
// sums under a half-life of at least a day: a signal x days after its
// day's noon (-½ ≤ x < ½) decays at now by
//
//	2^((noon - now)/h) · e^(a·x),  a = ln 2 / h,
//
// and e^(a·x) = Σ_k a^k/k! · x^k. It returns the coefficients a^k/k! up to
// the last that matters: the terms past it are below 1e-17 of the first,
// or, past k = DayMoments, below 2e-16 (a ≤ ln 2, |x| ≤ ½), the precision
// of a float64. So Σ decay over a day is 2^((noon - now)/h) · Σ_k c[k] ·
// Σ x^k, whatever h: the default rule's 90 days need k ≤ 6.
func DayDecay(halfLifeDays float64) []float64 {
	c, _ := spanDecay(halfLifeDays, 1)
	return c
}

// BlockDays is how many UTC days the running block totals span: blocks
// are days since 1970-01-01 divided by BlockDays, and keep the same
// moments as days, of the time after the block's middle in blocks.
const BlockDays = 28

// BlockDecay is DayDecay for a block of BlockDays days: u blocks after the
// block's middle decays by 2^((middle - now)/h) · e^(b·u), b = BlockDays ·
// ln 2 / h. It reports false when DayMoments terms do not reach the
// precision of a float64 (a half-life under about BlockDays days); such a
// rule reads day totals only.
func BlockDecay(halfLifeDays float64) ([]float64, bool) {
	return spanDecay(halfLifeDays, BlockDays)
}

// spanDecay returns the series coefficients b^k/k!, b = span · ln 2 / h,
// for moments of a time in spans within ±½ of the middle, and whether the
// series is exact to a float64 within DayMoments terms.
func spanDecay(halfLifeDays, span float64) ([]float64, bool) {
	b := span * math.Ln2 / halfLifeDays
	c := []float64{1}
	for k := 1; k <= DayMoments; k++ {
		c = append(c, c[k-1]*b/float64(k))
		if c[k]*math.Pow(0.5, float64(k)) < 1e-17 {
			return c, true
		}
	}
	// The first term left out bounds the rest (b/2 < 1).
	next := c[DayMoments] * b / (DayMoments + 1) * math.Pow(0.5, DayMoments+1)
	return c, b < 2 && next < 2e-16
}
