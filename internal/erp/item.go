package erp

import (
	"time"

	"github.com/shopspring/decimal"
)

// StoredItem is an item of the ERP item store (tables erp_items,
// erp_item_uoms, erp_item_suppliers, erp_item_prices).
type StoredItem struct {
	ID          string           `json:"id"`
	TenantID    string           `json:"-"`
	ConnectorID string           `json:"connector_id"`
	ExternalID  string           `json:"external_id" doc:"The ERP's own key (P21 inv_mast_uid)."`
	ItemNumber  string           `json:"item_number"`
	Description string           `json:"description"`
	BaseUOM     string           `json:"base_uom"`
	ListPrice   *decimal.Decimal `json:"list_price,omitempty" doc:"Exact decimal, as a string."`
	IsActive    bool             `json:"is_active"`
	ModifiedAt  *time.Time       `json:"erp_modified_at,omitempty"`
	SyncedAt    time.Time        `json:"synced_at"`
}

// ItemDetail is an item with its units, supplier parts and prices.
type ItemDetail struct {
	StoredItem
	UOMs      []StoredUOM      `json:"uoms" nullable:"false"`
	Suppliers []StoredSupplier `json:"suppliers" nullable:"false"`
	Prices    []StoredPrice    `json:"prices" nullable:"false"`
}

// StoredUOM is a unit of an item: one holds Factor base units.
type StoredUOM struct {
	UOM    string          `json:"uom"`
	Factor decimal.Decimal `json:"factor"`
}

// StoredSupplier is a supplier's part number and cost of an item.
type StoredSupplier struct {
	SupplierID string           `json:"supplier_id"`
	PartNumber string           `json:"supplier_part_no"`
	Cost       *decimal.Decimal `json:"cost,omitempty"`
	UOM        string           `json:"uom,omitempty"`
}

// StoredPrice is a selling price of an item in a unit.
type StoredPrice struct {
	Key           string          `json:"key"`
	UOM           string          `json:"uom"`
	Price         decimal.Decimal `json:"price"`
	EffectiveFrom *time.Time      `json:"effective_from,omitempty"`
	EffectiveTo   *time.Time      `json:"effective_to,omitempty"`
}
