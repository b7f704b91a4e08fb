package registry_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestLoadDemo(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, sqlstore.SQLite)
	b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "demo", "Demo", "admin@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	svc := &registry.Service{Store: db}
	teams := &auth.Service{Store: db, Keys: db.Keys}
	p := auth.System(b.Tenant.ID)

	res, err := registry.LoadDemo(ctx, svc, teams, p)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Loaded || res.Teams != 5 || res.Vendors < 10 || res.Applications < 10 || res.Rules < 8 {
		t.Fatalf("first load = %+v", res)
	}
	snap, err := svc.ActiveRegistry(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	got := registry.DemoResult{Loaded: true, Teams: 5, Vendors: len(snap.Vendors), Applications: len(snap.Applications), Rules: len(snap.Rules)}
	if diff := cmp.Diff(res, got); diff != "" {
		t.Errorf("stored registry differs from the result (-result +stored):\n%s", diff)
	}
	for _, a := range snap.Applications {
		if a.OwnerTeamID == "" || len(a.VendorIDs) == 0 || len(a.Description) < 100 {
			t.Errorf("application %s lacks an owner, vendors or a rich description: %+v", a.Name, a)
		}
	}

	again, err := registry.LoadDemo(ctx, svc, teams, p)
	if err != nil {
		t.Fatal(err)
	}
	if again.Loaded {
		t.Errorf("second load = %+v, want nothing loaded", again)
	}
	if c, _ := svc.Counts(ctx, p); c.Vendors != res.Vendors {
		t.Errorf("vendors after second load = %d, want %d", c.Vendors, res.Vendors)
	}
}
