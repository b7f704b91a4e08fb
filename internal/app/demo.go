package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract/contractdemo"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/ingest/ingestdemo"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score/scoredemo"
)

// loadDemo fills the default tenant with the demo when --demo is set: its
// registry when the registry is empty, then the demo's vendor emails,
// processed here in order (a reply after its original) before the workers
// start, so their queued jobs find them done; then the contracts demo (an
// ERP catalog and two vendors' price files, reconciled), the ingest demo
// (the same two vendors' events, accepted, normalized and measured, so
// their quarantine rate, drift and data quality reach their scores once
// the workers run), and eight weeks
// of the demo vendors' outside signals, scored week by week. It says what
// it loaded.
func (c ServeCmd) loadDemo(ctx context.Context, e *env, p *program, out io.Writer) error {
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
	res, err := registry.LoadDemo(ctx, p.registry, p.auth, auth.System(t.ID))
	switch {
	case apperr.Is(err, apperr.Conflict):
		// Another replica started with --demo at the same moment and won.
		fmt.Fprintf(out, "Demo data: another replica is loading it into organisation %q.\n", t.Slug)
	case err != nil:
		return fmt.Errorf("demo data: %w", err)
	default:
		fmt.Fprintf(out, "Demo data (organisation %q): %s.\n", t.Slug, res)
		if res.Loaded {
			e.log.InfoContext(ctx, "demo data loaded", "tenant", t.Slug, "vendors", res.Vendors,
				"applications", res.Applications, "rules", res.Rules, "teams", res.Teams)
		}
	}
	emails, err := inbox.LoadDemo(ctx, p.inbox, t.ID)
	if err != nil {
		return fmt.Errorf("demo emails: %w", err)
	}
	fmt.Fprintf(out, "Demo emails (organisation %q): %s.\n", t.Slug, emails)
	prices, err := contractdemo.Load(ctx, contractdemo.Services{Registry: p.registry, ERP: p.erp, Contracts: p.contracts,
		Mappings: p.mappings, Reconciliation: p.recon}, auth.System(t.ID), time.Now())
	if err != nil {
		return fmt.Errorf("demo contracts: %w", err)
	}
	fmt.Fprintf(out, "Demo contracts (organisation %q): %s.\n", t.Slug, prices)
	events, err := ingestdemo.Load(ctx, p.ingest, p.registry, auth.System(t.ID), time.Now())
	if err != nil {
		return fmt.Errorf("demo ingest: %w", err)
	}
	fmt.Fprintf(out, "Demo ingest (organisation %q): %s.\n", t.Slug, events)
	scores, err := scoredemo.Load(ctx, p.scores, t.ID, time.Now())
	if err != nil {
		return fmt.Errorf("demo scores: %w", err)
	}
	fmt.Fprintf(out, "Demo scores (organisation %q): %s.\n", t.Slug, scores)
	return nil
}
