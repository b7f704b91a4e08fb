package deadletter

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Page sizes of List: the default when none is asked, and the most one page
// may hold.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Service lets a tenant's administrators inspect and retry its dead letters.
// Every call is held to the permission matrix and scoped to the caller's
// tenant: another tenant's job answers not found.
type Service struct {
	Store Store
}

// List returns a page of the caller's tenant's dead letters, newest first,
// optionally of one kind, and the cursor of the next page ("" on the last).
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Job, string, error) {
	if err := p.Require(auth.PermManageJobs); err != nil {
		return nil, "", err
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	q := Query{TenantID: p.TenantID, Kind: f.Kind, Limit: limit + 1}
	if f.Cursor != "" {
		before, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		q.BeforeID = before
	}
	if p.TenantID == "" {
		// Jobs of no tenant are nobody's dead letters.
		return []Job{}, "", nil
	}
	out, err := s.Store.DeadLetters(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("deadletter.List: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	return out, next, nil
}

// Get returns one of the caller's tenant's jobs, in any state, with its
// error history.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Job, error) {
	if err := p.Require(auth.PermManageJobs); err != nil {
		return Job{}, err
	}
	j, err := s.Store.Job(ctx, id)
	if err != nil {
		return Job{}, fmt.Errorf("deadletter.Get %d: %w", id, err)
	}
	if !j.visibleTo(p.TenantID) {
		return Job{}, notFound(id)
	}
	return j, nil
}

// Retry puts a dead letter of the caller's tenant back in the queue with one
// more attempt and records who did it in the audit log, both at once. A job
// that is not a dead letter (queued, running, done) is a conflict.
func (s *Service) Retry(ctx context.Context, p auth.Principal, id int64) (Job, error) {
	if err := p.Require(auth.PermManageJobs); err != nil {
		return Job{}, err
	}
	check := func(before Job) error {
		if !before.visibleTo(p.TenantID) {
			return notFound(id)
		}
		if !before.Retryable() {
			return apperr.E(apperr.Conflict, "job %d is %s, not a dead letter", id, before.State)
		}
		return nil
	}
	record := func(before, after Job) audit.Event {
		return audit.Record(p, "job.retry", "job", strconv.FormatInt(id, 10), auditStateOf(before), auditStateOf(after))
	}
	j, err := s.Store.Requeue(ctx, id, check, record)
	if err != nil {
		return Job{}, fmt.Errorf("deadletter.Retry %d: %w", id, err)
	}
	return j, nil
}

// auditState is what the audit log keeps of a job around a retry.
type auditState struct {
	Kind        string `json:"kind"`
	State       string `json:"state"`
	Attempt     int    `json:"attempt"`
	MaxAttempts int    `json:"max_attempts"`
}

func auditStateOf(j Job) auditState {
	return auditState{Kind: j.Kind, State: j.State, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts}
}

func notFound(id int64) error { return apperr.NotFoundf("job %d not found", id) }

// Cursors are opaque to callers: the id of the last job of a page.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

func decodeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var id int64
	if err == nil {
		id, err = strconv.ParseInt(string(b), 10, 64)
	}
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf("cursor is not valid")
	}
	return id, nil
}
