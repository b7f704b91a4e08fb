package sqlstore_test

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// BenchmarkCommitCeiling commits one single-row INSERT per transaction on
// the store's own write pool, on each engine, from 1 and from 32
// goroutines: the most durable commits this machine gives right now.
// Every throughput figure of the product is read beside it, taken in the
// same run, because the machine is shared and its speed varies.
func BenchmarkCommitCeiling(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		for _, par := range []int{1, 32} {
			b.Run(string(d)+"/c"+strconv.Itoa(par), func(b *testing.B) {
				ctx := context.Background()
				db := storetest.Open(b, d)
				pool := db.WritePool()
				if _, err := pool.ExecContext(ctx, `CREATE TABLE ceiling (n BIGINT NOT NULL)`); err != nil {
					b.Fatal(err)
				}
				insert := `INSERT INTO ceiling (n) VALUES (?)`
				if d == sqlstore.Postgres {
					insert = `INSERT INTO ceiling (n) VALUES ($1)`
				}
				var next atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for range par {
					wg.Go(func() {
						for next.Add(1) <= int64(b.N) {
							if err := commitOne(ctx, pool, insert); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
			})
		}
	}
}

// commitOne inserts one row in a transaction of its own.
func commitOne(ctx context.Context, pool *sql.DB, insert string) error {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, insert, 1); err != nil {
		_ = tx.Rollback() // the insert's error is the one reported
		return err
	}
	return tx.Commit()
}
