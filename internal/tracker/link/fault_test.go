package link_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TestExactlyOneIssue drives creation through each tracker's failures:
// whatever happens, the link ends created and the tracker holds exactly one
// issue for it.
func TestExactlyOneIssue(t *testing.T) {
	cases := []struct {
		name string
		// arrange injects the faults before the first attempt.
		arrange func(f *fixture)
		// waits are the RetryAfter each attempt asks for, until created;
		// settled marks the wait that a tracker whose search lags
		// (Jira: settleTest) adds after a create whose outcome is unknown
		// left no issue.
		waits []time.Duration
		// creates is how many create requests reach the tracker.
		creates int
	}{
		{"429 with a short Retry-After is waited out by the client", func(f *fixture) {
			f.remote.inject(routeCreate, rateLimit("1", 1))
		}, []time.Duration{0}, 2},
		{"429 with a long Retry-After snoozes the job", func(f *fixture) {
			f.remote.inject(routeCreate, rateLimit("120", 1))
		}, []time.Duration{120 * time.Second, 0}, 2},
		{"5xx then success", func(f *fixture) {
			f.remote.inject(routeCreate, statusFault(http.StatusBadGateway, 1))
		}, []time.Duration{link.FirstBackoff, settled, verifying}, 2},
		{"timeout after commit", func(f *fixture) {
			f.remote.inject(routeCreate, timeoutAfterCommit(3*time.Second))
		}, []time.Duration{link.FirstBackoff, 0}, 1},
		{"connection dropped after commit", func(f *fixture) {
			f.remote.inject(routeCreate, dropAfterCommit())
		}, []time.Duration{link.FirstBackoff, 0}, 1},
		{"search unavailable, then fine", func(f *fixture) {
			f.remote.inject(routeSearch, statusFault(http.StatusServiceUnavailable, 4)) // the client tries a read 4 times
		}, []time.Duration{link.FirstBackoff, 0}, 1},
	}
	for _, kind := range kinds {
		for _, tc := range cases {
			t.Run(string(kind)+"/"+tc.name, func(t *testing.T) {
				storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
					f := newKindFixture(t, db, kind)
					pay := f.app(t, "PaymentService", true)
					tk := f.ticket(t, pay)
					tc.arrange(f)
					var waits []time.Duration
					for range 5 {
						res := f.attempt(t, tk, pay)
						waits = append(waits, res.RetryAfter)
						f.clock.advance(res.RetryAfter) // the job's snooze
						if res.Link.SyncStatus == link.Created {
							break
						}
						if res.Link.SyncStatus != link.Pending || res.Link.LastError == "" {
							t.Fatalf("link after a failed attempt: %+v", res.Link)
						}
					}
					// A further run (a duplicate job) changes nothing.
					if res := f.attempt(t, tk, pay); res.Link.SyncStatus != link.Created || res.RetryAfter != 0 {
						t.Fatalf("link after a second run: %+v", res)
					}
					want := settledWaits(kind, tc.waits)
					if diff := cmp.Diff(want, waits); diff != "" {
						t.Errorf("waits (-want +got):\n%s", diff)
					}
					if n := f.remote.issueCount(); n != 1 {
						t.Errorf("the tracker holds %d issues, want exactly 1", n)
					}
					if n := f.remote.requests(routeCreate); n != tc.creates {
						t.Errorf("%d create requests, want %d", n, tc.creates)
					}
					if l := f.link(t, tk, pay); l.LastError != "" || l.IssueKey != f.remote.firstKey() {
						t.Errorf("link: %+v", l)
					}
				})
			})
		}
	}
}

// settled stands, in a list of waits, for the wait until the search of a
// tracker that lags has settled after a create of unknown outcome at the
// start of the previous wait; trackers whose search does not lag skip it.
const settled = time.Duration(-1)

// verifying stands for the wait before the duplicate check of an issue
// created after more than one create was sent; without a lagging search
// there is none.
const verifying = time.Duration(-2)

// settledWaits resolves settled in waits for kind.
func settledWaits(kind tracker.Kind, waits []time.Duration) []time.Duration {
	f, _ := testRegistry().Lookup(kind)
	var out []time.Duration
	for i, w := range waits {
		switch {
		case w == verifying && f.SearchSettle > 0:
			out = append(out, max(2*f.SearchSettle, link.DuplicateCheckDelay))
		case w == verifying:
			out = append(out, 0)
		case w != settled:
			out = append(out, w)
		case f.SearchSettle > 0:
			out = append(out, f.SearchSettle-waits[i-1])
		}
	}
	return out
}

// TestKilledWorker: a worker claimed the link, the tracker committed the
// issue, and the worker died before recording it. The lease keeps a second
// attempt out until it runs out; then the search finds the issue.
func TestKilledWorker(t *testing.T) {
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f := newKindFixture(t, db, kind)
				pay := f.app(t, "PaymentService", true)
				tk := f.ticket(t, pay)
				l := f.link(t, tk, pay)
				now := f.clock.now()
				if ok, err := db.ClaimTrackerLink(ctx, f.tenant, l.ID, now, now.Add(link.Lease)); err != nil || !ok {
					t.Fatalf("claim: %v %v", ok, err)
				}
				// The dead worker's request, as the tracker received it.
				spec := link.IssueSpec(link.SpecInput{Ticket: tk, Vendor: f.vendor, App: pay, Now: now})
				in := f.remote.input()
				cl, err := f.svc.Providers.New(in.Kind, tracker.Settings{BaseURL: in.BaseURL, Username: in.Username, Token: in.Token})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := cl.CreateIssue(ctx, spec); err != nil {
					t.Fatal(err)
				}
				if res := f.attempt(t, tk, pay); res.RetryAfter != link.BusyWait || res.Link.SyncStatus != link.Pending {
					t.Fatalf("attempt during the dead worker's lease: %+v", res)
				}
				f.clock.advance(link.Lease + time.Second)
				res := f.attempt(t, tk, pay)
				if res.Link.SyncStatus != link.Created || res.Link.IssueKey != f.remote.firstKey() {
					t.Fatalf("attempt after the lease: %+v", res.Link)
				}
				if n, c := f.remote.issueCount(), f.remote.requests(routeCreate); n != 1 || c != 1 {
					t.Errorf("%d issues, %d create requests; want 1 and 1 (the dead worker's)", n, c)
				}
				if got := f.actions(t, "tracker_link.create"); len(got) != 1 {
					t.Errorf("audit: %v", got)
				}
			})
		})
	}
}

// TestConcurrentAttempts runs two attempts at once (a duplicate job on
// another replica): one creates, the other steps back.
func TestConcurrentAttempts(t *testing.T) {
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) { concurrentAttempts(t, kind) })
	}
}

func concurrentAttempts(t *testing.T, kind tracker.Kind) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newKindFixture(t, db, kind)
		pay := f.app(t, "PaymentService", true)
		tk := f.ticket(t, pay)
		f.remote.setLatency(150 * time.Millisecond)
		var wg sync.WaitGroup
		results := make([]link.Result, 2)
		errs := make([]error, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = f.svc.CreateIssue(context.Background(), f.tenant, tk.ID, pay.ID)
			}()
		}
		wg.Wait()
		created := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("attempt %d: %v", i, errs[i])
			}
			if r.Link.SyncStatus == link.Created && r.RetryAfter == 0 {
				created++
			} else if r.RetryAfter != link.BusyWait {
				t.Errorf("attempt %d: %+v", i, r)
			}
		}
		if created < 1 {
			t.Errorf("no attempt created the issue: %+v", results)
		}
		if res := f.attempt(t, tk, pay); res.Link.SyncStatus != link.Created {
			t.Errorf("after both: %+v", res.Link)
		}
		if n, c := f.remote.issueCount(), f.remote.requests(routeCreate); n != 1 || c != 1 {
			t.Errorf("%d issues, %d create requests; want 1 and 1", n, c)
		}
	})
}
