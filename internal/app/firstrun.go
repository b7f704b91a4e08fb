package app

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// firstRun creates the default tenant and its admin when the database has no
// tenant yet; the admin's one-time password is returned to be printed once.
// Concurrent replicas race safely: the loser sees the tenant already exists.
func (e *env) firstRun(ctx context.Context, people *auth.Service, c ServeCmd) (*auth.Bootstrap, error) {
	tenants, err := e.db.ListTenants(ctx)
	if err != nil || len(tenants) > 0 {
		return nil, err
	}
	b, err := people.CreateTenant(ctx, c.DefaultTenant, "Default organisation", c.AdminEmail)
	if err != nil {
		if _, lookupErr := e.db.TenantBySlug(ctx, c.DefaultTenant); lookupErr == nil {
			return nil, nil // another replica created it first
		}
		return nil, err
	}
	e.log.InfoContext(ctx, "first run: created default tenant", "tenant", b.Tenant.Slug, "admin", b.Admin.Email)
	return &b, nil
}
