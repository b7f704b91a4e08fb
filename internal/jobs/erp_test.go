package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/erp/p21"
	"github.com/vendorsync/vendorsync/internal/erp/p21/p21test"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestItemSyncJobsOfBothKindsRun: an item sync queued under the seed's
// kind (sync_p21_items) and one left in the queue under the former kind
// (erp.sync_items) by an older version are both worked, each reading the
// connector's catalog.
func TestItemSyncJobsOfBothKindsRun(t *testing.T) {
	if got := (jobargs.ERPSyncItems{}).Kind(); got != "erp.sync_p21_items" {
		t.Errorf("item sync kind %q, want the seed's sync_p21_items", got)
	}
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := jobs.New(db, jobs.Config{}); err != nil { // River's tables
			t.Fatal(err)
		}
		fake := p21test.New(t)
		fake.Catalog(3, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		svc := &erp.Service{Store: db, Providers: erp.NewRegistry(p21.Factory(p21.Options{}), erp.CSVFactory())}
		b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "syncjobs", "Sync Jobs", "admin@syncjobs.test")
		if err != nil {
			t.Fatal(err)
		}
		admin := b.Admin.Principal()
		var ids []string
		for _, name := range []string{"P21 new kind", "P21 old kind"} {
			c, err := svc.Create(ctx, admin, erp.Input{Name: name, Provider: p21.Provider, BaseURL: fake.URL,
				Username: p21test.Username, Secret: p21test.Password})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		newKind := jobargs.ERPSyncItems{Tenant: jobargs.For(admin.TenantID), ConnectorID: ids[0]}
		oldKind := jobargs.ERPSyncItemsOldKind{ERPSyncItems: jobargs.ERPSyncItems{Tenant: jobargs.For(admin.TenantID), ConnectorID: ids[1]}}
		if err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
			if err := tx.Enqueue(ctx, newKind); err != nil {
				return err
			}
			return tx.Enqueue(ctx, oldKind)
		}); err != nil {
			t.Fatal(err)
		}
		workers := river.NewWorkers()
		jobs.AddERPWorkers(workers, svc)
		startQueueConfig(t, db, jobs.Config{Work: true, Workers: workers, PollInterval: 50 * time.Millisecond, ID: "erp-kinds"})
		for _, id := range ids {
			var c erp.Connector
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if c, err = svc.Get(ctx, admin, id); err != nil {
					t.Fatal(err)
				}
				if c.Sync.State == erp.SyncSucceeded || c.Sync.State == erp.SyncFailed {
					break
				}
			}
			if c.Sync.State != erp.SyncSucceeded || c.Sync.ItemsRead != 3 {
				t.Errorf("connector %s after its queued sync: %+v", c.Name, c.Sync)
			}
		}
	})
}
