package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// ReplayStatus is where a background replay stands.
type ReplayStatus string

// Replay statuses.
const (
	ReplayQueued    ReplayStatus = "queued"
	ReplayRunning   ReplayStatus = "running"
	ReplayCompleted ReplayStatus = "completed"
	ReplayFailed    ReplayStatus = "failed"
	ReplayCancelled ReplayStatus = "cancelled"
)

// finished reports whether nothing more happens to a replay in st.
func (st ReplayStatus) finished() bool {
	return st == ReplayCompleted || st == ReplayFailed || st == ReplayCancelled
}

// ReplayJob is a replay run in the background by the ingest.replay job: a
// selection larger than the API replays within one request. It is worked
// in pages; AfterID is the last event replayed, so a job restarted after a
// crash goes on from there.
type ReplayJob struct {
	ID              string       `json:"id"`
	TenantID        string       `json:"-"`
	Selection       Selection    `json:"selection"`
	Status          ReplayStatus `json:"status" enum:"queued,running,completed,failed,cancelled"`
	Total           int          `json:"total" doc:"Events the selection picked when the replay was asked for."`
	Done            int          `json:"done" doc:"Events replayed so far."`
	Normalized      int          `json:"normalized"`
	FailedNormalize int          `json:"failed_normalize"`
	Quarantined     int          `json:"quarantined"`
	AfterID         string       `json:"-"`
	Error           string       `json:"error,omitempty" doc:"Why the last page failed (it is retried), or why the replay failed."`
	CancelRequested bool         `json:"cancel_requested" doc:"Cancelling: the replay stops after the page it is on."`
	RequestedBy     string       `json:"requested_by"`
	CreatedAt       time.Time    `json:"created_at"`
	StartedAt       *time.Time   `json:"started_at,omitempty"`
	FinishedAt      *time.Time   `json:"finished_at,omitempty"`
}

// ReplayStore is what background replays read and write.
type ReplayStore interface {
	// CreateReplay stores a queued replay with its audit row and jobs.
	CreateReplay(ctx context.Context, r ReplayJob, ev audit.Event, jobs []jobargs.Args) error
	IngestReplay(ctx context.Context, tenantID, id string) (ReplayJob, error)
	// ListReplays lists a tenant's replays, newest first.
	ListReplays(ctx context.Context, tenantID string, limit int) ([]ReplayJob, error)
	// SaveReplayProgress stores a replay's status, counts, cursor, error
	// and times (never its cancel request).
	SaveReplayProgress(ctx context.Context, r ReplayJob) error
	// RequestReplayCancel marks an unfinished replay for cancelling with
	// its audit row; a finished one is a conflict.
	RequestReplayCancel(ctx context.Context, tenantID, id string, ev audit.Event) (ReplayJob, error)
}

// startReplay queues a background replay of sel, which picks total events.
func (s *Service) startReplay(ctx context.Context, p auth.Principal, sel Selection, total int) (ReplayJob, error) {
	r := ReplayJob{ID: ident.New(), TenantID: p.TenantID, Selection: sel, Status: ReplayQueued, Total: total,
		RequestedBy: p.Label, CreatedAt: s.now()}
	ev := audit.Record(p, "ingest.replay", "ingest_replay", r.ID, nil, map[string]any{"selection": sel, "total": total})
	job := jobargs.IngestReplay{Tenant: jobargs.For(p.TenantID), ReplayID: r.ID}
	if err := s.Store.CreateReplay(ctx, r, ev, []jobargs.Args{job}); err != nil {
		return ReplayJob{}, fmt.Errorf("ingest.Replay: %w", err)
	}
	return r, nil
}

// ReplayJobs lists the tenant's background replays, newest first.
func (s *Service) ReplayJobs(ctx context.Context, p auth.Principal) ([]ReplayJob, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return nil, err
	}
	return s.Store.ListReplays(ctx, p.TenantID, 100)
}

// ReplayJobByID returns one background replay with its progress.
func (s *Service) ReplayJobByID(ctx context.Context, p auth.Principal, id string) (ReplayJob, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return ReplayJob{}, err
	}
	return s.Store.IngestReplay(ctx, p.TenantID, id)
}

// CancelReplay asks a background replay to stop after its current page;
// what it replayed stays replayed.
func (s *Service) CancelReplay(ctx context.Context, p auth.Principal, id string) (ReplayJob, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return ReplayJob{}, err
	}
	ev := audit.Record(p, "ingest_replay.cancel", "ingest_replay", id, nil, nil)
	r, err := s.Store.RequestReplayCancel(ctx, p.TenantID, id, ev)
	if apperr.Is(err, apperr.Conflict) {
		return ReplayJob{}, apperr.E(apperr.Conflict, "the replay has finished; there is nothing to cancel")
	}
	return r, err
}

// RunReplay works a background replay from where it stands to its end, a
// page at a time, saving its progress after each page; it stops early when
// a cancel is asked for. An error is returned for the job to retry (the
// retry goes on from the last saved page); lastTry says this is the job's
// last attempt, when an error fails the replay instead.
func (s *Service) RunReplay(ctx context.Context, tenantID, id string, lastTry bool) error {
	r, err := s.Store.IngestReplay(ctx, tenantID, id)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil // the tenant is gone; nothing to do
		}
		return err
	}
	if r.Status.finished() {
		return nil
	}
	if err := s.workReplay(ctx, &r); err != nil {
		r.Error = err.Error()
		if lastTry {
			at := s.now()
			r.Status, r.FinishedAt = ReplayFailed, &at
		}
		if serr := s.Store.SaveReplayProgress(context.WithoutCancel(ctx), r); serr != nil {
			s.log().ErrorContext(ctx, "ingest replay progress not saved", "replay", r.ID, "err", serr.Error())
		}
		return err
	}
	return nil
}

func (s *Service) workReplay(ctx context.Context, r *ReplayJob) error {
	if r.StartedAt == nil {
		at := s.now()
		r.StartedAt = &at
	}
	r.Status = ReplayRunning
	if err := s.Store.SaveReplayProgress(ctx, *r); err != nil {
		return err
	}
	rules, err := s.loadRules(ctx, r.TenantID)
	if err != nil {
		return err
	}
	for {
		now, err := s.Store.IngestReplay(ctx, r.TenantID, r.ID)
		if err != nil {
			return err
		}
		if now.CancelRequested {
			at := s.now()
			r.Status, r.FinishedAt, r.Error = ReplayCancelled, &at, ""
			return s.Store.SaveReplayProgress(ctx, *r)
		}
		page, last, err := s.replayPage(ctx, rules, r.TenantID, r.Selection, r.AfterID, s.replayPageSize())
		if err != nil {
			return err
		}
		if page.Selected == 0 {
			break
		}
		r.Done += page.Selected
		r.Normalized += page.Normalized
		r.FailedNormalize += page.FailedNormalize
		r.Quarantined += page.Quarantined
		r.AfterID, r.Error = last, ""
		if err := s.Store.SaveReplayProgress(ctx, *r); err != nil {
			return err
		}
	}
	if _, err := s.ArchiveNormalized(ctx, r.TenantID); err != nil {
		return err
	}
	at := s.now()
	r.Status, r.FinishedAt = ReplayCompleted, &at
	return s.Store.SaveReplayProgress(ctx, *r)
}

func (s *Service) replayPageSize() int {
	if s.ReplayPage > 0 {
		return s.ReplayPage
	}
	return normalizeBatch
}

func (s *Service) replayInline() int {
	if s.ReplayInline > 0 {
		return s.ReplayInline
	}
	return MaxReplayAPI
}
