package web_test

import (
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/erp/p21"
)

// erpProviders is the test server's ERP registry, as the program's.
func erpProviders() *erp.Registry {
	return erp.NewRegistry(p21.Factory(p21.Options{}), erp.CSVFactory())
}

// erpConnectorWallFixture creates a CSV catalog connector in the key's
// tenant.
func erpConnectorWallFixture(e *env, key string) string {
	return created(e, key, "/api/v1/erp-connectors", map[string]any{"name": "Wall catalog", "provider": "csv"})
}
