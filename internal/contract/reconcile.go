package contract

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

var one = decimal.NewFromInt(1)

// RunStatus is where a reconciliation run is.
type RunStatus string

// The statuses of a run.
const (
	RunQueued    RunStatus = "queued"
	RunRunning   RunStatus = "running"
	RunCompleted RunStatus = "completed"
	RunFailed    RunStatus = "failed"
)

// RunType says who asked for a run.
type RunType string

// The kinds of run.
const (
	RunManual    RunType = "manual"
	RunScheduled RunType = "scheduled"
)

// Run is one reconciliation of a contract's lines against the ERP.
type Run struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"-"`
	ContractID string    `json:"contract_id"`
	VendorID   string    `json:"vendor_id"`
	Type       RunType   `json:"run_type" enum:"manual,scheduled"`
	Status     RunStatus `json:"status" enum:"queued,running,completed,failed"`
	LinesTotal int       `json:"lines_total"`
	LinesDone  int       `json:"lines_done"`
	// Opened, Reopened and Cleared count the exceptions the run opened,
	// reopened (resolved before, found again) and resolved because their
	// condition is gone.
	Opened   int `json:"opened"`
	Reopened int `json:"reopened"`
	Cleared  int `json:"cleared"`
	// RuleCounts is how many lines each rule found this run.
	RuleCounts  map[Rule]int `json:"rule_counts" nullable:"false"`
	Error       string       `json:"error"`
	RequestedBy string       `json:"requested_by"`
	CreatedAt   time.Time    `json:"created_at"`
	StartedAt   *time.Time   `json:"started_at,omitempty"`
	CompletedAt *time.Time   `json:"completed_at,omitempty"`
}

// ItemPrice is an ERP price of an item in a unit, with its dates.
type ItemPrice struct {
	UOM   string
	Price decimal.Decimal
	From  *time.Time
	To    *time.Time
}

// ReconItem is a mapped ERP item as the rules read it.
type ReconItem struct {
	CatalogItem
	ListPrice *decimal.Decimal
	Prices    []ItemPrice
	// Costs are the item's supplier costs, read for the advanced rules.
	Costs []SupplierCost
}

// FindingContext is the evidence of an exception: the line's and the
// ERP's sides, and how they were compared.
type FindingContext struct {
	VendorItemNumber string          `json:"vendor_item_number"`
	VendorUOM        string          `json:"vendor_uom"`
	ContractPrice    string          `json:"contract_price"`
	ERPItemNumber    string          `json:"erp_item_number,omitempty"`
	ERPUOM           string          `json:"erp_uom,omitempty"`
	ERPPrice         string          `json:"erp_price,omitempty"`
	ERPPriceUOM      string          `json:"erp_price_uom,omitempty"`
	ConvertedPrice   string          `json:"converted_price,omitempty" doc:"The contract price in the ERP price's unit."`
	Tolerance        string          `json:"tolerance,omitempty"`
	SupplierID       string          `json:"supplier_id,omitempty" doc:"The ERP supplier whose cost was compared (COST_MISMATCH)."`
	EffectiveEnd     *time.Time      `json:"effective_end,omitempty"`
	Confidence       float64         `json:"mapping_confidence,omitempty"`
	Evidence         []MatchEvidence `json:"mapping_evidence,omitempty"`
}

// Finding is a rule's condition found on a line by a run.
type Finding struct {
	LineID    string
	Rule      Rule
	ERPItemID string
	Message   string
	Context   FindingContext
}

// Evaluate applies the five rules to one line: m is the line's approved
// mapping (nil when none), it the mapped ERP item, end the line's end
// date (the contract's when the line has none), today the run's date.
func Evaluate(l Line, end *time.Time, m *ItemMapping, it *ReconItem, tol Tolerance, today time.Time) []Finding {
	ctx := FindingContext{VendorItemNumber: l.ItemNumber, VendorUOM: l.UOM, ContractPrice: l.Price.String(), EffectiveEnd: end}
	var out []Finding
	add := func(r Rule, msg string) {
		f := Finding{LineID: l.ID, Rule: r, Message: msg, Context: ctx}
		if it != nil {
			f.ERPItemID = it.ID
		}
		out = append(out, f)
	}
	expired := func() {
		if end != nil && end.Before(today.Truncate(24*time.Hour)) {
			add(RuleExpiredContract, fmt.Sprintf("The contract price of %s ended on %s.", l.ItemNumber, end.Format(time.DateOnly)))
		}
	}
	if m == nil || it == nil {
		expired()
		add(RuleMissingMapping, fmt.Sprintf("Vendor item %s (%s) is not mapped to an ERP item.", l.ItemNumber, l.UOM))
		return out
	}
	// Every finding on a mapped line, whatever its rule, shows the ERP
	// item and its price beside the line's.
	ctx.ERPItemNumber, ctx.ERPUOM, ctx.Confidence, ctx.Evidence = it.Number, m.ERPUOM, m.Confidence, m.Evidence
	ctx.Tolerance = tol.String()
	erpPrice, priceUOM, havePrice := referencePrice(it, m.ERPUOM, today)
	converted, canConvert := decimal.Decimal{}, false
	if havePrice {
		ctx.ERPPrice, ctx.ERPPriceUOM = erpPrice.String(), priceUOM
		if converted, canConvert = convert(it, l.Price, l.UOM, priceUOM); canConvert {
			ctx.ConvertedPrice = converted.StringFixed(4)
		}
	}
	expired()
	priceOK := havePrice && canConvert && tol.Within(converted, erpPrice)
	if l.UOM != m.ERPUOM && !priceOK {
		why := "the ERP has no conversion between them"
		if _, ok := convert(it, one, l.UOM, m.ERPUOM); ok {
			why = "the converted price does not match the ERP price"
		}
		add(RuleUOMMismatch, fmt.Sprintf("The vendor prices %s per %s, the ERP item %s uses %s, and %s.", l.ItemNumber, l.UOM, it.Number, m.ERPUOM, why))
	}
	if havePrice && canConvert && !priceOK {
		add(RulePriceMismatch, fmt.Sprintf("Contract price %s per %s differs from the ERP price %s per %s beyond the tolerance (%s).",
			converted.StringFixed(4), priceUOM, erpPrice.String(), priceUOM, tol.String()))
	}
	if !it.Active {
		add(RuleInactiveItem, fmt.Sprintf("ERP item %s is inactive.", it.Number))
	}
	return out
}

// referencePrice is the ERP price a contract price is compared with: the
// price in force on day in the mapped unit, else in the base unit, else
// in any unit, else the list price (per base unit).
func referencePrice(it *ReconItem, uom string, day time.Time) (decimal.Decimal, string, bool) {
	for _, want := range []string{uom, it.BaseUOM, ""} {
		for _, p := range it.Prices {
			if (want == "" || p.UOM == want) && (p.From == nil || !p.From.After(day)) && (p.To == nil || p.To.After(day)) {
				u := p.UOM
				if u == "" {
					u = it.BaseUOM
				}
				return p.Price, u, true
			}
		}
	}
	if it.ListPrice != nil {
		return *it.ListPrice, it.BaseUOM, true
	}
	return decimal.Decimal{}, "", false
}

// unitFactor is how many base units one unit of the item holds.
func unitFactor(it CatalogItem, uom string) (decimal.Decimal, bool) {
	if f, ok := it.Units[uom]; ok && f.IsPositive() {
		return f, true
	}
	if uom != "" && uom == it.BaseUOM {
		return one, true
	}
	return decimal.Decimal{}, false
}

// convert turns a price per unit from into a price per unit to through
// the item's conversion factors.
func convert(it *ReconItem, price decimal.Decimal, from, to string) (decimal.Decimal, bool) {
	if from == to {
		return price, true
	}
	ff, ok1 := unitFactor(it.CatalogItem, from)
	ft, ok2 := unitFactor(it.CatalogItem, to)
	if !ok1 || !ok2 {
		return decimal.Decimal{}, false
	}
	return price.Div(ff).Mul(ft), true
}
