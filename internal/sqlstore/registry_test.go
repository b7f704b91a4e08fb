package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// regFixture is a store with two tenants and the registry service on it.
type regFixture struct {
	db   *sqlstore.DB
	svc  *registry.Service
	a, b auth.Principal // admins of tenants A and B
}

func newRegFixture(t *testing.T, db *sqlstore.DB) *regFixture {
	t.Helper()
	as := &auth.Service{Store: db, Keys: db.Keys}
	f := &regFixture{db: db, svc: &registry.Service{Store: db}}
	for i, p := range []*auth.Principal{&f.a, &f.b} {
		slug := fmt.Sprintf("tenant-%d", i)
		b, err := as.CreateTenant(context.Background(), slug, slug, "admin@"+slug+".test")
		if err != nil {
			t.Fatal(err)
		}
		*p = b.Admin.Principal()
	}
	return f
}

// team creates a team in p's tenant.
func (f *regFixture) team(t *testing.T, p auth.Principal, name string) auth.Team {
	t.Helper()
	tm := auth.Team{ID: ident.New(), TenantID: p.TenantID, Name: name, IsActive: true}
	if err := f.db.CreateTeam(context.Background(), tm, audit.Record(p, "team.create", "team", tm.ID, nil, tm)); err != nil {
		t.Fatal(err)
	}
	return tm
}

func (f *regFixture) vendor(t *testing.T, p auth.Principal, name string, tier registry.Tier) registry.Vendor {
	t.Helper()
	v, err := f.svc.CreateVendor(context.Background(), p, registry.Vendor{Name: name, Tier: tier})
	if err != nil {
		t.Fatalf("create vendor %s: %v", name, err)
	}
	return v
}

// actions lists the audit actions recorded for an entity, oldest first.
func (f *regFixture) actions(t *testing.T, p auth.Principal, id string) []string {
	t.Helper()
	rows, _, err := f.db.ListAudit(context.Background(), p.TenantID, audit.Filter{EntityID: id})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(rows) - 1; i >= 0; i-- {
		out = append(out, rows[i].Action)
	}
	return out
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); err == nil || got != code {
		t.Fatalf("err = %v (code %s), want code %s", err, got, code)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, apperr.Invalid)
	for _, fe := range apperr.FieldsOf(err) {
		if fe.Field == field {
			return
		}
	}
	t.Fatalf("err = %v: no error on field %s (fields %+v)", err, field, apperr.FieldsOf(err))
}

func TestRegistryVendorLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newRegFixture(t, db)
		v, err := f.svc.CreateVendor(ctx, f.a, registry.Vendor{Name: " Visa ", Tier: registry.Tier1,
			EmailDomains: []string{"Visa.com", "@visa.com", "visaemail.com"}, Aliases: []string{"VISA Inc", "visa inc"},
			Website: "www.visa.com", Notes: "Card network"})
		if err != nil {
			t.Fatal(err)
		}
		want := registry.Vendor{ID: v.ID, TenantID: f.a.TenantID, Name: "Visa", Tier: registry.Tier1,
			EmailDomains: []string{"visa.com", "visaemail.com"}, Aliases: []string{"VISA Inc"}, Website: "https://www.visa.com",
			Notes: "Card network", IsActive: true, CreatedAt: v.CreatedAt, UpdatedAt: v.CreatedAt}
		if diff := cmp.Diff(want, v); diff != "" {
			t.Fatalf("created (-want +got):\n%s", diff)
		}
		got, err := f.svc.Vendor(ctx, f.a, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(v, got); diff != "" {
			t.Fatalf("read back (-created +read):\n%s", diff)
		}

		upd, err := f.svc.UpdateVendor(ctx, f.a, v.ID, func(v *registry.Vendor) { v.Tier = registry.Tier2; v.Aliases = nil })
		if err != nil {
			t.Fatal(err)
		}
		if upd.Tier != registry.Tier2 || len(upd.Aliases) != 0 || upd.CreatedAt != v.CreatedAt {
			t.Fatalf("updated = %+v", upd)
		}
		if _, err := f.svc.UpdateVendor(ctx, f.a, v.ID, func(*registry.Vendor) {}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DeactivateVendor(ctx, f.a, v.ID); err != nil {
			t.Fatal(err)
		}
		if list, _, err := f.svc.ListVendors(ctx, f.a, registry.VendorFilter{}); err != nil || len(list) != 0 {
			t.Fatalf("active list = %v, %v; want empty", list, err)
		}
		if list, _, err := f.svc.ListVendors(ctx, f.a, registry.VendorFilter{IncludeInactive: true}); err != nil || len(list) != 1 || list[0].IsActive {
			t.Fatalf("list with inactive = %+v, %v", list, err)
		}
		if _, err := f.svc.UpdateVendor(ctx, f.a, v.ID, func(v *registry.Vendor) { v.IsActive = true }); err != nil {
			t.Fatal(err)
		}
		wantActions := []string{"vendor.create", "vendor.update", "vendor.deactivate", "vendor.reactivate"}
		if diff := cmp.Diff(wantActions, f.actions(t, f.a, v.ID)); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}
	})
}

func TestRegistryPaginationAndSearch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newRegFixture(t, db)
		var want []string
		for i := range 7 {
			name := fmt.Sprintf("Vendor %02d", i)
			tier := registry.Tier2
			if i%3 == 0 {
				tier = registry.Tier1
			}
			if _, err := f.svc.CreateVendor(ctx, f.a, registry.Vendor{Name: name, Tier: tier,
				EmailDomains: []string{fmt.Sprintf("v%d.example.com", i)}, Aliases: []string{fmt.Sprintf("Alias%d", i)}}); err != nil {
				t.Fatal(err)
			}
			want = append(want, name)
		}
		var got []string
		var pages int
		filter := registry.VendorFilter{Limit: 3}
		for {
			page, next, err := f.svc.ListVendors(ctx, f.a, filter)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, v := range page {
				got = append(got, v.Name)
			}
			if next == "" {
				break
			}
			filter.Cursor = next
		}
		if diff := cmp.Diff(want, got); diff != "" || pages != 3 {
			t.Fatalf("pages = %d; names (-want +got):\n%s", pages, diff)
		}
		for _, tc := range []struct {
			name   string
			filter registry.VendorFilter
			want   []string
		}{
			{"by name", registry.VendorFilter{Query: "vendor 04"}, []string{"Vendor 04"}},
			{"by alias", registry.VendorFilter{Query: "ALIAS5"}, []string{"Vendor 05"}},
			{"by domain", registry.VendorFilter{Query: "v6.example"}, []string{"Vendor 06"}},
			{"by tier", registry.VendorFilter{Tier: registry.Tier1}, []string{"Vendor 00", "Vendor 03", "Vendor 06"}},
			{"no match", registry.VendorFilter{Query: "nothing"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				list, _, err := f.svc.ListVendors(ctx, f.a, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, v := range list {
					names = append(names, v.Name)
				}
				if diff := cmp.Diff(tc.want, names); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
		if _, _, err := f.svc.ListVendors(ctx, f.a, registry.VendorFilter{Cursor: "garbage!"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad cursor: err = %v, want invalid", err)
		}
	})
}

func TestRegistryNameConflicts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newRegFixture(t, db)
		visa := f.vendor(t, f.a, "Visa", registry.Tier1)
		seq, _, err := db.AuditHead(ctx, f.a.TenantID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CreateVendor(ctx, f.a, registry.Vendor{Name: "VISA", Tier: registry.Tier2})
		wantCode(t, err, apperr.Conflict)
		if after, _, _ := db.AuditHead(ctx, f.a.TenantID); after != seq {
			t.Errorf("a failed create wrote audit rows: head %d → %d", seq, after)
		}
		f.vendor(t, f.b, "Visa", registry.Tier1) // another tenant may use the name
		mc := f.vendor(t, f.a, "Mastercard", registry.Tier1)
		_, err = f.svc.UpdateVendor(ctx, f.a, mc.ID, func(v *registry.Vendor) { v.Name = "visa" })
		wantCode(t, err, apperr.Conflict)

		app := registry.Application{Name: "PaymentService", Description: "Takes payments.", VendorIDs: []string{visa.ID}}
		if _, err := f.svc.CreateApplication(ctx, f.a, app); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CreateApplication(ctx, f.a, app)
		wantCode(t, err, apperr.Conflict)

		rule := registry.Rule{Name: "Visa auth", Text: "Visa auth changes are critical.", Severity: registry.SeverityCritical}
		if _, err := f.svc.CreateRule(ctx, f.a, rule); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CreateRule(ctx, f.a, rule)
		wantCode(t, err, apperr.Conflict)
	})
}
