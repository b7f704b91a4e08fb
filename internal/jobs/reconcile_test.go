package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestRequeueStranded: an email left "received" with no job (or with an
// attempt still marked running long after its timeout) gets a new job;
// one with a live job, or too recent to call stranded, does not.
func TestRequeueStranded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		q, err := jobs.New(db, jobs.Config{}) // insert-only: jobs stay where the test puts them
		if err != nil {
			t.Fatal(err)
		}
		b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		store := func(id string, at time.Time) {
			t.Helper()
			e := inbox.Email{ID: id, TenantID: b.Tenant.ID, MessageID: id + "@vendor.example", SourceKind: mail.SourceUpload,
				Status: inbox.Received, ReceivedAt: at, CreatedAt: at, UpdatedAt: at, To: []mail.Address{},
				References: []string{}, ForwardedSenders: []string{}, ParseErrors: []string{}, Attachments: []inbox.Attachment{}}
			// Stored without its job, as if the job had been lost.
			if _, err := db.ReceiveEmails(ctx, inbox.Batch{TenantID: b.Tenant.ID, Emails: []inbox.NewEmail{{Email: e}}, Now: at}); err != nil {
				t.Fatal(err)
			}
		}
		old, recent := ident.New(), ident.New()
		store(old, now.Add(-20*time.Minute))
		store(recent, now.Add(-time.Minute))
		requeue := func(want int) {
			t.Helper()
			n, err := db.RequeueStranded(ctx, time.Now().Add(-10*time.Minute), 3*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if n.Emails != want {
				t.Fatalf("requeued %d emails, want %d", n.Emails, want)
			}
		}
		processJobs := func() int {
			t.Helper()
			res, err := q.Client.JobList(ctx, river.NewJobListParams().Kinds("email.process").First(100))
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Jobs)
		}
		requeue(1) // the old one only
		if n := processJobs(); n != 1 {
			t.Fatalf("%d email.process jobs, want 1", n)
		}
		requeue(0) // its job is waiting
		// The attempt is marked running by a process that died 10 minutes ago.
		attempted := any(now.Add(-10 * time.Minute))
		if db.Dialect == sqlstore.SQLite {
			attempted = now.Add(-10 * time.Minute).Round(time.Millisecond).Format("2006-01-02 15:04:05.999")
		}
		err = db.InTx(ctx, func(tx *sqlstore.Tx) error {
			_, err := tx.SQL().ExecContext(ctx, `UPDATE river_job SET state = 'running', attempted_at = $1 WHERE kind = 'email.process'`, attempted)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		requeue(1)
		if n := processJobs(); n != 2 {
			t.Fatalf("%d email.process jobs, want 2", n)
		}
	})
}
