// Package score is VendorSync's vendor performance and risk engine: the
// signal catalog, signal validation and vendor resolution, scoring rules,
// the composite 0–100 score with time decay, bands and contributors, and
// band-crossing events with their frozen delivery payload.
//
// Signals come from outside (REST, uploads, the signed hub endpoint) and
// from every other module through one seam: a module's fact becomes a
// jobargs.ScoreSignal in the table of consequences (internal/app), enqueued
// in the transaction of the change that caused it.
package score

import (
	"math"
	"slices"
	"strconv"
)

// Category groups signals; scoring rules weight categories.
type Category string

// The categories of the catalog.
const (
	Financial    Category = "financial"
	Delivery     Category = "delivery"
	Quality      Category = "quality"
	Compliance   Category = "compliance"
	Security     Category = "security"
	Relationship Category = "relationship"
)

// Categories lists every category in the order pages show them.
var Categories = []Category{Financial, Delivery, Quality, Compliance, Security, Relationship}

// Label is the category's name in the UI.
func (c Category) Label() string {
	switch c {
	case Financial:
		return "Financial"
	case Delivery:
		return "Delivery and operations"
	case Quality:
		return "Quality"
	case Compliance:
		return "Contractual and compliance"
	case Security:
		return "Security"
	case Relationship:
		return "Relationship"
	}
	return string(c)
}

// ValueType says what a signal's value measures.
type ValueType string

// The value types.
const (
	Ratio   ValueType = "ratio"   // 0–1
	Percent ValueType = "percent" // 0–100
	Count   ValueType = "count"   // a whole number of occurrences
	Days    ValueType = "days"    // a duration in days
	Rating  ValueType = "rating"  // a 0–100 rating from an outside agency
	Flag    ValueType = "flag"    // 0 or 1
)

// Direction says which way a signal's value means more risk.
type Direction string

// The directions.
const (
	HigherIsWorse  Direction = "higher_is_worse"
	HigherIsBetter Direction = "higher_is_better"
)

// Definition is one signal code of the catalog.
type Definition struct {
	Code      string    `json:"code"`
	Category  Category  `json:"category"`
	Label     string    `json:"label"`
	ValueType ValueType `json:"value_type"`
	// Min and Max bound valid values; a value outside is rejected with
	// VALUE_OUT_OF_RANGE. A count at Max or above is the most risk.
	Min       float64   `json:"min"`
	Max       float64   `json:"max"`
	Direction Direction `json:"direction"`
	// Weight is the default weight within its category; a rule may
	// override it (0 leaves the signal out of the score).
	Weight float64 `json:"default_weight"`
	// Source names the module that emits it, or "external".
	Source string `json:"source"`
}

// Risk maps a valid value to 0 (no risk) … 1 (most risk).
func (d Definition) Risk(v float64) float64 {
	r := (math.Min(math.Max(v, d.Min), d.Max) - d.Min) / (d.Max - d.Min)
	if d.Direction == HigherIsBetter {
		r = 1 - r
	}
	return r
}

// Format shows v in the signal's unit: a ratio or percentage as a
// percentage, days with their unit, a rating out of 100, a flag as yes or
// no; at most two decimals.
func (d Definition) Format(v float64) string {
	num := func(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }
	switch d.ValueType {
	case Ratio:
		return num(v*100) + "%"
	case Percent:
		return num(v) + "%"
	case Days:
		if v == 1 {
			return "1 day"
		}
		return num(v) + " days"
	case Rating:
		return num(v) + "/100"
	case Flag:
		if v != 0 {
			return "yes"
		}
		return "no"
	}
	return num(v)
}

// InRange reports whether v is a valid value of the signal.
func (d Definition) InRange(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < d.Min || v > d.Max {
		return false
	}
	switch d.ValueType {
	case Flag:
		return v == 0 || v == 1
	case Count:
		return v == math.Trunc(v)
	}
	return true
}

// Catalog is every signal code VendorSync scores, shipped in the binary;
// rules tune the weights per tenant.
var Catalog = []Definition{
	// Financial.
	{"credit_rating", Financial, "Credit rating", Rating, 0, 100, HigherIsBetter, 1.0, "external"},
	{"invoice_mismatch_rate", Financial, "Invoices that did not match the order", Ratio, 0, 1, HigherIsWorse, 0.8, "external"},
	{"payment_dispute_count", Financial, "Payment disputes", Count, 0, 20, HigherIsWorse, 0.6, "external"},
	{"price_mismatch_rate", Financial, "Price file lines not matching the contract", Ratio, 0, 1, HigherIsWorse, 0.8, "contracts"},
	// Delivery and operations.
	{"on_time_delivery_rate", Delivery, "Orders delivered on time", Ratio, 0, 1, HigherIsBetter, 1.0, "external"},
	{"lead_time_days_late", Delivery, "Days late against the promised lead time", Days, 0, 90, HigherIsWorse, 0.6, "external"},
	{"change_deadline_met", Delivery, "Vendor change finished before its deadline", Flag, 0, 1, HigherIsBetter, 1.0, "changes"},
	{"change_at_risk", Delivery, "Vendor change at risk of missing its deadline", Flag, 0, 1, HigherIsWorse, 0.5, "changes"},
	{"event_quarantine_rate", Delivery, "Vendor events quarantined", Ratio, 0, 1, HigherIsWorse, 0.7, "ingest"},
	{"service_uptime_pct", Delivery, "Service uptime", Percent, 90, 100, HigherIsBetter, 0.8, "external"},
	// Quality.
	{"defect_rate", Quality, "Deliveries with defects", Ratio, 0, 1, HigherIsWorse, 1.0, "external"},
	{"change_severity", Quality, "Severity of a change the vendor announced", Ratio, 0, 1, HigherIsWorse, 0.7, "changes"},
	{"breaking_change_count", Quality, "Breaking changes the vendor announced in the last 90 days", Count, 0, 20, HigherIsWorse, 0.6, "changes"},
	{"schema_drift_count", Quality, "Changes of the vendor's event schema", Count, 0, 10, HigherIsWorse, 0.5, "ingest"},
	{"data_quality_score", Quality, "Quality of the vendor's event data", Rating, 0, 100, HigherIsBetter, 0.7, "ingest"},
	// Contractual and compliance.
	{"contract_expired", Compliance, "Contract expired while still in use", Flag, 0, 1, HigherIsWorse, 1.0, "contracts"},
	{"unmapped_item_share", Compliance, "Share of price file items not mapped to the catalog", Ratio, 0, 1, HigherIsWorse, 0.5, "contracts"},
	{"certification_lapsed", Compliance, "A required certification lapsed", Flag, 0, 1, HigherIsWorse, 0.9, "external"},
	// Security.
	{"security_rating", Security, "Security rating", Rating, 0, 100, HigherIsBetter, 1.0, "external"},
	{"security_incident_count", Security, "Security incidents disclosed", Count, 0, 5, HigherIsWorse, 1.0, "external"},
	{"critical_vulnerabilities_open", Security, "Critical vulnerabilities open", Count, 0, 20, HigherIsWorse, 0.7, "external"},
	// Relationship.
	{"unknown_sender_email", Relationship, "Email from an address not in the registry", Flag, 0, 1, HigherIsWorse, 0.3, "changes"},
	{"tracker_link_conflict", Relationship, "Tracker issue orphaned or in conflict", Flag, 0, 1, HigherIsWorse, 0.4, "trackers"},
	{"satisfaction_score", Relationship, "Satisfaction survey score", Rating, 0, 100, HigherIsBetter, 0.6, "external"},
}

// Lookup returns the definition of code.
func Lookup(code string) (Definition, bool) {
	i := slices.IndexFunc(Catalog, func(d Definition) bool { return d.Code == code })
	if i < 0 {
		return Definition{}, false
	}
	return Catalog[i], true
}
