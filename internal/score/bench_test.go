package score

import (
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
	b.ReportAllocs()
	for b.Loop() {
		if res := Composite(r, obs, t0); res.Score == nil {
			b.Fatal("no score")
		}
	}
}
