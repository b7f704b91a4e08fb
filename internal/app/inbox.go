package app

import (
	"context"
	"fmt"
	"io"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// newInbox builds the email pipeline over the store. Its Triager is nil
// (the offline triage) until a language model is configured.
func newInbox(e *env, blobs *blob.Store, reg *registry.Service, settings *setting.Service, tickets *ticket.Service) *inbox.Service {
	return &inbox.Service{Store: e.db, Blobs: blobs, Tickets: tickets, Registry: reg, Settings: settings,
		Logger: e.log.With("component", "inbox")}
}

// loadDemoEmails loads and processes the demo's vendor emails into the
// default tenant when --demo is set; the demo registry must be there first.
// It runs before the workers start, so the emails are processed here, in
// order, and their queued jobs find them done.
func (c ServeCmd) loadDemoEmails(ctx context.Context, e *env, svc *inbox.Service, out io.Writer) error {
	if !c.Demo {
		return nil
	}
	t, err := e.tenant(ctx, c.DefaultTenant)
	if apperr.Is(err, apperr.NotFound) {
		return nil // loadDemo said so already
	}
	if err != nil {
		return fmt.Errorf("demo emails: %w", err)
	}
	res, err := inbox.LoadDemo(ctx, svc, t.ID)
	if err != nil {
		return fmt.Errorf("demo emails: %w", err)
	}
	fmt.Fprintf(out, "Demo emails (organisation %q): %s.\n", t.Slug, res)
	return nil
}
