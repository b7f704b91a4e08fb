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
	// CreateERPConnector writes a connector, its encrypted secret (when
	// not nil) and its audit row in one transaction.
	CreateERPConnector(ctx context.Context, c Connector, secret []byte, ev audit.Event) error
	// UpdateERPConnector saves a connector's settings, and its secret when
	// not nil, with the audit row.
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
