package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/deadletter"
)

// jobOut is a job as the API shows it.
type jobOut struct {
	ID          int64                     `json:"id"`
	Kind        string                    `json:"kind"`
	State       string                    `json:"state" doc:"discarded for dead letters; available once retried."`
	Args        json.RawMessage           `json:"args" doc:"The job's arguments, including its tenant_id."`
	Attempt     int                       `json:"attempt" doc:"Attempts made so far."`
	MaxAttempts int                       `json:"max_attempts"`
	LastError   string                    `json:"last_error,omitempty"`
	Errors      []deadletter.AttemptError `json:"errors" nullable:"false" doc:"Every failed attempt, oldest first."`
	CreatedAt   time.Time                 `json:"created_at"`
	FailedAt    *time.Time                `json:"failed_at,omitempty" doc:"When the job was given up."`
}

func jobOutOf(j deadletter.Job) jobOut {
	return jobOut{ID: j.ID, Kind: j.Kind, State: j.State, Args: j.Args, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
		LastError: j.LastError(), Errors: j.Errors, CreatedAt: j.CreatedAt, FailedAt: j.FailedAt}
}

type jobListIn struct {
	PageQuery
	Kind string `query:"kind" maxLength:"200" doc:"Only jobs of this kind, e.g. tracker.sync."`
}

type jobIDIn struct {
	ID int64 `path:"id" doc:"Job id."`
}

type jobOneOut struct{ Body jobOut }

var (
	docListJobs = huma.Operation{Summary: "List dead letters",
		Description: "Jobs that failed on every attempt, newest first. Retrying one puts it back in the queue."}
	docGetJob   = huma.Operation{Summary: "Get a job with its error history"}
	docRetryJob = huma.Operation{Summary: "Retry a dead letter",
		Description: "Queues the job again with one more attempt. Answers 409 when the job is not a dead letter."}
)

func (s *Server) apiListJobs(ctx context.Context, in *jobListIn) (*PageOut[jobOut], error) {
	list, next, err := s.DeadLetters.List(ctx, principal(ctx), deadletter.Filter{Kind: in.Kind, Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]jobOut, 0, len(list))
	for _, j := range list {
		out = append(out, jobOutOf(j))
	}
	return pageOf(out, next), nil
}

func (s *Server) apiGetJob(ctx context.Context, in *jobIDIn) (*jobOneOut, error) {
	j, err := s.DeadLetters.Get(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &jobOneOut{Body: jobOutOf(j)}, nil
}

func (s *Server) apiRetryJob(ctx context.Context, in *jobIDIn) (*jobOneOut, error) {
	j, err := s.DeadLetters.Retry(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &jobOneOut{Body: jobOutOf(j)}, nil
}

// jobsPage is the data of the dead-letter list.
type jobsPage struct {
	Jobs []deadletter.Job
	Kind string
	Next string
}

// jobPage is the data of one job's page.
type jobPage struct {
	Job  deadletter.Job
	Args string // indented JSON
}

func (s *Server) uiJobs(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	data := jobsPage{Kind: q.Get("kind")}
	list, next, err := s.DeadLetters.List(r.Context(), p, deadletter.Filter{Kind: data.Kind, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data.Jobs = list
	if next != "" {
		data.Next = pageLink(r, next)
	}
	s.render(w, r, http.StatusOK, "jobs.html", View{Title: "Dead letters", Nav: "jobs", Data: data})
	return nil
}

func (s *Server) uiJob(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	j, err := s.DeadLetters.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	data := jobPage{Job: j, Args: string(j.Args)}
	var v any
	if json.Unmarshal(j.Args, &v) == nil {
		if b, err := json.MarshalIndent(v, "", "  "); err == nil {
			data.Args = string(b)
		}
	}
	s.render(w, r, http.StatusOK, "job.html", View{Title: "Job " + strconv.FormatInt(id, 10), Nav: "jobs", Data: data})
	return nil
}

func (s *Server) uiRetryJob(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	j, err := s.DeadLetters.Retry(r.Context(), p, id)
	if err != nil {
		return err
	}
	s.flash(r, "Job "+strconv.FormatInt(id, 10)+" ("+j.Kind+") is queued again.")
	redirect(w, r, "/jobs/"+strconv.FormatInt(id, 10))
	return nil
}

// jobID reads the {id} of a job page; anything but a job id is not found.
func jobID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("job %s not found", r.PathValue("id"))
	}
	return id, nil
}

// pageLink is the current page's URL with cursor set, for "next page".
func pageLink(r *http.Request, cursor string) string {
	q := r.URL.Query()
	q.Set("cursor", cursor)
	u := *r.URL
	u.RawQuery = q.Encode()
	return u.RequestURI()
}
