package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// The rules a tenant's advanced_rules feature adds to the seed's five.
const (
	// RuleCostMismatch: the contract price differs, beyond the tolerance,
	// from the cost the ERP holds for the vendor's part (what the next
	// purchase order will be priced at).
	RuleCostMismatch Rule = "COST_MISMATCH"
	// RuleDuplicateLine: one contract prices the same vendor item and
	// unit more than once, at different prices.
	RuleDuplicateLine Rule = "DUPLICATE_LINE"
)

// AdvancedRuleSet lists the rules only the advanced_rules feature runs.
var AdvancedRuleSet = []Rule{RuleCostMismatch, RuleDuplicateLine}

// SupplierCost is an ERP supplier's part number and cost of an item.
type SupplierCost struct {
	SupplierID string
	PartNumber string
	UOM        string // "" is the item's base unit
	Cost       decimal.Decimal
}

// supplierCost is the ERP cost a line is compared with: the supplier row
// whose part number is the vendor's item number, else the item's only
// supplier row with a cost.
func supplierCost(it *ReconItem, vendorItem string) (SupplierCost, bool) {
	for _, c := range it.Costs {
		if strings.EqualFold(strings.TrimSpace(c.PartNumber), strings.TrimSpace(vendorItem)) {
			return c, true
		}
	}
	if len(it.Costs) == 1 {
		return it.Costs[0], true
	}
	return SupplierCost{}, false
}

// EvaluateCost applies COST_MISMATCH to a mapped line.
func EvaluateCost(l Line, m *ItemMapping, it *ReconItem, tol Tolerance) []Finding {
	if m == nil || it == nil {
		return nil
	}
	c, ok := supplierCost(it, l.ItemNumber)
	if !ok {
		return nil
	}
	uom := c.UOM
	if uom == "" {
		uom = it.BaseUOM
	}
	converted, ok := convert(it, l.Price, l.UOM, uom)
	if !ok || tol.Within(converted, c.Cost) {
		return nil
	}
	ctx := FindingContext{VendorItemNumber: l.ItemNumber, VendorUOM: l.UOM, ContractPrice: l.Price.String(), ERPItemNumber: it.Number,
		ERPUOM: m.ERPUOM, ERPPrice: c.Cost.String(), ERPPriceUOM: uom, ConvertedPrice: converted.StringFixed(4), Tolerance: tol.String(),
		SupplierID: c.SupplierID, Confidence: m.Confidence, Evidence: m.Evidence}
	return []Finding{{LineID: l.ID, Rule: RuleCostMismatch, ERPItemID: it.ID, Context: ctx,
		Message: fmt.Sprintf("Contract price %s per %s differs from the ERP cost %s per %s of supplier %s beyond the tolerance (%s).",
			converted.StringFixed(4), uom, c.Cost.String(), uom, c.SupplierID, tol.String())}}
}

// DuplicateLines applies DUPLICATE_LINE to a contract's lines: every line
// of a vendor item and unit priced more than once at different prices.
func DuplicateLines(lines []Line) []Finding {
	type key struct{ item, uom string }
	groups := map[key][]int{}
	for i, l := range lines {
		k := key{l.ItemNumber, l.UOM}
		groups[k] = append(groups[k], i)
	}
	var out []Finding
	for k, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		prices := make([]string, 0, len(idx))
		differ := false
		for _, i := range idx {
			differ = differ || !lines[i].Price.Equal(lines[idx[0]].Price)
			prices = append(prices, fmt.Sprintf("%s on line %d", lines[i].Price.String(), lines[i].LineNumber))
		}
		if !differ {
			continue
		}
		msg := fmt.Sprintf("Vendor item %s (%s) is priced %d times in this contract: %s.", k.item, k.uom, len(idx), strings.Join(prices, ", "))
		for _, i := range idx {
			l := lines[i]
			out = append(out, Finding{LineID: l.ID, Rule: RuleDuplicateLine, Message: msg,
				Context: FindingContext{VendorItemNumber: l.ItemNumber, VendorUOM: l.UOM, ContractPrice: l.Price.String()}})
		}
	}
	slices.SortFunc(out, func(a, b Finding) int { return strings.Compare(a.LineID, b.LineID) })
	return out
}

// evaluateAdvanced applies the advanced rules to a contract's lines.
func evaluateAdvanced(in ReconInput, lookup func(Line) (*ItemMapping, *ReconItem)) []Finding {
	out := DuplicateLines(in.Lines)
	for _, l := range in.Lines {
		m, it := lookup(l)
		out = append(out, EvaluateCost(l, m, it, in.Tolerance)...)
	}
	return out
}
