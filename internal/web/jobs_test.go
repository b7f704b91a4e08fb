package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// boomArgs is a job that always fails.
type boomArgs struct {
	jobargs.Tenant
	Target string `json:"target"`
}

func (boomArgs) Kind() string { return "test.boom" }

type boomWorker struct {
	river.WorkerDefaults[boomArgs]
}

func (boomWorker) Work(_ context.Context, j *river.Job[boomArgs]) error {
	return errors.New("connection refused by " + j.Args.Target)
}

// deadLetters runs a worker on the env's store until each of the given jobs
// failed its only attempt, and returns their ids.
func (e *env) deadLetters(args ...boomArgs) []int64 {
	e.t.Helper()
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, boomWorker{})
	q, err := jobs.New(e.db, jobs.Config{Work: true, Workers: workers, PollInterval: 50 * time.Millisecond})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		e.t.Fatal(err)
	}
	defer func() {
		if err := q.Stop(ctx); err != nil {
			e.t.Errorf("stop queue: %v", err)
		}
		// This queue knows only boomWorker's kind; put back an insert-only
		// one so that later inserts (email.process) are not refused.
		if _, err := jobs.New(e.db, jobs.Config{}); err != nil {
			e.t.Errorf("restore queue: %v", err)
		}
	}()
	var ids []int64
	for _, a := range args {
		res, err := q.Client.Insert(ctx, a, &river.InsertOpts{MaxAttempts: 1})
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, res.Job.ID)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := q.Client.JobList(ctx, river.NewJobListParams().IDs(ids...).States(rivertype.JobStateDiscarded).First(len(ids)))
		if err != nil {
			e.t.Fatal(err)
		}
		if len(res.Jobs) == len(ids) {
			return ids
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("jobs not discarded in time: %d of %d", len(res.Jobs), len(ids))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

type jobJSON struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	State     string `json:"state"`
	LastError string `json:"last_error"`
	Errors    []struct {
		Attempt int    `json:"attempt"`
		Message string `json:"message"`
	} `json:"errors"`
}

func TestDeadLetters(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			globex, globexKey := e.newTenant("globex")
			ids := e.deadLetters(
				boomArgs{Tenant: jobargs.For(e.tenant.ID), Target: "jira.example.com"},
				boomArgs{Tenant: jobargs.For(e.tenant.ID), Target: "slack.example.com"},
				boomArgs{Tenant: jobargs.For(globex.ID), Target: "globex.example.com"},
			)
			mine, theirs := ids[1], ids[2]

			t.Run("API lists the tenant's dead letters page by page", func(t *testing.T) {
				var page struct {
					Items      []jobJSON `json:"items"`
					NextCursor string    `json:"next_cursor"`
				}
				r := e.do("GET", "/api/v1/jobs?limit=1&kind=test.boom", e.key, nil)
				wantStatus(t, r, http.StatusOK)
				r.JSON(t, &page)
				if len(page.Items) != 1 || page.Items[0].ID != mine || page.NextCursor == "" {
					t.Fatalf("first page = %+v", page)
				}
				if !strings.Contains(page.Items[0].LastError, "slack.example.com") {
					t.Errorf("last error = %q", page.Items[0].LastError)
				}
				r = e.do("GET", "/api/v1/jobs?limit=1&kind=test.boom&cursor="+page.NextCursor, e.key, nil)
				wantStatus(t, r, http.StatusOK)
				page.Items, page.NextCursor = nil, ""
				r.JSON(t, &page)
				if len(page.Items) != 1 || page.Items[0].ID != ids[0] || page.NextCursor != "" {
					t.Fatalf("second page = %+v", page)
				}
				r = e.do("GET", "/api/v1/jobs?kind=other.kind", e.key, nil)
				page.Items = nil
				r.JSON(t, &page)
				if len(page.Items) != 0 {
					t.Fatalf("kind filter returned %+v", page.Items)
				}
			})

			t.Run("API shows one job with its error history", func(t *testing.T) {
				r := e.do("GET", fmt.Sprintf("/api/v1/jobs/%d", mine), e.key, nil)
				wantStatus(t, r, http.StatusOK)
				var j jobJSON
				r.JSON(t, &j)
				if j.State != "discarded" || len(j.Errors) != 1 || j.Errors[0].Attempt != 1 || !strings.Contains(j.Errors[0].Message, "slack") {
					t.Fatalf("job = %+v", j)
				}
			})

			t.Run("another tenant's job is 404 everywhere", func(t *testing.T) {
				wantProblem(t, e.do("GET", fmt.Sprintf("/api/v1/jobs/%d", theirs), e.key, nil), http.StatusNotFound)
				wantProblem(t, e.do("POST", fmt.Sprintf("/api/v1/jobs/%d/retry", theirs), e.key, nil), http.StatusNotFound)
				wantStatus(t, e.do("GET", fmt.Sprintf("/api/v1/jobs/%d", theirs), globexKey, nil), http.StatusOK)
				admin := e.signInAs(e.admin.Email, e.password)
				if r := admin.get(t, fmt.Sprintf("/jobs/%d", theirs)); r.Status != http.StatusNotFound {
					t.Fatalf("UI job page of another tenant = %d", r.Status)
				}
				if r := admin.post(t, fmt.Sprintf("/jobs/%d/retry", theirs), nil); r.Status != http.StatusNotFound {
					t.Fatalf("UI retry of another tenant's job = %d", r.Status)
				}
			})

			t.Run("UI lists, shows and retries", func(t *testing.T) {
				admin := e.signInAs(e.admin.Email, e.password)
				r := admin.get(t, "/jobs")
				if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "test.boom") || !strings.Contains(string(r.Body), "jira.example.com") {
					t.Fatalf("GET /jobs = %d:\n%s", r.Status, r.Body)
				}
				if strings.Contains(string(r.Body), "globex.example.com") {
					t.Fatal("another tenant's dead letter is listed")
				}
				r = admin.get(t, fmt.Sprintf("/jobs/%d", ids[0]))
				body := string(r.Body)
				if r.Status != http.StatusOK || !strings.Contains(body, "connection refused by jira.example.com") ||
					!strings.Contains(body, fmt.Sprintf(`action="/jobs/%d/retry"`, ids[0])) {
					t.Fatalf("GET /jobs/%d = %d:\n%s", ids[0], r.Status, body)
				}
				r = admin.post(t, fmt.Sprintf("/jobs/%d/retry", ids[0]), nil)
				if r.Status != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/jobs/%d", ids[0]) {
					t.Fatalf("retry = %d %s", r.Status, r.Header.Get("Location"))
				}
				var j jobJSON
				e.do("GET", fmt.Sprintf("/api/v1/jobs/%d", ids[0]), e.key, nil).JSON(t, &j)
				if j.State != "available" { // no worker runs any more, so it stays queued
					t.Fatalf("state after retry = %q", j.State)
				}
				if r := admin.get(t, "/jobs/not-a-number"); r.Status != http.StatusNotFound {
					t.Fatalf("GET /jobs/not-a-number = %d", r.Status)
				}
			})

			t.Run("API retry requeues; retrying again is a conflict", func(t *testing.T) {
				r := e.do("POST", fmt.Sprintf("/api/v1/jobs/%d/retry", mine), e.key, nil)
				wantStatus(t, r, http.StatusOK)
				var j jobJSON
				r.JSON(t, &j)
				if j.State != "available" {
					t.Fatalf("state after retry = %q", j.State)
				}
				wantProblem(t, e.do("POST", fmt.Sprintf("/api/v1/jobs/%d/retry", mine), e.key, nil), http.StatusConflict)
			})
		})
	}
}
