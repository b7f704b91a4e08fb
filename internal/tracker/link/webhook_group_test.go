package link_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// webhookJobArgs returns the args of every webhook processing job.
func webhookJobArgs(t *testing.T, db *sqlstore.DB) []jobargs.TrackerWebhook {
	t.Helper()
	rows, err := db.WritePool().Query(`SELECT args FROM river_job WHERE kind = 'tracker.webhook' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []jobargs.TrackerWebhook
	for rows.Next() {
		var raw []byte
		var a jobargs.TrackerWebhook
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConcurrentDeliveriesAreEachRecordedOnce: 48 deliveries sent at once,
// 32 new ids and 16 repeats of them, are committed together as they
// arrive: every new id is recorded once and named by exactly one
// processing job, the repeats answer duplicate, are counted and enqueue
// nothing, and the jobs apply the issue's state.
func TestConcurrentDeliveriesAreEachRecordedOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSyncFixture(t, db)
		s.remote(t, func(is *forgetest.Issue) { is.Title = "Together" })
		body := s.body(t, "edited")
		sig := tracker.SignHMACHex("", body, []byte(s.secret))
		before := len(webhookJobArgs(t, db))
		const fresh, repeats = 32, 16
		type answer struct {
			id  string
			dup bool
		}
		answers := make(chan answer, fresh+repeats)
		var wg sync.WaitGroup
		for i := range fresh + repeats {
			wg.Go(func() {
				h := http.Header{}
				h.Set("X-Gitea-Event", "issues")
				h.Set("X-Gitea-Delivery", fmt.Sprintf("together-%d", i%fresh))
				h.Set("X-Gitea-Signature", sig)
				r, err := s.svc.ReceiveWebhook(ctx, s.conn, h, body)
				if err != nil {
					t.Errorf("receive %d: %v", i, err)
					return
				}
				answers <- answer{r.Delivery.ID, r.Duplicate}
			})
		}
		wg.Wait()
		close(answers)
		var recorded []string
		dups := 0
		for a := range answers {
			if a.dup {
				dups++
			} else {
				recorded = append(recorded, a.id)
			}
		}
		if len(recorded) != fresh || dups != repeats {
			t.Fatalf("%d recorded, %d duplicates; want %d and %d", len(recorded), dups, fresh, repeats)
		}
		log, err := s.svc.Deliveries(ctx, s.admin, s.conn, 500)
		if err != nil {
			t.Fatal(err)
		}
		counted := 0
		for _, d := range log {
			counted += d.Duplicates
		}
		if counted != repeats {
			t.Errorf("the log counts %d duplicates, want %d", counted, repeats)
		}
		var named []string
		jobs := webhookJobArgs(t, db)[before:]
		for _, j := range jobs {
			if j.TenantID != s.tenant {
				t.Errorf("job of tenant %q", j.TenantID)
			}
			named = append(named, j.IDs()...)
		}
		slices.Sort(named)
		slices.Sort(recorded)
		if diff := cmp.Diff(recorded, named); diff != "" {
			t.Fatalf("deliveries named by the %d jobs (-recorded +named):\n%s", len(jobs), diff)
		}
		for _, j := range jobs {
			if errs := s.svc.ProcessDeliveries(ctx, s.tenant, j.IDs()); len(errs) > 0 {
				t.Fatal(errs)
			}
		}
		if m := s.mirror(t); m.Title != "Together" {
			t.Errorf("mirror after the jobs: %+v", m)
		}
	})
}

// TestDeliveryJobRetrySkipsProcessed: a job run again (River retries it
// when one of its deliveries failed) does not process the deliveries it
// processed before; a redelivery from the log does.
func TestDeliveryJobRetrySkipsProcessed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSyncFixture(t, db)
		var ids []string
		for i, title := range []string{"One", "Two"} {
			s.remote(t, func(is *forgetest.Issue) { is.Title = title })
			body := s.body(t, "edited")
			h := http.Header{}
			h.Set("X-Gitea-Event", "issues")
			h.Set("X-Gitea-Delivery", fmt.Sprintf("retry-%d", i))
			h.Set("X-Gitea-Signature", tracker.SignHMACHex("", body, []byte(s.secret)))
			r, err := s.svc.ReceiveWebhook(ctx, s.conn, h, body)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.Delivery.ID)
		}
		attempts := func() []int {
			t.Helper()
			var out []int
			for _, id := range ids {
				d, err := db.TrackerDelivery(ctx, s.tenant, id)
				if err != nil {
					t.Fatal(err)
				}
				if d.Status != link.DeliveryProcessed {
					t.Fatalf("delivery %s: %s", id, d.Status)
				}
				out = append(out, d.Attempts)
			}
			return out
		}
		for range 2 {
			if errs := s.svc.ProcessDeliveries(ctx, s.tenant, ids); len(errs) > 0 {
				t.Fatal(errs)
			}
		}
		if got := attempts(); !slices.Equal(got, []int{1, 1}) {
			t.Errorf("attempts after the job ran twice: %v, want [1 1]", got)
		}
		if _, err := s.svc.Redeliver(ctx, s.admin, s.conn, ids[0]); err != nil {
			t.Fatal(err)
		}
		if errs := s.svc.ProcessDeliveries(ctx, s.tenant, ids[:1]); len(errs) > 0 {
			t.Fatal(errs)
		}
		if got := attempts(); !slices.Equal(got, []int{2, 1}) {
			t.Errorf("attempts after a redelivery: %v, want [2 1]", got)
		}
		if m := s.mirror(t); m.Title != "Two" {
			t.Errorf("mirror: %+v", m)
		}
	})
}

// TestRecordDeliveriesInOneCommit: deliveries recorded in one commit with
// a repeat among them and one recorded before: the first of each id is
// new, the others count as duplicates, and only the new ones get jobs.
func TestRecordDeliveriesInOneCommit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSyncFixture(t, db)
		at := time.Now().UTC().Truncate(time.Microsecond)
		d := func(delivery string) link.WebhookDelivery {
			return link.WebhookDelivery{ID: ident.New(), TenantID: s.tenant, ConnectionID: s.conn, DeliveryID: delivery,
				Event: "issues", Body: []byte(`{}`), Status: link.DeliveryVerified, ReceivedAt: at}
		}
		var seen [][]string
		jobs := func(fresh []link.WebhookDelivery) []jobargs.Args {
			var ids []string
			for _, d := range fresh {
				ids = append(ids, d.DeliveryID)
			}
			seen = append(seen, ids)
			return nil
		}
		if _, err := db.RecordTrackerDeliveries(ctx, []link.WebhookDelivery{d("c")}, jobs); err != nil {
			t.Fatal(err)
		}
		ds := []link.WebhookDelivery{d("a"), d("b"), d("a"), d("c"), d("a")}
		fresh, err := db.RecordTrackerDeliveries(ctx, ds, jobs)
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, true, false, false, false}; !slices.Equal(fresh, want) {
			t.Errorf("new: %v, want %v", fresh, want)
		}
		if diff := cmp.Diff([][]string{{"c"}, {"a", "b"}}, seen); diff != "" {
			t.Errorf("deliveries given jobs (-want +got):\n%s", diff)
		}
		log, err := s.svc.Deliveries(ctx, s.admin, s.conn, 100)
		if err != nil {
			t.Fatal(err)
		}
		dups := map[string]int{}
		for _, l := range log {
			dups[l.DeliveryID] = l.Duplicates
		}
		if diff := cmp.Diff(map[string]int{"a": 2, "b": 0, "c": 1}, dups); diff != "" {
			t.Errorf("duplicates (-want +got):\n%s", diff)
		}
	})
}

// TestRotatedSecretStopsVerifyingAtOnce: deliveries that arrive together
// share reads of their connection's secret, yet once a new secret is made,
// no delivery sent afterwards verifies with the old one, while deliveries
// keep arriving throughout.
func TestRotatedSecretStopsVerifyingAtOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSyncFixture(t, db)
		body := s.body(t, "edited")
		sig := tracker.SignHMACHex("", body, []byte(s.secret))
		var rotated, stop atomic.Bool
		var accepted, refused atomic.Int64
		var next atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for !stop.Load() {
					h := http.Header{}
					h.Set("X-Gitea-Event", "issues")
					h.Set("X-Gitea-Delivery", fmt.Sprintf("rotate-%d", next.Add(1)))
					h.Set("X-Gitea-Signature", sig)
					after := rotated.Load()
					_, err := s.svc.ReceiveWebhook(ctx, s.conn, h, body)
					switch {
					case err == nil && after:
						t.Errorf("a delivery sent after the new secret was made verified with the old one")
						return
					case err == nil:
						accepted.Add(1)
					case apperr.Is(err, apperr.Unauthorized):
						refused.Add(1)
					default:
						t.Errorf("receive: %v", err)
						return
					}
				}
			})
		}
		waitFor := func(what string, ok func() bool) {
			for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					stop.Store(true)
					wg.Wait()
					t.Fatalf("never %s", what)
				}
			}
		}
		waitFor("accepted 20 deliveries", func() bool { return accepted.Load() >= 20 })
		if _, err := s.svc.NewWebhookSecret(ctx, s.admin, s.conn); err != nil {
			t.Fatal(err)
		}
		rotated.Store(true)
		waitFor("refused 50 deliveries", func() bool { return refused.Load() >= 50 })
		stop.Store(true)
		wg.Wait()
	})
}
