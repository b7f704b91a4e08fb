package app

import (
	"context"
	"fmt"
	"io"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// loadDemo fills the default tenant's registry with the demo data when
// --demo is set and the registry is empty, and says what it loaded.
func (c ServeCmd) loadDemo(ctx context.Context, e *env, reg *registry.Service, out io.Writer) error {
	if !c.Demo {
		return nil
	}
	t, err := e.tenant(ctx, c.DefaultTenant)
	if apperr.Is(err, apperr.NotFound) {
		fmt.Fprintf(out, "Demo data: there is no organisation %q to load it into; nothing loaded.\n", c.DefaultTenant)
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	res, err := registry.LoadDemo(ctx, reg, e.auth, auth.System(t.ID))
	if apperr.Is(err, apperr.Conflict) {
		// Another replica started with --demo at the same moment and won.
		fmt.Fprintf(out, "Demo data: another replica is loading it into organisation %q.\n", t.Slug)
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	fmt.Fprintf(out, "Demo data (organisation %q): %s.\n", t.Slug, res)
	if res.Loaded {
		e.log.InfoContext(ctx, "demo data loaded", "tenant", t.Slug, "vendors", res.Vendors,
			"applications", res.Applications, "rules", res.Rules, "teams", res.Teams)
	}
	return nil
}
