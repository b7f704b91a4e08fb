// Package dashboard is the home page's read model: open tickets by
// severity and status, the SLA countdowns, the upcoming deadlines on a
// timeline, and the health of what runs in the background (tracker links,
// dead letters, mailboxes, notifications). It only reads, with a fixed
// number of queries whatever the number of tickets.
package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// Count is how many tickets have one severity and status.
type Count struct {
	Severity registry.Severity
	Status   ticket.Status
	N        int
}

// Due is an unfinished ticket as the countdown and the timeline show it.
type Due struct {
	Number   int64
	Vendor   string
	Topic    string
	Severity registry.Severity
	Status   ticket.Status
	DueAt    time.Time
}

// Mailbox is a mailbox's health.
type Mailbox struct {
	ID, Name      string
	LastSuccessAt *time.Time
	LastErrorAt   *time.Time
	LastError     string
}

// Health counts what needs an admin's eye.
type Health struct {
	FailedLinks, OrphanLinks int
	DeadLetters              int
	FailedNotifications      int
	Mailboxes                []Mailbox
}

// BadLinks counts tracker links without an issue that need an admin.
func (h Health) BadLinks() int { return h.FailedLinks + h.OrphanLinks }

// Store is what the dashboard reads; every read is scoped to a tenant.
type Store interface {
	// TicketCounts counts the tenant's tickets that are not closed, by
	// severity and status.
	TicketCounts(ctx context.Context, tenantID string) ([]Count, error)
	// DueTickets returns the tenant's open, in-progress and breached
	// tickets due before before (all when zero), soonest first, at most
	// limit.
	DueTickets(ctx context.Context, tenantID string, before time.Time, limit int) ([]Due, error)
	// SLARisk counts the tenant's unfinished tickets that are past their
	// deadline at now (breached, or open and overdue) and those due before
	// atRiskBefore but not yet.
	SLARisk(ctx context.Context, tenantID string, now, atRiskBefore time.Time) (breached, atRisk int, err error)
	// DashboardHealth counts failed and orphaned tracker links, dead
	// letters and notifications failed since since, and lists the active
	// mailboxes.
	DashboardHealth(ctx context.Context, tenantID string, since time.Time) (Health, error)
}

// Service builds dashboards.
type Service struct {
	Store Store
	// Location returns the tenant's time zone (UTC when nil), in which days
	// are counted.
	Location func(ctx context.Context, tenantID string) (*time.Location, error)
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// The dashboard's extents.
const (
	// Countdowns is how many tickets the countdown lists.
	Countdowns = 15
	// TimelineDays is how far ahead the timeline reaches.
	TimelineDays = 60
	// AtRiskDays is the days left at or under which a ticket is at risk
	// (the D-3 threshold).
	AtRiskDays = 3
	// maxMarks bounds the marks on the timeline.
	maxMarks = 500
)

// Get returns the tenant's dashboard as p sees it: the health section only
// for admins who can act on it.
func (s *Service) Get(ctx context.Context, p auth.Principal) (Dashboard, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Dashboard{}, err
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	now = now.UTC()
	loc := time.UTC
	if s.Location != nil {
		l, err := s.Location(ctx, p.TenantID)
		if err != nil {
			return Dashboard{}, fmt.Errorf("dashboard: time zone: %w", err)
		}
		if l != nil {
			loc = l
		}
	}
	counts, err := s.Store.TicketCounts(ctx, p.TenantID)
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	next, err := s.Store.DueTickets(ctx, p.TenantID, time.Time{}, Countdowns)
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	due, err := s.Store.DueTickets(ctx, p.TenantID, now.AddDate(0, 0, TimelineDays), maxMarks)
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	// At risk: due on one of the next AtRiskDays calendar days in the
	// tenant's zone (the D-3 threshold), so before the start of the day after.
	l := now.In(loc)
	riskEnd := time.Date(l.Year(), l.Month(), l.Day()+AtRiskDays+1, 0, 0, 0, 0, loc)
	d := Dashboard{Now: now, Matrix: matrix(counts)}
	if d.Breached, d.AtRisk, err = s.Store.SLARisk(ctx, p.TenantID, now, riskEnd); err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	for _, t := range next {
		d.Countdowns = append(d.Countdowns, countdown(t, now, loc))
	}
	d.Timeline = timeline(due, now, loc)
	if p.Can(auth.PermEditIntegrations) || p.Can(auth.PermManageJobs) {
		h, err := s.Store.DashboardHealth(ctx, p.TenantID, now.Add(-24*time.Hour))
		if err != nil {
			return Dashboard{}, fmt.Errorf("dashboard: %w", err)
		}
		d.Health = &h
	}
	return d, nil
}
