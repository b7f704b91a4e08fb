package score

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkComposite10k scores one vendor with 10,000 signals across the
// catalog over a year (the budget: p95 ≤ 5 ms).
func BenchmarkComposite10k(b *testing.B) {
	obs := make([]Observation, 10000)
	for i := range obs {
		d := Catalog[i%len(Catalog)]
		v := d.Min
		if i%3 == 0 {
			v = d.Max
		}
		obs[i] = Observation{Code: d.Code, Value: v, ObservedAt: t0.Add(-time.Duration(i%365) * 24 * time.Hour)}
	}
	r := DefaultRule()
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if res := Composite(r, obs, t0); res.Score == nil {
			b.Fatal("no score")
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkScorecardPDF renders a full scorecard — 91 days of trend, six
// contributors, ten recent signals — from its context (the issue's
// budget: p95 ≤ 200 ms). It reports the 95th percentile of the renders.
func BenchmarkScorecardPDF(b *testing.B) {
	c := RenderContext{Kind: ReportScorecard, Tenant: "Müller Beschaffung GmbH", Timezone: "Europe/Berlin", Locale: "de-DE",
		Currency: "EUR", Created: "2026-11-30T18:00:00+01:00", Header: []string{}, Rows: [][]string{},
		Vars: map[string]string{"legal_name": "Müller Beschaffung GmbH", "vendor": "Acme Parts", "score": "72,5", "band": "High",
			"signals": "1.234", "rule_version": "3", "period_from": "01.09.2026", "period_to": "30.11.2026",
			"generated": "30.11.2026 18:00", "timezone": "Europe/Berlin", "currency": "EUR", "locale": "de-DE"},
		Charts: map[string]Chart{}, Tables: map[string][][]string{}}
	var pts []ChartPoint
	for i := range 91 {
		v := 300 + (i*37)%500
		pts = append(pts, ChartPoint{Label: "01.09.2026", Tenths: &v})
	}
	c.Charts["trend"] = Chart{Points: pts}
	for i := range 6 {
		c.Tables["contributors"] = append(c.Tables["contributors"], []string{Catalog[i].Label, Catalog[i].Category.Label(), "12", "12,1", "17 %"})
	}
	for i := range RecentSignals {
		c.Tables["signals"] = append(c.Tables["signals"], []string{"30.11.2026 17:00", Catalog[i].Label, "0,875", "rest"})
	}
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := RenderPDF(c); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}
