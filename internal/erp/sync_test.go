package erp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/erp/p21"
	"github.com/vendorsync/vendorsync/internal/erp/p21/p21test"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// fixture is a tenant with an ERP service on a real store and a fake P21.
type fixture struct {
	db    *sqlstore.DB
	svc   *erp.Service
	admin auth.Principal
	p21   *p21test.Server
}

func newFixture(t testing.TB, db *sqlstore.DB) *fixture {
	t.Helper()
	if _, err := jobs.New(db, jobs.Config{}); err != nil {
		t.Fatal(err)
	}
	fast := httpx.Policy{InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond, MaxRetries: 1,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	f := &fixture{db: db, p21: p21test.New(t)}
	f.svc = &erp.Service{Store: db, Providers: erp.NewRegistry(p21.Factory(p21.Options{Resilience: fast}), erp.CSVFactory())}
	b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(context.Background(), "acme", "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	f.admin = b.Admin.Principal()
	return f
}

func (f *fixture) connector(t testing.TB, secret string) erp.Connector {
	t.Helper()
	c, err := f.svc.Create(context.Background(), f.admin, erp.Input{Name: "P21", Provider: p21.Provider, BaseURL: f.p21.URL,
		Username: p21test.Username, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) get(t *testing.T, id string) erp.Connector {
	t.Helper()
	c, err := f.svc.Get(t.Context(), f.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		f.p21.Catalog(30, at)
		f.p21.SetMaxPage(7)
		f.p21.Upsert("inv_mast", "inv_mast_uid", p21test.ItemRow(5, "Item 5, stainless", "N", at.Add(time.Hour)))
		c := f.connector(t, p21test.Password)
		ctx := t.Context()

		if err := f.svc.Sync(ctx, f.admin.TenantID, c.ID, false); err != nil {
			t.Fatal(err)
		}
		got := f.get(t, c.ID)
		s := got.Sync
		if s.State != erp.SyncSucceeded || !s.Full || s.ItemsRead != 30 || s.UOMsRead != 60 || s.SuppliersRead != 30 ||
			s.PricesRead != 30 || s.Watermark == nil || !s.Watermark.Equal(at.Add(time.Hour)) || got.Items != 30 {
			t.Fatalf("after the first sync: %+v items %d", s, got.Items)
		}
		items, _, err := f.svc.ListItems(ctx, f.admin, erp.ItemFilter{Query: "vp-000010"})
		if err != nil || len(items) != 1 || items[0].ItemNumber != "ITM-000010" || items[0].IsActive {
			t.Fatalf("search by supplier part: %+v, %v", items, err)
		}
		d, err := f.svc.Item(ctx, f.admin, items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.UOMs) != 2 || d.UOMs[0].UOM != "CS" || d.UOMs[0].Factor.String() != "12" || len(d.Suppliers) != 1 ||
			d.Suppliers[0].Cost.String() != "13.001" || len(d.Prices) != 1 || d.Prices[0].Price.String() != "70.1" ||
			d.ListPrice.String() != "15.037" {
			t.Errorf("item detail %+v", d)
		}

		// Rows modified at the watermark's second are read again (item 5):
		// a row changed in that second after the last read is not missed.
		t.Run("incremental reads what changed since the watermark", func(t *testing.T) {
			later := at.Add(26 * time.Hour)
			f.p21.Upsert("inv_mast", "inv_mast_uid", p21test.ItemRow(3, "Item 3, now brass", "Y", later), p21test.ItemRow(31, "Item 31", "N", later))
			if err := f.svc.Sync(ctx, f.admin.TenantID, c.ID, false); err != nil {
				t.Fatal(err)
			}
			got := f.get(t, c.ID)
			if got.Sync.Full || got.Sync.ItemsRead != 3 || got.Sync.UOMsRead != 0 || got.Items != 31 || !got.Sync.Watermark.Equal(later) {
				t.Errorf("incremental sync: %+v items %d", got.Sync, got.Items)
			}
			items, _, err := f.svc.ListItems(ctx, f.admin, erp.ItemFilter{Query: "brass"})
			if err != nil || len(items) != 1 || items[0].IsActive || items[0].ExternalID != "3" {
				t.Errorf("changed item: %+v, %v", items, err)
			}
			items, _, _ = f.svc.ListItems(ctx, f.admin, erp.ItemFilter{ActiveOnly: true, Limit: 500})
			if len(items) != 31-4 { // 10, 20, 30 deleted, and now 3
				t.Errorf("%d active items, want 27", len(items))
			}
		})

		t.Run("full sync on demand reads everything without duplicates", func(t *testing.T) {
			if err := f.svc.Sync(ctx, f.admin.TenantID, c.ID, true); err != nil {
				t.Fatal(err)
			}
			got := f.get(t, c.ID)
			if !got.Sync.Full || got.Sync.ItemsRead != 31 || got.Items != 31 {
				t.Errorf("full sync: %+v items %d", got.Sync, got.Items)
			}
		})

		t.Run("pages of the item list", func(t *testing.T) {
			var all []string
			cursor := ""
			for {
				page, next, err := f.svc.ListItems(ctx, f.admin, erp.ItemFilter{Limit: 8, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range page {
					all = append(all, it.ItemNumber)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if len(all) != 31 || all[0] != "ITM-000001" || all[30] != "ITM-000031" {
				t.Errorf("paged list: %d items %v", len(all), all)
			}
		})

		t.Run("the tenant wall", func(t *testing.T) {
			b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "other", "Other", "admin@other.test")
			if err != nil {
				t.Fatal(err)
			}
			other := b.Admin.Principal()
			if items, _, _ := f.svc.ListItems(ctx, other, erp.ItemFilter{}); len(items) != 0 {
				t.Errorf("another tenant sees %d items", len(items))
			}
			if _, err := f.svc.Get(ctx, other, c.ID); err == nil {
				t.Error("another tenant reads the connector")
			}
		})
	})
}

func TestSyncFailures(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.p21.Catalog(5, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		ctx := t.Context()

		t.Run("wrong credentials fail the sync and end the job", func(t *testing.T) {
			c := f.connector(t, "wrong")
			if err := f.svc.Sync(ctx, f.admin.TenantID, c.ID, false); err != nil {
				t.Fatalf("a sync no retry can cure returned %v", err)
			}
			s := f.get(t, c.ID).Sync
			if s.State != erp.SyncFailed || !strings.Contains(s.Error, "Invalid username or password") || s.Watermark != nil {
				t.Errorf("status %+v", s)
			}
		})
		t.Run("an outage is retried by the queue", func(t *testing.T) {
			c, err := f.svc.Create(ctx, f.admin, erp.Input{Name: "P21 b", Provider: p21.Provider, BaseURL: f.p21.URL,
				Username: p21test.Username, Secret: p21test.Password})
			if err != nil {
				t.Fatal(err)
			}
			f.p21.Inject("/odataservice/odata/table/item_uom", p21test.Fault{Status: http.StatusServiceUnavailable, Times: 2})
			if err := f.svc.Sync(ctx, f.admin.TenantID, c.ID, false); httpx.KindOf(err) != httpx.Transient {
				t.Fatalf("err = %v, want transient", err)
			}
			s := f.get(t, c.ID).Sync
			if s.State != erp.SyncFailed || s.Watermark != nil || s.ItemsRead != 5 {
				t.Errorf("status %+v: the watermark must not move after a failed sync", s)
			}
			if err := f.svc.Sync(ctx, f.admin.TenantID, c.ID, false); err != nil {
				t.Fatal(err)
			}
			if s := f.get(t, c.ID).Sync; s.State != erp.SyncSucceeded || !s.Full || s.UOMsRead != 10 {
				t.Errorf("retry after the outage: %+v", s)
			}
		})
	})
}
