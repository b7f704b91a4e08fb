// Package erp connects VendorSync to the ERP that holds the item catalog
// vendor price files are reconciled against: connectors per tenant (which
// ERP, how it signs in, write-only credentials), a registry of the
// providers the program links in (erp/p21 for Epicor Prophet 21 over
// OData), connection tests, item sync into the ERP item store (full, then
// incremental by last-modified date) and a CSV catalog import for ERPs
// without an API.
package erp

import (
	"time"

	"github.com/shopspring/decimal"
)

// Connector is one tenant's connection to an ERP. Its secret (password,
// consumer key or API key) is write-only: stored encrypted, never returned.
type Connector struct {
	ID       string   `json:"id"`
	TenantID string   `json:"-"`
	Name     string   `json:"name"`
	Provider Provider `json:"provider"`
	AuthMode AuthMode `json:"auth_mode"`
	BaseURL  string   `json:"base_url,omitempty" doc:"The ERP's root URL, e.g. https://p21.example.com."`
	Username string   `json:"username,omitempty"`
	// IsActive connectors are synced nightly; inactive ones keep their
	// items but are not synced.
	IsActive bool `json:"is_active"`
	// SecretSet says whether a secret is stored (the secret itself is
	// never returned).
	SecretSet bool       `json:"secret_set"`
	Sync      SyncStatus `json:"sync"`
	// Items is how many items of this connector the store holds.
	Items     int64     `json:"items"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SyncState is where a connector's item sync stands.
type SyncState string

// The states of an item sync.
const (
	SyncNever     SyncState = "never"
	SyncQueued    SyncState = "queued"
	SyncRunning   SyncState = "running"
	SyncSucceeded SyncState = "succeeded"
	SyncFailed    SyncState = "failed"
)

// SyncStatus is a connector's last (or current) item sync, with its counts.
type SyncStatus struct {
	State SyncState `json:"state" enum:"never,queued,running,succeeded,failed"`
	// Full says whether the last sync read everything (the first one, or
	// one asked for) rather than what changed since the watermark.
	Full       bool       `json:"full"`
	QueuedAt   *time.Time `json:"queued_at,omitempty"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Error is why the last sync failed, safe to show.
	Error string `json:"error,omitempty"`
	// Counts of rows read and stored by the current or last sync.
	ItemsRead     int64 `json:"items_read"`
	UOMsRead      int64 `json:"uoms_read"`
	SuppliersRead int64 `json:"suppliers_read"`
	PricesRead    int64 `json:"prices_read"`
	// Watermark is the newest last-modified time stored: the next
	// incremental sync reads from it. Nil before the first full sync.
	Watermark *time.Time `json:"watermark,omitempty"`
}

// Item is one ERP item as a provider reads it.
type Item struct {
	// ExternalID is the ERP's own key of the item (P21 inv_mast_uid).
	ExternalID  string
	ItemNumber  string
	Description string
	// BaseUOM is the item's default unit (P21 default_selling_unit).
	BaseUOM string
	// ListPrice is the price per BaseUOM, nil when the ERP has none.
	ListPrice *decimal.Decimal
	Active    bool
	// ModifiedAt is the ERP's last-modified time of the row.
	ModifiedAt time.Time
}

// UOM is one unit an item is sold or bought in, with how many base units
// one of it holds (a case of 12: factor 12).
type UOM struct {
	ItemExternalID string
	UOM            string
	Factor         decimal.Decimal
	ModifiedAt     time.Time
}

// SupplierPart is a supplier's part number and cost for an item.
type SupplierPart struct {
	ItemExternalID string
	SupplierID     string
	PartNumber     string
	// Cost is the supplier's cost per UOM, nil when the ERP has none.
	Cost       *decimal.Decimal
	UOM        string
	ModifiedAt time.Time
}

// Price is one selling price of an item in a unit, valid between two
// dates when the ERP bounds it.
type Price struct {
	ItemExternalID string
	// Key is the ERP's own key of the price row.
	Key           string
	UOM           string
	Price         decimal.Decimal
	EffectiveFrom *time.Time
	EffectiveTo   *time.Time
	ModifiedAt    time.Time
}

// Sink receives a catalog in batches, each table in the order the provider
// reads it; units, supplier parts and prices name their item by its
// ExternalID. Calls never overlap.
type Sink interface {
	Items(batch []Item) error
	UOMs(batch []UOM) error
	Suppliers(batch []SupplierPart) error
	Prices(batch []Price) error
}
