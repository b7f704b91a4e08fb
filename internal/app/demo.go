package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract/contractdemo"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/ingest/ingestdemo"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score/scoredemo"
	"github.com/vendorsync/vendorsync/internal/tracker/trackerdemo"
)

// loadDemo fills the default tenant with the demo when --demo is set: its
// registry when the registry is empty, then the demo's vendor emails,
// processed here in order (a reply after its original) before the workers
// start, so their queued jobs find them done; then the contracts demo (an
// ERP catalog and two vendors' price files, reconciled), the ingest demo
// (the same two vendors' events, accepted, normalized and measured, so
// their quarantine rate, drift and data quality reach their scores once
// the workers run), and eight weeks
// of the demo vendors' outside signals, scored week by week. Before the
// emails, unless --no-demo-trackers or the role is not all, it connects
// the tenant to the built-in demo trackers (a Gitea and a Jira Cloud in
// this process, in memory); before the ingest demo, with role all, it
// subscribes a webhook receiver built into this process to the normalized
// events (ingestdemo.Subscribe), so the delivery log fills. It returns the
// servers it started, to be closed on shutdown, and says what it loaded.
func (c ServeCmd) loadDemo(ctx context.Context, e *env, p *program, baseURL string, out io.Writer) (*demoServers, error) {
	if !c.Demo {
		return nil, nil
	}
	d := &demoServers{}
	if err := c.loadDemoData(ctx, e, p, baseURL, out, d); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// demoServers are the servers the demo runs in this process (role all):
// its trackers and the receiver of its ingest subscription.
type demoServers struct {
	trackers *trackerdemo.Demo
	receiver *ingestdemo.Receiver
}

// Close stops them.
func (d *demoServers) Close() {
	if d == nil {
		return
	}
	if d.trackers != nil {
		d.trackers.Close()
	}
	if d.receiver != nil {
		_ = d.receiver.Close() // shutting down: its deliveries are over
	}
}

func (c ServeCmd) loadDemoData(ctx context.Context, e *env, p *program, baseURL string, out io.Writer, d *demoServers) error {
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
	if c.DemoTrackers && c.Role == "all" {
		var tr trackerdemo.Result
		d.trackers, tr, err = trackerdemo.Start(ctx, trackerdemo.Services{Trackers: p.trackers, Registry: p.registry},
			auth.System(t.ID), baseURL, e.log)
		if err != nil {
			return fmt.Errorf("demo trackers: %w", err)
		}
		fmt.Fprintf(out, "Demo trackers (organisation %q): %s\n", t.Slug, tr)
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
	if c.Role == "all" {
		var created bool
		d.receiver, created, err = ingestdemo.Subscribe(ctx, p.ingest, auth.System(t.ID))
		if err != nil {
			return fmt.Errorf("demo subscription: %w", err)
		}
		how := "which checks each delivery's Standard Webhooks signature and answers the first one 503, to show a retry"
		if !created {
			how = "again, with a new signing secret"
		}
		fmt.Fprintf(out, "Demo subscription (organisation %q): %q delivers every normalized event to a built-in receiver at %s, %s.\n",
			t.Slug, ingestdemo.SubscriptionName, d.receiver.URL, how)
	}
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

// liven works a demo ticket's Gitea issue once the ticket's issues are
// open in both demo trackers (trackerdemo.Demo.Liven).
func liven(ctx context.Context, d *trackerdemo.Demo, log *slog.Logger) {
	key, err := d.Liven(ctx, 3*time.Minute)
	switch {
	case err != nil:
		log.WarnContext(ctx, "demo trackers", "err", err.Error())
	case key != "":
		log.InfoContext(ctx, "demo trackers: a Gitea issue was labelled in progress and its webhook delivered", "ticket", key)
	}
}
