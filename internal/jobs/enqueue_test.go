package jobs_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestEnqueueAllInsertsEachJobOnce: the jobs of one change, inserted in
// one call, are all there, a job kept one per args only once, however
// often the change names it, and not again while one waits.
func TestEnqueueAllInsertsEachJobOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := jobs.New(db, jobs.Config{}); err != nil {
			t.Fatal(err)
		}
		ten := jobargs.For("t1")
		signal := func(v string) jobargs.Args {
			return jobargs.ScoreSignal{Tenant: ten, Signal: jobargs.SignalFact{VendorID: v, Code: "change_severity", EventID: "e-" + v}}
		}
		rescore := func(v string) jobargs.Args { return jobargs.ScoreRescore{Tenant: ten, VendorID: v} }
		batches := [][]jobargs.Args{
			{signal("v1"), rescore("v1"), rescore("v1"), rescore("v2"), signal("v2")},
			{rescore("v1"), signal("v3")},
		}
		for _, b := range batches {
			if err := db.InTx(ctx, func(tx *sqlstore.Tx) error { return tx.EnqueueAll(ctx, b) }); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.WritePool().QueryContext(ctx, `SELECT kind, COUNT(*) FROM river_job GROUP BY kind ORDER BY kind`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]int{}
		for rows.Next() {
			var kind string
			var n int
			if err := rows.Scan(&kind, &n); err != nil {
				t.Fatal(err)
			}
			got[kind] = n
		}
		if diff := cmp.Diff(map[string]int{"score.signal": 3, "score.rescore": 2}, got); diff != "" {
			t.Errorf("jobs by kind (-want +got):\n%s", diff)
		}
	})
}
