package jira_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

func TestFaultKinds(t *testing.T) {
	cases := []struct {
		name   string
		status int
		want   httpx.Kind
	}{
		{"400", http.StatusBadRequest, httpx.BadRequest},
		{"401", http.StatusUnauthorized, httpx.Auth},
		{"403", http.StatusForbidden, httpx.Permission},
		{"404", http.StatusNotFound, httpx.NotFound},
		{"429", http.StatusTooManyRequests, httpx.RateLimited},
		{"500", http.StatusInternalServerError, httpx.Transient},
		{"503", http.StatusServiceUnavailable, httpx.Transient},
	}
	ops := []struct {
		route jiratest.Route
		call  func(*jira.Client) error
	}{
		{jiratest.RouteCreate, func(c *jira.Client) error {
			_, err := c.CreateIssue(context.Background(), seedSpec())
			return err
		}},
		{jiratest.RouteSearch, func(c *jira.Client) error {
			_, err := c.Search(context.Background(), []string{"PAY-1"})
			return err
		}},
		{jiratest.RouteComment, func(c *jira.Client) error {
			return c.Comment(context.Background(), "PAY-1", tracker.Document{Title: "x"})
		}},
		{jiratest.RouteMyself, func(c *jira.Client) error {
			_, err := c.Test(context.Background())
			return err
		}},
	}
	for _, flavor := range flavors {
		for _, op := range ops {
			for _, tc := range cases {
				t.Run(string(flavor)+"/"+string(op.route)+"/"+tc.name, func(t *testing.T) {
					srv := jiratest.New(t)
					srv.Seed("PAY", 1)
					// Enough faults to outlast every retry of a read.
					srv.Inject(op.route, jiratest.Fault{Status: tc.status, Times: 10})
					err := op.call(newClient(t, srv, flavor))
					if got := httpx.KindOf(err); got != tc.want {
						t.Fatalf("kind = %q (err %v), want %q", got, err, tc.want)
					}
					var te *httpx.Error
					if errors.As(err, &te) && te.Status != tc.status {
						t.Errorf("status = %d, want %d", te.Status, tc.status)
					}
				})
			}
		}
	}
}

func TestCreateNotRetriedOn5xx(t *testing.T) {
	srv := jiratest.New(t)
	srv.Inject(jiratest.RouteCreate, jiratest.StatusFault(http.StatusBadGateway, 1))
	_, err := newClient(t, srv, jira.Cloud).CreateIssue(context.Background(), seedSpec())
	if httpx.KindOf(err) != httpx.Transient {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if n := srv.Requests(jiratest.RouteCreate); n != 1 {
		t.Errorf("create sent %d times; a POST that may have been committed must not be repeated", n)
	}
}

func TestSearchRetries5xx(t *testing.T) {
	srv := jiratest.New(t)
	key := srv.Seed("PAY", 1)[0]
	srv.Inject(jiratest.RouteSearch, jiratest.StatusFault(http.StatusServiceUnavailable, 2))
	got, err := newClient(t, srv, jira.Server).Search(context.Background(), []string{key})
	if err != nil || len(got) != 1 {
		t.Fatalf("Search = %v, %v; want the issue after retries", got, err)
	}
	if n := srv.Requests(jiratest.RouteSearch); n != 3 {
		t.Errorf("%d search requests, want 3", n)
	}
}

func TestRateLimitThenSuccess(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			srv.Inject(jiratest.RouteCreate, jiratest.RateLimit("1", 2))
			var mu sync.Mutex
			var waited time.Duration
			// The waits are observed, not spent: Retry-After is a fact about
			// them, not a speed assertion.
			observe := func(c *jira.Config) {
				c.Resilience.Sleep = func(ctx context.Context, d time.Duration) error {
					mu.Lock()
					waited += d
					mu.Unlock()
					return ctx.Err()
				}
			}
			iss, err := newClient(t, srv, flavor, observe).CreateIssue(context.Background(), seedSpec())
			if err != nil {
				t.Fatalf("CreateIssue: %v", err)
			}
			if n := srv.Requests(jiratest.RouteCreate); n != 3 {
				t.Errorf("%d create requests, want 3 (two 429s, then success)", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if waited < 2*time.Second {
				t.Errorf("waited %v in all; Retry-After: 1 twice asks for 2s", waited)
			}
			if got := len(srv.Issues()); got != 1 || iss.Key != "PAY-1" {
				t.Errorf("%d issues, key %s; want exactly PAY-1", got, iss.Key)
			}
		})
	}
}

func TestRateLimitTooLongIsReturned(t *testing.T) {
	srv := jiratest.New(t)
	srv.Inject(jiratest.RouteMyself, jiratest.RateLimit("120", 1))
	_, err := newClient(t, srv, jira.Cloud).Test(context.Background())
	if httpx.KindOf(err) != httpx.RateLimited || httpx.RetryAfterOf(err) != 120*time.Second {
		t.Fatalf("err = %v (retry after %v), want rate_limited after 2m0s", err, httpx.RetryAfterOf(err))
	}
	if n := srv.Requests(jiratest.RouteMyself); n != 1 {
		t.Errorf("%d requests; a wait over MaxRetryAfter goes back to the caller", n)
	}
}

// TestExactlyOnceAfterCommitFaults is the seed's "a retry after a crash
// never opens a second Jira issue": the first attempt's create is committed
// but its answer never arrives; the retry finds the issue by its
// idempotency label instead of creating another.
func TestExactlyOnceAfterCommitFaults(t *testing.T) {
	faults := map[string]jiratest.Fault{
		"timeout":           jiratest.TimeoutAfterCommit(5 * time.Second),
		"dropped answer":    jiratest.DropAfterCommit(),
		"500 before commit": {Status: http.StatusInternalServerError},
		"503 before commit": {Status: http.StatusServiceUnavailable},
		"killed worker":     {}, // the first attempt succeeds but its result is lost
	}
	for _, flavor := range flavors {
		for name, fault := range faults {
			t.Run(string(flavor)+"/"+name, func(t *testing.T) {
				srv := jiratest.New(t)
				if name != "killed worker" {
					srv.Inject(jiratest.RouteCreate, fault)
				}
				c := newClient(t, srv, flavor, func(c *jira.Config) { c.Timeout = 300 * time.Millisecond })
				ctx := context.Background()
				spec := seedSpec()

				// Attempt 1.
				first, created, err := tracker.CreateOnce(ctx, c, spec, tracker.Guard{})
				switch {
				case name != "killed worker":
					if httpx.KindOf(err) != httpx.Transient {
						t.Fatalf("attempt 1: err = %v, want unavailable", err)
					}
				default:
					if err != nil || !created {
						t.Fatalf("attempt 1: %v, created %v", err, created)
					}
				}
				// Attempt 2, as the job's retry.
				second, created, err := tracker.CreateOnce(ctx, c, spec, tracker.Guard{})
				if err != nil {
					t.Fatalf("attempt 2: %v", err)
				}
				wantCreated := fault.Status != 0 // only a plain failure committed nothing
				if created != wantCreated {
					t.Errorf("attempt 2 created = %v, want %v", created, wantCreated)
				}
				if first.Key != "" && first.Key != second.Key {
					t.Errorf("attempts disagree: %s vs %s", first.Key, second.Key)
				}
				if n := len(srv.Issues()); n != 1 {
					t.Fatalf("%d issues exist, want exactly 1", n)
				}
				// A found issue carries its status; a new one is unknown
				// until the next sync.
				wantCat := tracker.ToDo
				if created {
					wantCat = tracker.Unknown
				}
				if second.Key != "PAY-1" || second.StatusCategory != wantCat {
					t.Errorf("got %+v, want PAY-1 in %s", second, wantCat)
				}
			})
		}
	}
}

func TestFindByIdempotencyKeyMissesUntilIndexed(t *testing.T) {
	srv := jiratest.New(t)
	srv.SetIndexLag(time.Hour)
	c := newClient(t, srv, jira.Cloud)
	if _, err := c.CreateIssue(context.Background(), seedSpec()); err != nil {
		t.Fatal(err)
	}
	_, found, err := c.FindByIdempotencyKey(context.Background(), "PAY", "VS-2847-app42")
	if err != nil || found {
		t.Errorf("found = %v, %v; an unindexed issue must not be found (this is why retries wait)", found, err)
	}
}

func TestCircuitBreakerOpens(t *testing.T) {
	srv := jiratest.New(t)
	srv.Inject(jiratest.RouteMyself, jiratest.StatusFault(http.StatusInternalServerError, 100))
	c := newClient(t, srv, jira.Cloud, func(c *jira.Config) {
		c.Resilience.MaxRetries = -1
		c.Resilience.BreakerFailures = 3
		c.Resilience.BreakerCooldown = time.Hour
	})
	for range 3 {
		if _, err := c.Test(context.Background()); httpx.KindOf(err) != httpx.Transient {
			t.Fatalf("err = %v, want unavailable", err)
		}
	}
	_, err := c.Test(context.Background())
	if !errors.Is(err, httpx.ErrCircuitOpen) || httpx.KindOf(err) != httpx.Transient {
		t.Fatalf("err = %v, want an open circuit (unavailable)", err)
	}
	if n := srv.Requests(jiratest.RouteMyself); n != 3 {
		t.Errorf("%d requests reached Jira, want 3", n)
	}
	if got := c.BreakerState(); got != "open" {
		t.Errorf("breaker state = %s, want open", got)
	}
}
