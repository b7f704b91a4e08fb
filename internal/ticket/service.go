package ticket

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Service holds the ticket rules. Every method takes the calling principal:
// its tenant scopes every read and write, and it is the actor of every
// timeline entry and audit row.
type Service struct {
	Store Store
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Location returns a tenant's time zone, which decides when an effective
	// date ends; nil means UTC for every tenant.
	Location func(ctx context.Context, tenantID string) (*time.Location, error)
	// Consequences are the jobs that creating and moving tickets cause;
	// nil functions cause none.
	Consequences Consequences
}

// Input limits.
const (
	MaxTopic     = 300
	MaxSummary   = 10000
	MaxReasoning = 20000
	MaxDecision  = 256 << 10
	MaxNote      = 10000
	MaxReason    = 2000
	MaxApps      = 100
	MaxRules     = 100
	MaxSLADays   = 3650
	maxShort     = 200
)

// now returns UTC time truncated to microseconds, which both engines store
// exactly.
func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// location returns the tenant's time zone.
func (s *Service) location(ctx context.Context, tenantID string) (*time.Location, error) {
	if s.Location == nil {
		return time.UTC, nil
	}
	loc, err := s.Location(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("time zone of tenant %s: %w", tenantID, err)
	}
	return orUTC(loc), nil
}

// TenantLocation returns the principal's tenant's time zone, for showing
// due dates and countdowns.
func (s *Service) TenantLocation(ctx context.Context, p auth.Principal) (*time.Location, error) {
	return s.location(ctx, p.TenantID)
}

// actorID is who the ticket records as having moved it: the user or key id,
// or "system" for workers.
func actorID(p auth.Principal) string {
	if p.UserID == "" {
		return "system"
	}
	return p.UserID
}

// Get returns the ticket with a number in the principal's tenant, with its
// applications.
func (s *Service) Get(ctx context.Context, p auth.Principal, number int64) (Ticket, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Ticket{}, err
	}
	t, err := s.Store.TicketByNumber(ctx, p.TenantID, number)
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket.Get %s: %w", Key(number), err)
	}
	return t, nil
}

// ByID returns a ticket by its id, as other records (source emails, tracker
// links) refer to it.
func (s *Service) ByID(ctx context.Context, p auth.Principal, id string) (Ticket, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Ticket{}, err
	}
	t, err := s.Store.TicketByID(ctx, p.TenantID, id)
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket.ByID %s: %w", id, err)
	}
	return t, nil
}

// List pages through the tenant's tickets, soonest due first.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Ticket, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	var v apperr.Validation
	f.Query = strings.TrimSpace(f.Query)
	v.Check(utf8.RuneCountInString(f.Query) <= maxShort, "q", "must be at most %d characters", maxShort)
	v.Check(f.Status == "" || f.Status.Valid(), "status", "must be one of open, in_progress, resolved, closed, breached")
	v.Check(f.Severity == "" || f.Severity.Valid(), "severity", "must be one of critical, high, medium, low")
	v.Check(len(f.VendorID) <= maxShort, "vendor_id", "is not an id")
	v.Check(len(f.OwnerTeamID) <= maxShort, "team", "is not an id")
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	out, next, err := s.Store.ListTickets(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("ticket.List: %w", err)
	}
	return out, next, nil
}

// Events returns the ticket's timeline, oldest first.
func (s *Service) Events(ctx context.Context, p auth.Principal, t Ticket) ([]TicketEvent, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	evs, err := s.Store.TicketEvents(ctx, p.TenantID, t.ID)
	if err != nil {
		return nil, fmt.Errorf("ticket.Events %s: %w", t.Key(), err)
	}
	return evs, nil
}
