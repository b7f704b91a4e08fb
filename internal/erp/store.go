package erp

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Store is what the ERP module reads and writes; internal/sqlstore
// implements it on both engines.
type Store interface {
	ItemStore
	// CreateERPConnector writes a connector, its encrypted secret (when
	// not nil) and its audit row in one transaction.
	CreateERPConnector(ctx context.Context, c Connector, secret []byte, ev audit.Event) error
	// UpdateERPConnector saves a connector's settings, and its secret when
	// not nil (deleting the stored one when nil and c.SecretSet is false),
	// with the audit row.
	UpdateERPConnector(ctx context.Context, c Connector, secret []byte, ev audit.Event) error
	ERPConnector(ctx context.Context, tenantID, id string) (Connector, error)
	ListERPConnectors(ctx context.Context, tenantID string) ([]Connector, error)
	// ERPConnectorSecret decrypts a connector's secret; not found when
	// none is stored.
	ERPConnectorSecret(ctx context.Context, tenantID, id string) ([]byte, error)
	// QueueERPSync marks a connector's sync queued and enqueues job, with
	// the audit row, in one transaction.
	QueueERPSync(ctx context.Context, tenantID, id string, full bool, at time.Time, ev audit.Event, job jobargs.Args) error
}

// secretName is the name a connector's secret is stored under.
func secretName(id string) string { return "erp.connector." + id }

// SecretName is the name of connector id's secret in the secrets table.
func SecretName(id string) string { return secretName(id) }

// ItemStore is the ERP item store: what item sync and catalog imports
// write, and what item lists and the contracts module read.
type ItemStore interface {
	// StartERPSync marks a connector's sync running with zero counts.
	StartERPSync(ctx context.Context, tenantID, id string, full bool, at time.Time) error
	// UpsertERPItems, UpsertERPUOMs, UpsertERPSuppliers and UpsertERPPrices
	// store one batch of a connector's catalog in one transaction each,
	// keyed by the ERP's own keys (so a repeated sync updates, never
	// duplicates), and add the batch's size to the sync's counts. Units,
	// supplier parts and prices belong to their item by its ERP key.
	UpsertERPItems(ctx context.Context, tenantID, connectorID string, batch []Item, at time.Time) error
	UpsertERPUOMs(ctx context.Context, tenantID, connectorID string, batch []UOM) error
	UpsertERPSuppliers(ctx context.Context, tenantID, connectorID string, batch []SupplierPart) error
	UpsertERPPrices(ctx context.Context, tenantID, connectorID string, batch []Price) error
	// FinishERPSync records a sync's end: failed with errMsg, or succeeded
	// with the new watermark; with the audit row.
	FinishERPSync(ctx context.Context, tenantID, id string, at time.Time, errMsg string, watermark *time.Time, ev audit.Event) error
	// ActiveERPConnectors lists the active connectors of every tenant whose
	// provider syncs, for the nightly round.
	ActiveERPConnectors(ctx context.Context, providers []Provider) ([]ConnectorRef, error)
	// ListERPItems lists a tenant's items by item number.
	ListERPItems(ctx context.Context, tenantID string, f ItemFilter) ([]StoredItem, string, error)
	// ERPItem returns one item with its units, supplier parts and prices.
	ERPItem(ctx context.Context, tenantID, id string) (ItemDetail, error)
}

// ConnectorRef names a connector of a tenant.
type ConnectorRef struct {
	TenantID string
	ID       string
}

// ItemFilter selects items for lists.
type ItemFilter struct {
	ConnectorID string
	// Query matches item number, description or a supplier part number.
	Query string
	// ActiveOnly hides inactive (deleted in the ERP) items.
	ActiveOnly bool
	Cursor     string
	Limit      int
}
