package contract

import (
	"time"

	"github.com/shopspring/decimal"
)

// Rule is a reconciliation rule, by the code the seed gives it.
type Rule string

// The five rules.
const (
	RuleMissingMapping  Rule = "MISSING_MAPPING"
	RuleUOMMismatch     Rule = "UOM_MISMATCH"
	RulePriceMismatch   Rule = "PRICE_MISMATCH"
	RuleExpiredContract Rule = "EXPIRED_CONTRACT"
	RuleInactiveItem    Rule = "INACTIVE_ITEM"
)

// Rules lists every rule, in the order they are checked: the seed's
// five, then those of the advanced_rules feature.
var Rules = []Rule{RuleMissingMapping, RuleUOMMismatch, RulePriceMismatch, RuleExpiredContract, RuleInactiveItem,
	RuleCostMismatch, RuleDuplicateLine}

// Severity is how much an exception matters.
type Severity string

// The severities.
const (
	SeverityLow    Severity = "low"
	SeverityMedium Severity = "medium"
	SeverityHigh   Severity = "high"
)

// Severity is the rule's severity, as the seed sets it: a line that
// cannot be matched or is priced wrong costs money on the next invoice;
// a unit or an inactive item needs a look; an expired line is history.
func (r Rule) Severity() Severity {
	switch r {
	case RuleMissingMapping, RulePriceMismatch, RuleCostMismatch:
		return SeverityHigh
	case RuleUOMMismatch, RuleInactiveItem, RuleDuplicateLine:
		return SeverityMedium
	}
	return SeverityLow
}

// SuggestedAction is what the analyst usually does about the rule.
func (r Rule) SuggestedAction() string {
	switch r {
	case RuleMissingMapping:
		return "Map the vendor item to an ERP item on the item mapping page, or ask the vendor for the correct part number."
	case RuleUOMMismatch:
		return "Add the unit conversion to the ERP item, correct the mapping's ERP unit, or ask the vendor to quote in the ERP unit."
	case RulePriceMismatch:
		return "Update the ERP price to the contract price, or dispute the contract price with the vendor."
	case RuleExpiredContract:
		return "Ask the vendor for a renewed price list, or retire the line."
	case RuleInactiveItem:
		return "Remap the vendor item to the active replacement, or reactivate the item in the ERP."
	case RuleCostMismatch:
		return "Update the supplier cost in the ERP to the contract price (override to export it with writeback), or dispute the contract price with the vendor."
	case RuleDuplicateLine:
		return "Ask the vendor which price holds and for a corrected file; resolve the lines that do not apply."
	}
	return ""
}

// Tolerance is how far a contract price may differ from the ERP price
// before it is a mismatch: an absolute amount, a percent of the ERP
// price, or both (a difference within either is accepted). With neither,
// prices must be equal. VendorID "" is the tenant's default.
type Tolerance struct {
	VendorID  string           `json:"vendor_id"`
	Absolute  *decimal.Decimal `json:"absolute,omitempty" doc:"Accepted difference in currency units, as a decimal string."`
	Percent   *decimal.Decimal `json:"percent,omitempty" doc:"Accepted difference in percent of the ERP price, as a decimal string."`
	UpdatedBy string           `json:"updated_by,omitempty"`
	UpdatedAt time.Time        `json:"updated_at"`
}

var hundred = decimal.NewFromInt(100)

// Within reports whether price is close enough to erpPrice.
func (t Tolerance) Within(price, erpPrice decimal.Decimal) bool {
	diff := price.Sub(erpPrice).Abs()
	if diff.IsZero() {
		return true
	}
	if t.Absolute != nil && diff.LessThanOrEqual(*t.Absolute) {
		return true
	}
	return t.Percent != nil && !erpPrice.IsZero() && diff.Mul(hundred).Div(erpPrice.Abs()).LessThanOrEqual(*t.Percent)
}

// String describes the tolerance for messages.
func (t Tolerance) String() string {
	switch {
	case t.Absolute != nil && t.Percent != nil:
		return t.Absolute.String() + " or " + t.Percent.String() + "%"
	case t.Absolute != nil:
		return t.Absolute.String()
	case t.Percent != nil:
		return t.Percent.String() + "%"
	}
	return "none (prices must be equal)"
}
