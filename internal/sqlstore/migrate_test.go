package sqlstore_test

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestMigrateFromEmptyAndRerun(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, d)
			db, err := sqlstore.Open(ctx, url, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			first, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("first migrate: %v", err)
			}
			if len(first.Applied) == 0 || first.Version == 0 || first.River == 0 {
				t.Fatalf("first migrate applied nothing: %+v", first)
			}
			again, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			if len(again.Applied) != 0 || again.River != 0 || again.Version != first.Version {
				t.Fatalf("re-run changed the schema: %+v (first %+v)", again, first)
			}
		})
	}
}

func TestMigrateConcurrentReplicas(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, d)
			const replicas = 4
			errs := make(chan error, replicas)
			for range replicas {
				go func() {
					db, err := sqlstore.Open(ctx, url, t.TempDir())
					if err != nil {
						errs <- err
						return
					}
					defer db.Close()
					_, err = db.Migrate(ctx)
					errs <- err
				}()
			}
			for range replicas {
				if err := <-errs; err != nil {
					t.Errorf("replica migrate: %v", err)
				}
			}
		})
	}
}
