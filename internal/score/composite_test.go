package score

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

var t0 = time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

func days(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }

func TestDecayTable(t *testing.T) {
	for _, c := range []struct {
		age  time.Duration
		half float64
		want float64
	}{
		{0, 90, 1},
		{-time.Hour, 90, 1}, // stamped ahead of the clock
		{days(90), 90, 0.5},
		{days(180), 90, 0.25},
		{days(45), 90, 0.70710678},
		{days(30), 30, 0.5},
	} {
		if got := Decay(c.age, c.half); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("Decay(%v, %v) = %v, want %v", c.age, c.half, got, c.want)
		}
	}
}

func TestBandsTable(t *testing.T) {
	th := DefaultRule().Bands
	for score, want := range map[float64]Band{0: Low, 24.9: Low, 25: Medium, 49.9: Medium, 50: High, 74.9: High, 75: Critical, 100: Critical} {
		if got := th.Band(score); got != want {
			t.Errorf("Band(%v) = %s, want %s", score, got, want)
		}
	}
}

// TestCompositeHandComputed checks the composite against a table worked
// out by hand: on_time_delivery_rate 0.8 now (risk 0.2, weight 25×1.0) and
// security_incident_count 5, 90 days old (risk 1, weight 15×1.0×½):
// 100 × (25×0.2 + 7.5×1) / 32.5 = 38.46 → 38.5, medium; contributions
// 15.38 and 23.08, apportioned to 15.4 + 23.1 = 38.5.
func TestCompositeHandComputed(t *testing.T) {
	obs := []Observation{
		{Code: "on_time_delivery_rate", Value: 0.8, ObservedAt: t0},
		{Code: "security_incident_count", Value: 5, ObservedAt: t0.Add(-days(90))},
	}
	got := Composite(DefaultRule(), obs, t0)
	want := 38.5
	if got.Score == nil || *got.Score != want || got.Band != Medium || got.Signals != 2 {
		t.Fatalf("score = %v %s (%d signals), want %v medium", FormatScore(got.Score), got.Band, got.Signals, want)
	}
	wantC := []Contributor{
		{Code: "security_incident_count", Label: "Security incidents disclosed", Category: Security, Signals: 1, Points: 23.1, Share: 0.6},
		{Code: "on_time_delivery_rate", Label: "Orders delivered on time", Category: Delivery, Signals: 1, Points: 15.4, Share: 0.4},
	}
	if d := cmp.Diff(wantC, got.Contributors); d != "" {
		t.Errorf("contributors (-want +got):\n%s", d)
	}
}

func TestCompositeContributorsAddUp(t *testing.T) {
	var obs []Observation
	for i, def := range Catalog {
		v := def.Min + (def.Max-def.Min)*float64(i%4)/3
		if def.ValueType == Count || def.ValueType == Flag {
			v = math.Round(v)
		}
		obs = append(obs, Observation{Code: def.Code, Value: v, ObservedAt: t0.Add(-days(float64(i * 7)))})
	}
	got := Composite(DefaultRule(), obs, t0)
	if got.Score == nil {
		t.Fatal("no score")
	}
	if len(got.Contributors) != TopContributors+1 || got.Contributors[TopContributors].Code != "other" {
		t.Fatalf("contributors = %+v, want the top five and other", got.Contributors)
	}
	var tenths int
	for _, c := range got.Contributors {
		tenths += int(math.Round(c.Points * 10))
	}
	if tenths != int(math.Round(*got.Score*10)) {
		t.Errorf("contributors add up to %d tenths, score is %v", tenths, *got.Score)
	}
	// The shares as pages show them, whole percents, add up to 100%.
	pct := 0
	for _, s := range got.SharePercents() {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
		if err != nil {
			t.Fatal(err)
		}
		pct += n
	}
	if pct != 100 {
		t.Errorf("shares %v add up to %d%%", got.SharePercents(), pct)
	}
	if none := (Result{Contributors: []Contributor{}}).SharePercents(); len(none) != 0 {
		t.Errorf("no data has shares %v", none)
	}
}

func TestCompositeNoData(t *testing.T) {
	r := DefaultRule()
	for name, obs := range map[string][]Observation{
		"no signals":          nil,
		"only outside window": {{Code: "defect_rate", Value: 1, ObservedAt: t0.Add(-days(400))}},
		"only unknown codes":  {{Code: "nope", Value: 1, ObservedAt: t0}},
	} {
		got := Composite(r, obs, t0)
		if got.Score != nil || got.Band != NoData || FormatScore(got.Score) != "no data" {
			t.Errorf("%s: %v %q, want no data", name, FormatScore(got.Score), got.Band)
		}
	}
	r.SignalWeights = map[string]float64{"defect_rate": 0}
	if got := Composite(r, []Observation{{Code: "defect_rate", Value: 1, ObservedAt: t0}}, t0); got.Score != nil {
		t.Errorf("a signal weighted 0 scored %v", *got.Score)
	}
}

func TestRuleValidation(t *testing.T) {
	ok := DefaultRule()
	if err := ok.Validate(); err != nil {
		t.Fatalf("default rule: %v", err)
	}
	// Each refusal names the field and why.
	for _, c := range []struct {
		name, field string
		edit        func(*RuleDefinition)
	}{
		{"all categories zero", "category_weights", func(d *RuleDefinition) {
			for c := range d.CategoryWeights {
				d.CategoryWeights[c] = 0
			}
		}},
		{"negative weight", "category_weights.financial", func(d *RuleDefinition) { d.CategoryWeights[Financial] = -1 }},
		{"unknown category", "category_weights.weather", func(d *RuleDefinition) { d.CategoryWeights["weather"] = 1 }},
		{"unknown signal", "signal_weights.nope", func(d *RuleDefinition) { d.SignalWeights = map[string]float64{"nope": 1} }},
		{"infinite signal weight", "signal_weights.defect_rate", func(d *RuleDefinition) {
			d.SignalWeights = map[string]float64{"defect_rate": math.Inf(1)}
		}},
		{"bands not rising", "bands", func(d *RuleDefinition) { d.Bands.High = d.Bands.Medium }},
		{"band above 100", "bands", func(d *RuleDefinition) { d.Bands.Critical = 101 }},
		{"window zero", "window_days", func(d *RuleDefinition) { d.WindowDays = 0 }},
		{"half-life NaN", "half_life_days", func(d *RuleDefinition) { d.HalfLifeDays = math.NaN() }},
		{"every signal zero", "signal_weights", func(d *RuleDefinition) {
			d.CategoryWeights = map[Category]float64{Security: 1}
			d.SignalWeights = map[string]float64{"security_rating": 0, "security_incident_count": 0, "critical_vulnerabilities_open": 0}
		}},
	} {
		d := DefaultRule()
		c.edit(&d)
		err := d.Validate()
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		fields := apperr.FieldsOf(err)
		if !slices.ContainsFunc(fields, func(f apperr.FieldError) bool { return f.Field == c.field && f.Message != "" }) {
			t.Errorf("%s: refused with %+v, which gives no reason for %s", c.name, fields, c.field)
		}
	}
}

// TestContributorsAlwaysAddUp scores many made-up vendors — any mix of
// codes, values, ages and rules — and checks what every page shows: the
// contributors' points add up to the score, their shares to 100%, every
// share is points over score, and a score is never shown without a signal.
func TestContributorsAlwaysAddUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 6))
	for v := range 2000 {
		d := DefaultRule()
		d.HalfLifeDays = float64(1 + rng.IntN(365))
		for _, c := range Categories {
			d.CategoryWeights[c] = float64(rng.IntN(4)) * rng.Float64() * 50
		}
		var obs []Observation
		for range rng.IntN(40) {
			def := Catalog[rng.IntN(len(Catalog))]
			val := def.Min + (def.Max-def.Min)*rng.Float64()
			if def.ValueType == Count || def.ValueType == Flag {
				val = math.Round(val)
			}
			obs = append(obs, Observation{Code: def.Code, Value: val, ObservedAt: t0.Add(-days(rng.Float64() * 400))})
		}
		got := Composite(d, obs, t0)
		if got.Score == nil {
			if got.Band != NoData || got.Signals != 0 || len(got.Contributors) != 0 {
				t.Fatalf("vendor %d: no score but %s, %d signals, %d contributors", v, got.Band, got.Signals, len(got.Contributors))
			}
			continue
		}
		if got.Signals == 0 || *got.Score < 0 || *got.Score > 100 {
			t.Fatalf("vendor %d: score %v from %d signals", v, *got.Score, got.Signals)
		}
		tenths, pct := 0, 0
		for _, c := range got.Contributors {
			tenths += int(math.Round(c.Points * 10))
			if *got.Score > 0 && math.Abs(c.Share - c.Points / *got.Score) > 1e-4 {
				t.Fatalf("vendor %d: %s share %v of points %v over %v", v, c.Code, c.Share, c.Points, *got.Score)
			}
		}
		for _, s := range got.SharePercents() {
			n, _ := strconv.Atoi(strings.TrimSuffix(s, "%"))
			pct += n
		}
		if tenths != int(math.Round(*got.Score*10)) {
			t.Fatalf("vendor %d: points add up to %d tenths, score %v", v, tenths, *got.Score)
		}
		if *got.Score > 0 && pct != 100 {
			t.Fatalf("vendor %d: shares %v add up to %d%%", v, got.SharePercents(), pct)
		}
	}
}

func TestCheckReasons(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	later := t0.Add(time.Hour)
	window := days(365)
	for want, s := range map[Reason]Submission{
		UnknownSignalCode: {Code: "nope", Value: v(1), ObservedAt: t0},
		ValueOutOfRange:   {Code: "defect_rate", Value: v(1.5), ObservedAt: t0},
		WindowInverted:    {Code: "defect_rate", Value: v(0.5), ObservedAt: t0, WindowStart: &later, WindowEnd: &t0},
		Future:            {Code: "defect_rate", Value: v(0.5), ObservedAt: t0.Add(MaxClockSkew + time.Second)},
		Stale:             {Code: "defect_rate", Value: v(0.5), ObservedAt: t0.Add(-window - time.Second)},
		"":                {Code: "defect_rate", Value: v(0.5), ObservedAt: t0.Add(MaxClockSkew)},
	} {
		if _, got := check(s, window, t0); got != want {
			t.Errorf("%+v: reason %q, want %q", s, got, want)
		}
	}
	for name, s := range map[string]Submission{
		"no value":     {Code: "defect_rate", ObservedAt: t0},
		"flag of 0.5":  {Code: "contract_expired", Value: v(0.5), ObservedAt: t0},
		"count of 1.5": {Code: "security_incident_count", Value: v(1.5), ObservedAt: t0},
		"infinite":     {Code: "defect_rate", Value: v(math.Inf(1)), ObservedAt: t0},
	} {
		if _, got := check(s, window, t0); got != ValueOutOfRange {
			t.Errorf("%s: reason %q, want VALUE_OUT_OF_RANGE", name, got)
		}
	}
}

func TestCatalog(t *testing.T) {
	seen := map[string]bool{}
	cats := map[Category]int{}
	for _, d := range Catalog {
		if seen[d.Code] || d.Max <= d.Min || d.Weight <= 0 || d.Label == "" {
			t.Errorf("bad definition %+v", d)
		}
		seen[d.Code] = true
		cats[d.Category]++
	}
	if len(Catalog) < 20 || len(cats) != len(Categories) {
		t.Errorf("%d codes in %d categories", len(Catalog), len(cats))
	}
}

// TestMomentSeries checks the decay series the running totals use against
// the exponential itself across a day and a block, at the edges of where
// the block series is exact to a float64, and that it refuses shorter
// half-lives.
func TestMomentSeries(t *testing.T) {
	series := func(c []float64, u float64) float64 {
		s, p := 0.0, 1.0
		for _, ck := range c {
			s += ck * p
			p *= u
		}
		return s
	}
	check := func(name string, c []float64, b float64) {
		t.Helper()
		for i := 0; i <= 1000; i++ {
			u := -0.5 + float64(i)/1000
			want := math.Exp(b * u)
			if got := series(c, u); math.Abs(got-want) > 1e-15*want {
				t.Fatalf("%s at %g: %.17g, want %.17g", name, u, got, want)
			}
		}
	}
	for _, h := range []float64{1, 1.5, 7, 28, 90, 3650} {
		check(fmt.Sprintf("day, half-life %g", h), DayDecay(h), math.Ln2/h)
	}
	for _, h := range []float64{27.7, 28, 30, 90, 365, 3650} {
		c, ok := BlockDecay(h)
		if !ok {
			t.Fatalf("half-life %g: blocks refused", h)
		}
		check(fmt.Sprintf("block, half-life %g", h), c, BlockDays*math.Ln2/h)
	}
	for _, h := range []float64{1, 14, 27.5} {
		if _, ok := BlockDecay(h); ok {
			t.Errorf("half-life %g: blocks taken, but %d terms are not exact", h, DayMoments)
		}
	}
}
