package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// world is a tenant with the demo registry on a real store, and the inbox
// service over it with the offline triage.
type world struct {
	db       *sqlstore.DB
	svc      *inbox.Service
	auth     *auth.Service
	tenant   auth.Tenant
	sys      auth.Principal
	admin    auth.Principal
	registry *registry.Service
	tickets  *ticket.Service
	snap     registry.Snapshot
}

// newWorld builds the world on db. The job queue is insert-only: tests call
// Process themselves unless they start workers.
func newWorld(t testing.TB, db *sqlstore.DB) *world {
	t.Helper()
	ctx := context.Background()
	if _, err := jobs.New(db, jobs.Config{}); err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, auth: &auth.Service{Store: db, Keys: db.Keys}}
	b, err := w.auth.CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	w.tenant, w.sys, w.admin = b.Tenant, auth.System(b.Tenant.ID), b.Admin.Principal()
	w.registry = &registry.Service{Store: db}
	if _, err := registry.LoadDemo(ctx, w.registry, w.auth, w.sys); err != nil {
		t.Fatal(err)
	}
	if w.snap, err = w.registry.ActiveRegistry(ctx, w.sys); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	settings := &setting.Service{Store: db}
	w.tickets = &ticket.Service{Store: db, Location: func(ctx context.Context, tenantID string) (*time.Location, error) {
		st, err := settings.Get(ctx, tenantID)
		return st.Location(), err
	}}
	w.svc = &inbox.Service{Store: db, Blobs: blobs, Tickets: w.tickets, Registry: w.registry, Settings: settings}
	return w
}
