package tracker_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

// TestCreateOnceRetriesLikeAJob runs CreateOnce the way the issue job will:
// retry while the error is temporary. Whatever Jira does, one issue exists.
func TestCreateOnceRetriesLikeAJob(t *testing.T) {
	srv := jiratest.New(t)
	srv.Inject(jiratest.RouteCreate, jiratest.RateLimit("0", 1))
	srv.Inject(jiratest.RouteCreate, jiratest.TimeoutAfterCommit(3*time.Second))
	srv.Inject(jiratest.RouteSearch, jiratest.StatusFault(http.StatusServiceUnavailable, 1))
	p, err := jira.New(jira.Config{BaseURL: srv.URL, Flavor: jira.Cloud, Email: jiratest.Email, APIToken: jiratest.APIToken,
		Options: jira.Options{Timeout: 200 * time.Millisecond,
			Resilience: httpx.Policy{InitialBackoff: time.Millisecond, MaxRetries: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	spec := validSpec()
	var (
		iss     tracker.Issue
		created bool
		tries   int
	)
	for tries = 1; tries <= 4; tries++ {
		iss, created, err = tracker.CreateOnce(context.Background(), p, spec, tracker.Guard{})
		if err == nil || !httpx.KindOf(err).Temporary() {
			break
		}
	}
	if err != nil {
		t.Fatalf("after %d tries: %v", tries, err)
	}
	// 1: search 503. 2: search ok, create 429. 3: search ok, create commits
	// but times out. 4: search finds it.
	if tries != 4 || created || iss.Key != "PAY-1" {
		t.Errorf("tries %d, created %v, issue %+v", tries, created, iss)
	}
	if n := len(srv.Issues()); n != 1 {
		t.Errorf("%d issues, want 1", n)
	}
}

func TestCreateOnceNeedsKey(t *testing.T) {
	spec := validSpec()
	spec.IdempotencyKey = ""
	_, _, err := tracker.CreateOnce(context.Background(), nil, spec, tracker.Guard{})
	if httpx.KindOf(err) != httpx.BadRequest {
		t.Errorf("err = %v, want bad_request", err)
	}
}
