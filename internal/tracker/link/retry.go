package link

import (
	"context"
	"fmt"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Links lists the tenant's links in a state (failed and orphan by
// default), for the admin view.
func (s *Service) Links(ctx context.Context, p auth.Principal, f Filter) ([]Link, string, error) {
	if err := requireEdit(p); err != nil {
		return nil, "", err
	}
	for _, st := range f.Statuses {
		if !st.Valid() {
			return nil, "", &apperr.Error{Code: apperr.Invalid, Message: "validation failed",
				Fields: []apperr.FieldError{{Field: "sync_status", Message: "must be one of pending, created, failed, orphan"}}}
		}
	}
	if len(f.Statuses) == 0 {
		f.Statuses = []SyncStatus{Failed, Orphan}
	}
	out, next, err := s.Store.ListTrackerLinks(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("link.Links: %w", err)
	}
	return out, next, nil
}

// TicketLinks returns a ticket's links, for its detail view.
func (s *Service) TicketLinks(ctx context.Context, p auth.Principal, ticketID string) ([]Link, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	out, err := s.Store.TicketTrackerLinks(ctx, p.TenantID, ticketID)
	if err != nil {
		return nil, fmt.Errorf("link.TicketLinks %s: %w", ticketID, err)
	}
	return out, nil
}

// Retry puts a failed, orphan or pending link back to pending with its
// attempts reset and enqueues its create job, in one transaction; the
// admin's fix (project key, permission) is then tried at once. A created
// link is a conflict: its issue exists.
func (s *Service) Retry(ctx context.Context, p auth.Principal, id string) (Link, error) {
	if err := requireEdit(p); err != nil {
		return Link{}, err
	}
	l, err := s.Store.TrackerLink(ctx, p.TenantID, id)
	if err != nil {
		return Link{}, fmt.Errorf("link.Retry %.40s: %w", id, err)
	}
	if l.SyncStatus == Created {
		return Link{}, apperr.E(apperr.Conflict, "%s already has its issue %s", l.TicketKey, l.IssueKey)
	}
	ev := audit.Record(p, "tracker_link.retry", "tracker_link", l.ID,
		map[string]any{"sync_status": l.SyncStatus, "attempts": l.Attempts, "last_error": l.LastError},
		map[string]any{"sync_status": Pending, "attempts": 0})
	job := createJob(l.TenantID, l.TicketID, l.ApplicationID)
	if err := s.Store.RetryTrackerLink(ctx, p.TenantID, l.ID, s.now(), ev, job); err != nil {
		return Link{}, fmt.Errorf("link.Retry %s: %w", l.ID, err)
	}
	out, err := s.Store.TrackerLink(ctx, p.TenantID, l.ID)
	if err != nil {
		return Link{}, fmt.Errorf("link.Retry %s: %w", l.ID, err)
	}
	return out, nil
}

// RetryDue enqueues a create job for every orphan link, and every pending
// link untouched for RetryAfterStale, of every tenant whose connection is
// enabled: the periodic job of the seed's "background retry every 15 min".
// Jobs still waiting or running for a link are kept (the job is unique).
func (s *Service) RetryDue(ctx context.Context) (int, error) {
	refs, err := s.Store.RetryableTrackerLinks(ctx, s.now().Add(-RetryAfterStale))
	if err != nil {
		return 0, fmt.Errorf("link.RetryDue: %w", err)
	}
	if len(refs) == 0 {
		return 0, nil
	}
	jobs := make([]jobargs.Args, 0, len(refs))
	for _, r := range refs {
		jobs = append(jobs, createJob(r.TenantID, r.TicketID, r.ApplicationID))
	}
	if err := s.Store.EnqueueJobs(ctx, jobs); err != nil {
		return 0, fmt.Errorf("link.RetryDue: enqueue %d: %w", len(jobs), err)
	}
	return len(jobs), nil
}

// SyncTenants lists the tenants whose tracker connection is enabled, for
// the periodic sync to fan out over.
func (s *Service) SyncTenants(ctx context.Context) ([]string, error) {
	ids, err := s.Store.EnabledTrackerTenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("link.SyncTenants: %w", err)
	}
	return ids, nil
}
