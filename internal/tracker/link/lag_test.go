package link_test

import (
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// indexLag is how long the fake Jira's label search misses a new issue in
// the lag tests: longer than the first retry's backoff, so a retry after a
// lost answer searches before the issue shows.
const indexLag = 45 * time.Second

// lagIterations is how many links each lag test creates per kind and
// engine; VENDORSYNC_FAULT_ITERATIONS raises it for a longer run.
func lagIterations(t *testing.T) int {
	if n, err := strconv.Atoi(os.Getenv("VENDORSYNC_FAULT_ITERATIONS")); err == nil && n > 0 {
		return n
	}
	if testing.Short() {
		return 8
	}
	return 12
}

// lagRegistry is the program's registry with short request timeouts (so a
// stalled answer times out quickly) and the given Jira search settle time.
func lagRegistry(settle time.Duration) *tracker.Registry {
	fo := forge.Options{Timeout: 100 * time.Millisecond, Resilience: testResilience}
	return tracker.NewRegistry(append(jira.Factories(jira.Options{Timeout: 100 * time.Millisecond,
		Resilience: testResilience, SearchSettle: settle}), github.Factory(fo), gitlab.Factory(fo), gitea.Factory(fo))...)
}

// lagRun is what one run of createUnderLag saw.
type lagRun struct {
	links []link.Link
	// issues are the keys of every issue the tracker holds afterwards.
	issues []string
	// creates is how many create requests reached the tracker.
	creates int
	alerts  []link.Alert
	// troubles are the vendor facts committed with the outcomes.
	troubles []link.Trouble
}

// createUnderLag creates n links, one ticket each, through scripted
// faults, with the fake Jira's label search lagging indexLag behind its
// writes (on the test's clock). Each link is driven as its job would be:
// every wait the attempt asks for is spent on the clock, and an orphan
// waits for the periodic round.
func createUnderLag(t *testing.T, db *sqlstore.DB, kind tracker.Kind, settle time.Duration, n int) lagRun {
	t.Helper()
	f := newKindFixture(t, db, kind)
	f.svc.Providers = lagRegistry(settle)
	if f.jira != nil {
		f.jira.SetClock(f.clock.now)
		f.jira.SetIndexLag(indexLag)
	}
	pay := f.app(t, "PaymentService", true)
	stall := timeoutAfterCommit(2 * time.Second)
	// The fault scripts, each aimed at one link's first requests; a
	// seeded choice keeps a run reproducible.
	scripts := []func(){
		func() {},
		func() { f.remote.inject(routeCreate, stall) },
		func() { f.remote.inject(routeCreate, stall); f.remote.inject(routeCreate, stall) },
		func() { f.remote.inject(routeCreate, dropAfterCommit()) },
		func() { f.remote.inject(routeCreate, statusFault(http.StatusBadGateway, 1)) },
		func() {
			f.remote.inject(routeCreate, stall)
			f.remote.inject(routeSearch, statusFault(http.StatusServiceUnavailable, 4))
		},
		func() { f.remote.inject(routeCreate, rateLimit("120", 1)); f.remote.inject(routeCreate, stall) },
		func() {
			f.remote.inject(routeCreate, statusFault(http.StatusServiceUnavailable, 1))
			f.remote.inject(routeCreate, stall)
			f.remote.inject(routeCreate, dropAfterCommit())
		},
	}
	rng := rand.New(rand.NewPCG(7, uint64(len(kind))))
	var run lagRun
	for i := range n {
		tk := f.ticket(t, pay)
		scripts[rng.IntN(len(scripts))]()
		var res link.Result
		for try := 0; ; try++ {
			if try == 40 {
				t.Fatalf("link %d not settled after %d attempts: %+v", i, try, res)
			}
			res = f.attempt(t, tk, pay)
			if res.Link.SyncStatus == link.Created && res.RetryAfter == 0 {
				break
			}
			wait := res.RetryAfter
			if wait == 0 { // an orphan: the periodic round picks it up
				wait = link.RetryAfterStale
			}
			f.clock.advance(wait)
		}
		run.links = append(run.links, res.Link)
		// Let the index catch up before the next link, so each link's
		// faults meet a search of its own.
		f.clock.advance(indexLag)
	}
	run.issues = f.remote.issueKeys()
	run.creates = f.remote.requests(routeCreate)
	run.alerts = f.alerts.all()
	run.troubles = troubles(t, f.queue)
	return run
}

// TestExactlyOnceWhileSearchLags creates links through lost answers
// (commit-then-stall timeouts, dropped connections, 5xx) while Jira's
// label search lags behind its writes: every link ends with exactly one
// issue, and the tracker holds no issue that no link points to.
func TestExactlyOnceWhileSearchLags(t *testing.T) {
	n := lagIterations(t)
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				run := createUnderLag(t, db, kind, time.Minute, n)
				linked := map[string]bool{}
				for _, l := range run.links {
					if l.IssueKey == "" || linked[l.IssueKey] {
						t.Errorf("link %s has issue %q (linked twice or not at all)", l.ID, l.IssueKey)
					}
					linked[l.IssueKey] = true
				}
				var orphans []string
				for _, k := range run.issues {
					if !linked[k] {
						orphans = append(orphans, k)
					}
				}
				duplicates := len(run.issues) - len(run.links) + len(orphans)
				t.Logf("%s: %d links, %d create requests, %d issues, %d duplicates, %d unlinked issues",
					kind, len(run.links), run.creates, len(run.issues), duplicates, len(orphans))
				if len(run.issues) != n || len(orphans) != 0 {
					t.Errorf("the tracker holds %d issues for %d links; unlinked: %v", len(run.issues), n, orphans)
				}
				if len(run.alerts) != 0 {
					t.Errorf("alerts: %+v", run.alerts)
				}
			})
		})
	}
}

// TestDuplicatesAreReported sets Jira's settle time below its index lag,
// as when Jira Cloud lags longer than usual: a create is then sent again
// while the first one's issue is still hidden, and the duplicate check
// reports every extra issue to the admins.
func TestDuplicatesAreReported(t *testing.T) {
	n := lagIterations(t)
	for _, kind := range []tracker.Kind{jira.KindCloud, jira.KindServer} {
		t.Run(string(kind), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				run := createUnderLag(t, db, kind, 5*time.Second, n)
				linked := map[string]bool{}
				for _, l := range run.links {
					linked[l.IssueKey] = true
				}
				reported := map[string]bool{}
				for _, a := range run.alerts {
					if a.Kind != "tracker.duplicate_issue" {
						t.Errorf("alert %+v", a)
					}
					_, listed, _ := strings.Cut(a.Message, ": ")
					_, listed, _ = strings.Cut(listed, ": ")
					listed, _, _ = strings.Cut(listed, " (")
					for _, k := range strings.Split(listed, ", ") {
						reported[k] = true
					}
				}
				var extra []string
				for _, k := range run.issues {
					if !linked[k] {
						extra = append(extra, k)
					}
				}
				t.Logf("%s with a settle time below the lag: %d links, %d create requests, %d issues, %d duplicates, %d alerts",
					kind, len(run.links), run.creates, len(run.issues), len(extra), len(run.alerts))
				if len(extra) == 0 {
					t.Fatal("no duplicate was created: the scenario does not exercise the lag")
				}
				for _, k := range extra {
					if !reported[k] {
						t.Errorf("duplicate %s was not reported (%d alerts)", k, len(run.alerts))
					}
				}
				if slices.ContainsFunc(run.links, func(l link.Link) bool { return l.IssueKey == "" }) {
					t.Error("a link has no issue")
				}
				// Each link reported with duplicates is one fact about the vendor.
				dups := 0
				for _, tr := range run.troubles {
					if tr.Kind == link.TroubleDuplicate {
						dups++
					}
				}
				if dups != len(run.alerts) {
					t.Errorf("%d duplicate troubles for %d duplicate alerts", dups, len(run.alerts))
				}
			})
		})
	}
}
