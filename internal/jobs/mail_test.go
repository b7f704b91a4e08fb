package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// mailboxesIn creates a tenant with one mailbox per name; names starting
// with "off" are deactivated.
func mailboxesIn(t *testing.T, db *sqlstore.DB, slug string, names ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, slug, slug, "admin@"+slug+".test")
	if err != nil {
		t.Fatal(err)
	}
	svc := &mailbox.Service{Store: db}
	ids := map[string]string{}
	for _, name := range names {
		m, err := svc.Create(ctx, b.Admin.Principal(), mailbox.Mailbox{Name: name, Kind: mailbox.KindIMAP, IsActive: name[:3] != "off",
			IMAP: &mailbox.IMAPSettings{Host: "imap." + slug + ".test", Username: "u"}}, mailbox.Credentials{Password: "p"})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = m.ID
	}
	return ids
}

// pollJobs lists the mail.poll jobs' mailbox ids, sorted.
func pollJobs(t *testing.T, q *jobs.Queue) []string {
	t.Helper()
	res, err := q.Client.JobList(context.Background(), river.NewJobListParams().Kinds("mail.poll").First(100))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, j := range res.Jobs {
		var a jobargs.MailPoll
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			t.Fatal(err)
		}
		if a.TenantID == "" {
			t.Errorf("poll job without tenant: %s", j.EncodedArgs)
		}
		ids = append(ids, a.MailboxID)
	}
	slices.Sort(ids)
	return ids
}

func TestMailPollAllEnqueuesOnePollPerActiveMailbox(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		q, err := jobs.New(db, jobs.Config{}) // insert-only: the jobs stay available
		if err != nil {
			t.Fatal(err)
		}
		a := mailboxesIn(t, db, "acme", "notices", "off-old")
		b := mailboxesIn(t, db, "globex", "vendors")
		want := []string{a["notices"], b["vendors"]}
		slices.Sort(want)
		w := &jobs.MailPollAllWorker{Store: db}
		for range 2 {
			if err := w.Work(context.Background(), &river.Job[jobargs.MailPollAll]{}); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(want, pollJobs(t, q)); diff != "" {
			t.Errorf("poll jobs after two rounds (-want +got):\n%s", diff)
		}
	})
}

// recordingPoller records polls; mailboxes in broken fail as a mailbox
// does (a *mailbox.PollError).
type recordingPoller struct {
	mu     sync.Mutex
	polled map[string]int
	broken map[string]bool
}

func (p *recordingPoller) Poll(_ context.Context, _, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.polled[id]++
	if p.broken[id] {
		return &mailbox.PollError{MailboxID: id, Message: "cannot connect", Err: errors.New("connection refused")}
	}
	return nil
}

func (p *recordingPoller) count(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.polled[id]
}

// TestMailPollingRuns runs the schedule and the workers: every active
// mailbox is polled, a failing one included, and its failure neither blocks
// the others nor becomes a retry or a dead letter.
func TestMailPollingRuns(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ids := mailboxesIn(t, db, "acme", "good", "broken", "off-quiet")
		p := &recordingPoller{polled: map[string]int{}, broken: map[string]bool{ids["broken"]: true}}
		workers := river.NewWorkers()
		river.AddWorker(workers, &jobs.MailPollWorker{Poller: p})
		river.AddWorker(workers, &jobs.MailPollAllWorker{Store: db})
		q := startQueue(t, db, workers, "mail-poll-test", jobs.MailPollAll(time.Hour))
		waitFor(t, "both active mailboxes polled", func() (bool, error) {
			return p.count(ids["good"]) > 0 && p.count(ids["broken"]) > 0, nil
		})
		if n := p.count(ids["off-quiet"]); n != 0 {
			t.Errorf("deactivated mailbox polled %d times", n)
		}
		waitFor(t, "poll jobs completed", func() (bool, error) {
			res, err := q.Client.JobList(context.Background(), river.NewJobListParams().Kinds("mail.poll").First(10))
			if err != nil {
				return false, err
			}
			done := 0
			for _, j := range res.Jobs {
				if j.State == rivertype.JobStateCompleted {
					done++
				}
			}
			return done == 2, nil
		})
	})
}
