package jobs_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/deadletter"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// deadLetters inserts jobs that fail once and waits until River discarded
// them all.
func deadLetters(t *testing.T, q *jobs.Queue, args ...river.JobArgs) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for _, a := range args {
		res, err := q.Client.Insert(ctx, a, &river.InsertOpts{MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Job.ID)
	}
	waitFor(t, "dead letters", func() (bool, error) {
		res, err := q.Client.JobList(ctx, river.NewJobListParams().IDs(ids...).States(rivertype.JobStateDiscarded).First(len(ids)))
		return err == nil && len(res.Jobs) == len(ids), err
	})
	return ids
}

func TestDeadLetterAdmin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := &auth.Service{Store: db, Keys: db.Keys}
		acme, err := svc.CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		globex, err := svc.CreateTenant(ctx, "globex", "Globex", "admin@globex.test")
		if err != nil {
			t.Fatal(err)
		}
		a, g := acme.Tenant.ID, globex.Tenant.ID
		workers := river.NewWorkers()
		river.AddWorker(workers, &failWorker[failArgs]{})
		river.AddWorker(workers, &failWorker[otherFailArgs]{})
		river.AddWorker(workers, &recordWorker{})
		q := startQueue(t, db, workers, "admin-test")
		ids := deadLetters(t, q,
			failArgs{Tenant: jobargs.For(a), Reason: "one"},
			otherFailArgs{Tenant: jobargs.For(a)},
			failArgs{Tenant: jobargs.For(a), Reason: "three"},
			failArgs{Tenant: jobargs.For(g), Reason: "globex"},
			failArgs{Tenant: jobargs.For(jobargs.SystemTenant), Reason: "maintenance"},
		)
		globexJob, systemJob := ids[3], ids[4]
		admin := &deadletter.Service{Store: jobs.NewDeadLetterStore(db, q)}
		acmeAdmin := auth.System(a)

		t.Run("lists the tenant's dead letters newest first, page by page", func(t *testing.T) {
			var all []deadletter.Job
			cursor := ""
			for pages := 0; ; pages++ {
				page, next, err := admin.List(ctx, acmeAdmin, deadletter.Filter{Limit: 2, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, page...)
				if next == "" {
					break
				}
				if pages > 3 {
					t.Fatal("pagination does not end")
				}
				cursor = next
			}
			if len(all) != 3 {
				t.Fatalf("listed %d dead letters, want acme's 3", len(all))
			}
			seen := map[int64]bool{}
			for i, j := range all {
				if seen[j.ID] {
					t.Errorf("job %d listed twice", j.ID)
				}
				seen[j.ID] = true
				if j.ID == globexJob || j.ID == systemJob {
					t.Error("another tenant's job listed")
				}
				if !j.IsDeadLetter() || !j.Retryable() {
					t.Errorf("job %d in state %q is not seen as a dead letter", j.ID, j.State)
				}
				if j.FailedAt == nil || j.LastError() == "" || j.Attempt != 1 {
					t.Errorf("job %d: failed at %v, last error %q, attempt %d", j.ID, j.FailedAt, j.LastError(), j.Attempt)
				}
				if i > 0 && j.ID > all[i-1].ID {
					t.Errorf("job %d is listed after an older one", j.ID)
				}
			}
		})

		t.Run("filters by kind", func(t *testing.T) {
			page, _, err := admin.List(ctx, acmeAdmin, deadletter.Filter{Kind: "test.fail_other"})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) != 1 || page[0].Kind != "test.fail_other" {
				t.Fatalf("kind filter returned %+v", page)
			}
		})

		t.Run("a bad cursor is invalid input", func(t *testing.T) {
			if _, _, err := admin.List(ctx, acmeAdmin, deadletter.Filter{Cursor: "%%%"}); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
		})

		t.Run("get shows args and the error history", func(t *testing.T) {
			j, err := admin.Get(ctx, acmeAdmin, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if tenant, _ := jobargs.TenantOf(j.Args); tenant != a || len(j.Errors) != 1 || j.Errors[0].Attempt != 1 || j.Errors[0].At.IsZero() {
				t.Fatalf("job = %+v", j)
			}
		})

		t.Run("another tenant's job is not found", func(t *testing.T) {
			if _, err := admin.Get(ctx, acmeAdmin, globexJob); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("get: err = %v, want not found", err)
			}
			if _, err := admin.Retry(ctx, acmeAdmin, globexJob); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("retry: err = %v, want not found", err)
			}
			if _, err := admin.Get(ctx, acmeAdmin, systemJob); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("get a job of no tenant: err = %v, want not found", err)
			}
			if _, err := admin.Retry(ctx, acmeAdmin, systemJob); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("retry a job of no tenant: err = %v, want not found", err)
			}
			if _, err := admin.Get(ctx, acmeAdmin, 1<<40); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("get missing: err = %v, want not found", err)
			}
		})

		t.Run("retry requeues the job and audits it", func(t *testing.T) {
			j, err := admin.Retry(ctx, acmeAdmin, ids[1])
			if err != nil {
				t.Fatal(err)
			}
			if j.State != string(rivertype.JobStateAvailable) {
				t.Fatalf("state after retry = %s", j.State)
			}
			entries, _, err := db.ListAudit(ctx, a, audit.Filter{EntityType: "job", EntityID: strconv.FormatInt(ids[1], 10)})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].Action != "job.retry" {
				t.Fatalf("audit rows = %+v", entries)
			}
		})

		t.Run("a job that is not a dead letter cannot be retried", func(t *testing.T) {
			res, err := q.Client.Insert(ctx, recordArgs{Tenant: jobargs.For(a), N: 7}, nil)
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "job completed", func() (bool, error) {
				row, err := q.Client.JobGet(ctx, res.Job.ID)
				return err == nil && row.State == rivertype.JobStateCompleted, err
			})
			if _, err := admin.Retry(ctx, acmeAdmin, res.Job.ID); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("err = %v, want conflict", err)
			}
		})
	})
}
