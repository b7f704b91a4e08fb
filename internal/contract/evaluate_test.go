package contract

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestEveryFindingShowsTheERPSide checks that a mapped line's findings
// carry the ERP item, unit and price whatever their rule, so an expired
// or inactive line's detail shows both sides as a price mismatch does.
func TestEveryFindingShowsTheERPSide(t *testing.T) {
	today := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ended := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	list := decimal.RequireFromString("0.42")
	l := Line{ID: "l1", ItemNumber: "V-100", UOM: "EA", Price: decimal.RequireFromString("0.42")}
	m := &ItemMapping{ItemKey: ItemKey{ItemNumber: "V-100", UOM: "EA"}, ERPItemID: "i1", ERPItemNumber: "BOLT-100", ERPUOM: "EA", Confidence: 1}
	it := &ReconItem{CatalogItem: CatalogItem{ID: "i1", Number: "BOLT-100", BaseUOM: "EA", Active: false}, ListPrice: &list}
	got := map[Rule]Finding{}
	for _, f := range Evaluate(l, &ended, m, it, Tolerance{}, today) {
		got[f.Rule] = f
	}
	for _, r := range []Rule{RuleExpiredContract, RuleInactiveItem} {
		f, ok := got[r]
		if !ok {
			t.Fatalf("no %s among %+v", r, got)
		}
		if c := f.Context; f.ERPItemID != "i1" || c.ERPItemNumber != "BOLT-100" || c.ERPUOM != "EA" || c.ERPPrice != "0.42" || c.ERPPriceUOM != "EA" {
			t.Errorf("%s lacks the ERP side: item %q context %+v", r, f.ERPItemID, c)
		}
	}
	if _, ok := got[RulePriceMismatch]; ok || len(got) != 2 {
		t.Errorf("findings %+v", got)
	}
	// Unmapped, the expired line still says so, beside the missing mapping.
	out := Evaluate(l, &ended, nil, nil, Tolerance{}, today)
	if len(out) != 2 || out[0].Rule != RuleExpiredContract || out[1].Rule != RuleMissingMapping || out[0].Context.ERPItemNumber != "" {
		t.Errorf("unmapped findings %+v", out)
	}
}
