package dispatch_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/deadletter"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch/dispatchtest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// startQueue runs the notification workers on the real queue, with a
// short backoff so a delivery runs out of attempts in about a second.
func startQueue(t *testing.T, f *dispatchtest.Fixture) *jobs.Queue {
	t.Helper()
	ws := river.NewWorkers()
	jobs.AddTrackerWorkers(ws, f.Links)
	jobs.AddScoreWorkers(ws, f.Scores, f.DB)
	river.AddWorker(ws, &jobs.NotifyPlanWorker{Notify: f.Notify})
	river.AddWorker(ws, &jobs.NotifyDeliverWorker{Notify: f.Notify, Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	q, err := jobs.New(f.DB, jobs.Config{Work: true, Workers: ws, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(stop); err != nil {
			t.Errorf("stop queue: %v", err)
		}
	})
	return q
}

// statuses counts the log's entries by channel and status.
func statuses(t *testing.T, f *dispatchtest.Fixture) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, e := range f.Log(t) {
		out[string(e.Channel)+":"+string(e.Status)]++
	}
	return out
}

// TestDeadLetterReplay runs the real workers with the mail server down: the
// ticket's Slack message goes out at once, its two emails use up their
// attempts and become dead letters (entries dead, River jobs discarded).
// With the server back, retrying one dead letter from the dead-letter
// admin (what /jobs does) and replaying the other from the notification
// log deliver both, rendered from the frozen snapshot.
func TestDeadLetterReplay(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, start)
		if err := f.SMTP.Close(); err != nil {
			t.Fatal(err)
		}
		q := startQueue(t, f)
		f.Ticket(t, registry.SeverityMedium, 14)
		admin := &deadletter.Service{Store: jobs.NewDeadLetterStore(f.DB, q)}
		var dead []deadletter.Job
		dispatchtest.Eventually(t, "the emails to become dead letters", func() bool {
			s := statuses(t, f)
			var err error
			dead, _, err = admin.List(ctx, f.Admin, deadletter.Filter{Kind: "notify.deliver"})
			if err != nil {
				t.Fatal(err)
			}
			return s["email:dead"] == 2 && s["slack_channel:sent"] == 1 && len(dead) == 2
		})
		for _, e := range f.Log(t) {
			if e.Channel == notify.ChannelEmail && e.Attempts != jobs.MaxAttempts {
				t.Errorf("%s: %d attempts, want %d", e.DedupKey, e.Attempts, jobs.MaxAttempts)
			}
		}

		var retried jobargs.NotifyDeliver
		if err := json.Unmarshal(dead[0].Args, &retried); err != nil {
			t.Fatal(err)
		}
		var other dispatch.LogEntry
		for _, e := range f.Log(t) {
			if e.Channel == notify.ChannelEmail && e.ID != retried.NotificationID {
				other = e
			}
		}
		back := smtptestAt(t, f)
		if _, err := admin.Retry(ctx, f.Admin, dead[0].ID); err != nil {
			t.Fatal(err)
		}
		dispatchtest.Eventually(t, "the retried dead letter", func() bool { return statuses(t, f)["email:sent"] == 1 })
		if _, err := f.Notify.Replay(ctx, f.Admin, other.ID); err != nil {
			t.Fatal(err)
		}
		dispatchtest.Eventually(t, "the replayed notification", func() bool { return statuses(t, f)["email:sent"] == 2 })
		if n := len(back.Messages()); n != 2 {
			t.Errorf("%d emails delivered, want 2", n)
		}
		// Retrying the other, now stale, dead letter sends nothing twice.
		rest, _, err := admin.List(ctx, f.Admin, deadletter.Filter{Kind: "notify.deliver"})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range rest {
			if _, err := admin.Retry(ctx, f.Admin, j.ID); err != nil {
				t.Fatal(err)
			}
		}
		dispatchtest.Eventually(t, "no dead letters left", func() bool {
			l, _, err := admin.List(ctx, f.Admin, deadletter.Filter{Kind: "notify.deliver"})
			return err == nil && len(l) == 0
		})
		if n := len(back.Messages()); n != 2 {
			t.Errorf("%d emails after retrying a stale dead letter, want still 2", n)
		}
	})
}
