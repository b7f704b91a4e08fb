package tracker

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// CreateOnce creates the issue spec describes unless one carrying its
// idempotency key already exists, and reports whether it created one.
//
// This is how VendorSync opens exactly one issue per (ticket, application):
// the job calls CreateOnce on every attempt. When an earlier attempt
// timed out after the tracker committed the issue, or the worker was killed
// mid-call, the search finds that issue and nothing new is created.
//
// A search may miss an issue created a moment ago (Jira Cloud indexes new
// issues for search after creating them), so a caller that knows of an
// earlier create whose outcome is unknown says so in g: CreateOnce then
// refuses to send another create until the tracker's search has had time
// to show the earlier one (an *UnsettledError), and records every create
// before sending it (g.Sending). The other condition is the caller's: only
// one attempt per key may run at a time (a unique job, a lease).
func CreateOnce(ctx context.Context, p Provider, spec IssueSpec, g Guard) (Issue, bool, error) {
	if spec.IdempotencyKey == "" {
		return Issue{}, false, &httpx.Error{Op: "create once", Kind: httpx.BadRequest, Message: "idempotency key is required"}
	}
	iss, found, err := p.FindByIdempotencyKey(ctx, spec.ProjectKey, spec.IdempotencyKey)
	if err != nil {
		return Issue{}, false, err
	}
	if found {
		return iss, false, nil
	}
	if until := g.SettledAt(); !until.IsZero() && g.now().Before(until) {
		return Issue{}, false, &UnsettledError{Until: until}
	}
	if g.Sending != nil {
		if err := g.Sending(ctx); err != nil {
			return Issue{}, false, fmt.Errorf("record the create before sending it: %w", err)
		}
	}
	iss, err = p.CreateIssue(ctx, spec)
	if err != nil {
		return Issue{}, false, err
	}
	return iss, true, nil
}

// Guard is what CreateOnce needs to know about earlier attempts at the
// same issue. The zero Guard knows of none.
type Guard struct {
	// UnknownSince is when the latest create whose outcome is unknown
	// ended (it timed out, its connection dropped, the tracker answered
	// 5xx), or was sent, when its sender died before hearing back; zero
	// when no create of the key has an unknown outcome.
	UnknownSince time.Time
	// Settle is how long the provider's idempotency search may miss an
	// issue after its create ended (Factory.SearchSettle).
	Settle time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Sending, when set, records durably that a create is about to be
	// sent, before it is: an attempt that dies mid-call then leaves the
	// record behind for the next one.
	Sending func(ctx context.Context) error
}

func (g Guard) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// SettledAt is when a search that misses the issue proves that no earlier
// create stored it; zero when no earlier outcome is unknown.
func (g Guard) SettledAt() time.Time {
	if g.UnknownSince.IsZero() {
		return time.Time{}
	}
	return g.UnknownSince.Add(g.Settle)
}

// UnsettledError is CreateOnce declining to create: an earlier create's
// outcome is unknown and the search could still miss its issue. Search
// again at Until.
type UnsettledError struct {
	Until time.Time
}

func (e *UnsettledError) Error() string {
	return "an earlier create may have succeeded and the tracker's search may not show it yet: searching again at " +
		e.Until.UTC().Format(time.RFC3339)
}

// OutcomeKnown reports whether a create that failed with err certainly
// stored nothing: the tracker refused it (4xx). After a timeout, a dropped
// connection or a 5xx the issue may exist.
func OutcomeKnown(err error) bool {
	switch httpx.KindOf(err) {
	case httpx.BadRequest, httpx.Auth, httpx.Permission, httpx.NotFound, httpx.RateLimited, httpx.Permanent:
		return true
	}
	return false
}

// DuplicateFinder is implemented by providers whose idempotency search can
// miss a new issue for a while (Factory.SearchSettle > 0): once it has
// settled, every issue carrying the key is listed, so an issue created
// twice despite the guard is reported instead of left unseen.
type DuplicateFinder interface {
	// FindAllByIdempotencyKey lists the issues in project that carry the
	// key, oldest first (at most 20).
	FindAllByIdempotencyKey(ctx context.Context, project, key string) ([]Issue, error)
}

// AssigneeError is a create refused before it was sent because the
// tracker has no single active user matching the assignee an admin
// configured. It unwraps to an *httpx.Error of kind BadRequest.
type AssigneeError struct {
	Assignee string
	Err      error
}

func (e *AssigneeError) Error() string { return e.Err.Error() }

func (e *AssigneeError) Unwrap() error { return e.Err }

// AssigneeResolver is implemented by providers that take assignees in a
// form of their own (Jira Cloud: an account ID): what an admin configured
// (an email address, a name) is turned into it, or refused with an
// *AssigneeError.
type AssigneeResolver interface {
	ResolveAssignee(ctx context.Context, who string) (string, error)
}
