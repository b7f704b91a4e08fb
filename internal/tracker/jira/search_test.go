package jira_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

func keysOf(issues []tracker.Issue) []string {
	out := make([]string, len(issues))
	for i, iss := range issues {
		out[i] = iss.Key
	}
	return out
}

func TestSearchChunksAndPages(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			srv.SetPageSize(40) // each chunk of 100 takes 3 pages
			keys := append(srv.Seed("PAY", 150), srv.Seed("OPS", 100)...)
			c := newClient(t, srv, flavor)
			got, err := c.Search(context.Background(), keys)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if diff := cmp.Diff(keys, keysOf(got)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			// 250 keys: chunks of 100, 100 and 50; 3 + 3 + 2 pages.
			if n := srv.Requests(jiratest.RouteSearch); n != 8 {
				t.Errorf("%d search requests, want 8", n)
			}
			for _, r := range srv.Received() {
				var body map[string]any
				if err := json.Unmarshal(r.Body, &body); err != nil {
					t.Fatal(err)
				}
				wantPath := map[jira.Flavor]string{jira.Cloud: "/rest/api/3/search/jql", jira.Server: "/rest/api/2/search"}[flavor]
				if r.Path != wantPath {
					t.Errorf("searched %s, want %s", r.Path, wantPath)
				}
				if _, ok := body["startAt"]; ok == (flavor == jira.Cloud) {
					t.Errorf("%s search body has startAt = %v: %s", flavor, ok, r.Body)
				}
			}
		})
	}
}

func TestSearchStatus(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			keys := srv.Seed("PAY", 4)
			srv.SetStatus(keys[1], "In Review", jiratest.CategoryInProgress)
			srv.SetStatus(keys[2], "Closed", jiratest.CategoryDone)
			srv.SetStatus(keys[3], "Limbo", "undefined")
			got, err := newClient(t, srv, flavor).Search(context.Background(), keys)
			if err != nil {
				t.Fatal(err)
			}
			want := []tracker.Issue{
				{Key: "PAY-1", URL: srv.URL + "/browse/PAY-1", StatusName: "To Do", StatusCategory: tracker.ToDo},
				{Key: "PAY-2", URL: srv.URL + "/browse/PAY-2", StatusName: "In Review", StatusCategory: tracker.InProgress},
				{Key: "PAY-3", URL: srv.URL + "/browse/PAY-3", StatusName: "Closed", StatusCategory: tracker.Done},
				{Key: "PAY-4", URL: srv.URL + "/browse/PAY-4", StatusName: "Limbo", StatusCategory: tracker.Unknown},
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(tracker.Issue{}, "Updated")); diff != "" {
				t.Errorf("issues (-want +got):\n%s", diff)
			}
			for _, iss := range got {
				if iss.Updated.IsZero() || time.Since(iss.Updated) > time.Hour+time.Minute {
					t.Errorf("%s updated = %v, want Jira's timestamp", iss.Key, iss.Updated)
				}
			}
		})
	}
}

func TestSearchSkipsMalformedAndMissingKeys(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			keys := srv.Seed("PAY", 3)
			asked := []string{
				keys[0], "pay-2", "PAY-0", `PAY-1") OR project = "OPS`, "", "PAY-", "-1", " ",
				keys[1], "PAY-999", "NOPE-1", keys[1], keys[2],
			}
			got, err := newClient(t, srv, flavor).Search(context.Background(), asked)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if diff := cmp.Diff(keys, keysOf(got)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			// One rejected search naming PAY-999 and NOPE-1, one that answers.
			if n := srv.Requests(jiratest.RouteSearch); n != 2 {
				t.Errorf("%d search requests, want 2", n)
			}
		})
	}
}

func TestSearchNothing(t *testing.T) {
	srv := jiratest.New(t)
	got, err := newClient(t, srv, jira.Cloud).Search(context.Background(), []string{"bad key", "PAY-404"})
	if err != nil || len(got) != 0 {
		t.Errorf("Search = %v, %v; want nothing", got, err)
	}
}

func TestSearchReturnsCompletedChunksWithError(t *testing.T) {
	srv := jiratest.New(t)
	keys := srv.Seed("PAY", 150)
	c := newClient(t, srv, jira.Cloud, func(c *jira.Config) { c.SearchConcurrency = 1 })
	// The first chunk passes, the second meets a revoked token.
	srv.Inject(jiratest.RouteSearch, jiratest.Fault{}) // no-op slot for chunk 1
	srv.Inject(jiratest.RouteSearch, jiratest.StatusFault(401, 1))
	got, err := c.Search(context.Background(), keys)
	if httpx.KindOf(err) != httpx.Auth {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if len(got) != 100 {
		t.Errorf("%d issues alongside the error, want the first chunk's 100", len(got))
	}
}

func TestFindByIdempotencyKey(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			c := newClient(t, srv, flavor)
			ctx := context.Background()
			if _, found, err := c.FindByIdempotencyKey(ctx, "PAY", "VS-2847-app42"); err != nil || found {
				t.Fatalf("before create: found %v, %v", found, err)
			}
			srv.Seed("PAY", 2) // other issues in the project
			// Two carrying the key (say, from before idempotency existed):
			// the oldest wins.
			for range 2 {
				if _, err := c.CreateIssue(ctx, seedSpec()); err != nil {
					t.Fatal(err)
				}
			}
			iss, found, err := c.FindByIdempotencyKey(ctx, "PAY", "VS-2847-app42")
			if err != nil || !found || iss.Key != "PAY-3" {
				t.Fatalf("found %v %+v, %v; want PAY-3", found, iss, err)
			}
			if _, found, err := c.FindByIdempotencyKey(ctx, "OPS", "VS-2847-app42"); err != nil || found {
				t.Errorf("other project: found %v, %v", found, err)
			}
			if _, _, err := c.FindByIdempotencyKey(ctx, "GONE", "k"); httpx.KindOf(err) != httpx.BadRequest {
				t.Errorf("unknown project: err = %v, want bad_request", err)
			}
			if _, _, err := c.FindByIdempotencyKey(ctx, "PAY", `x" OR labels = "y`); httpx.KindOf(err) != httpx.BadRequest {
				t.Errorf("malformed key: err = %v, want bad_request", err)
			}
		})
	}
}

// BenchmarkSearch10k syncs 10,000 linked issues in chunks of 100 against a
// Jira that takes 20 ms per request, and reports issues per second.
func BenchmarkSearch10k(b *testing.B) {
	for _, bc := range []struct {
		name        string
		concurrency int
		rate        float64
	}{
		{"sequential", 1, -1},
		{"default", 0, 0}, // DefaultSearchConcurrency, DefaultRatePerSecond
		{"concurrency=8/unpaced", 8, -1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := jiratest.New(b)
			srv.SetLatency(20 * time.Millisecond)
			keys := srv.Seed("PAY", 10_000)
			c := newClient(b, srv, jira.Cloud, func(c *jira.Config) {
				c.SearchConcurrency = bc.concurrency
				c.Resilience.RatePerSecond = bc.rate
			})
			b.ResetTimer()
			for b.Loop() {
				got, err := c.Search(context.Background(), keys)
				if err != nil || len(got) != len(keys) {
					b.Fatalf("Search: %d issues, %v", len(got), err)
				}
			}
			b.ReportMetric(float64(len(keys)*b.N)/b.Elapsed().Seconds(), "issues/s")
			b.ReportMetric(float64(srv.Requests(jiratest.RouteSearch))/float64(b.N), "requests/op")
		})
	}
}
