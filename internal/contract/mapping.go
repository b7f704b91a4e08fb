package contract

import (
	"time"

	"github.com/shopspring/decimal"
)

// ItemKey is a vendor item as its files name it: the vendor's item number
// and the unit it is priced in. Approved mappings are unique per tenant
// and key, so every later file of the same item reuses them.
type ItemKey struct {
	ItemNumber string `json:"vendor_item_number"`
	UOM        string `json:"vendor_uom"`
}

// VendorItem is an item of the tenant's contracts with no approved
// mapping yet: the unmapped queue.
type VendorItem struct {
	ItemKey
	VendorID    string `json:"vendor_id"`
	Description string `json:"vendor_description"`
	// Lines is how many contract lines price this item.
	Lines int `json:"lines"`
}

// MatchEvidence is one reason for (or against) a suggestion.
type MatchEvidence struct {
	Kind   string  `json:"kind" enum:"supplier_part,item_number,normalized_part,description,unit,inactive"`
	Detail string  `json:"detail"`
	Score  float64 `json:"score"`
}

// Suggestion is an ERP item proposed for a vendor item, with a confidence
// from 0 to 1 and the evidence it rests on.
type Suggestion struct {
	ERPItemID     string          `json:"erp_item_id"`
	ERPItemNumber string          `json:"erp_item_number"`
	Description   string          `json:"erp_description"`
	ERPUOM        string          `json:"erp_uom" doc:"The ERP unit the vendor unit maps to."`
	Active        bool            `json:"erp_active"`
	Confidence    float64         `json:"confidence"`
	Evidence      []MatchEvidence `json:"evidence" nullable:"false"`
}

// Suggested is a vendor item of the unmapped queue with its suggestions,
// best first.
type Suggested struct {
	VendorItem
	Suggestions []Suggestion `json:"suggestions" nullable:"false"`
}

// MappingMethod says how a mapping came to be.
type MappingMethod string

// The ways a mapping is made.
const (
	MappedSuggestion MappingMethod = "suggestion" // a person approved a suggestion
	MappedManual     MappingMethod = "manual"     // a person chose the ERP item
	MappedBulk       MappingMethod = "bulk"       // approved in bulk above a confidence threshold
)

// ItemMapping is an approved vendor item → ERP item mapping.
type ItemMapping struct {
	ID       string `json:"id"`
	TenantID string `json:"-"`
	ItemKey
	VendorID      string          `json:"vendor_id"`
	ERPItemID     string          `json:"erp_item_id"`
	ERPItemNumber string          `json:"erp_item_number"`
	ERPUOM        string          `json:"erp_uom"`
	Confidence    float64         `json:"confidence"`
	Evidence      []MatchEvidence `json:"evidence" nullable:"false"`
	Method        MappingMethod   `json:"method" enum:"suggestion,manual,bulk"`
	ApprovedBy    string          `json:"approved_by"`
	ApprovedAt    time.Time       `json:"approved_at"`
}

// CatalogItem is an ERP item as matching sees it: its numbers, words and
// units (unit → base units one holds; the base unit holds 1).
type CatalogItem struct {
	ID          string
	Number      string
	Description string
	BaseUOM     string
	Active      bool
	Units       map[string]decimal.Decimal
	Parts       []string
}

// UnmappedFilter selects the unmapped queue.
type UnmappedFilter struct {
	VendorID string
	Cursor   string
	Limit    int
}

// MappingFilter selects approved mappings.
type MappingFilter struct {
	VendorID string
	// Query matches the vendor item number or the ERP item number.
	Query  string
	Cursor string
	Limit  int
}
