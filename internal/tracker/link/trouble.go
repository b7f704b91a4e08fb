package link

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Trouble is a tracker link gone wrong, as a fact about a vendor.
type Trouble struct {
	TenantID  string
	LinkID    string
	TicketKey string
	VendorID  string
	// Kind is "orphan", "duplicate" or "conflict".
	Kind string
	At   time.Time
}

// The kinds of trouble.
const (
	TroubleOrphan    = "orphan"
	TroubleDuplicate = "duplicate"
	// TroubleConflict: the issue was changed on both sides since the last
	// sync (see Conflict).
	TroubleConflict = "conflict"
)

// troubleJobs are the jobs of link l falling into trouble of kind,
// committed with the outcome that found it.
func (s *Service) troubleJobs(ctx context.Context, l Link, kind string) ([]jobargs.Args, error) {
	if s.Consequences.Troubled == nil {
		return nil, nil
	}
	t, err := s.Store.TicketByID(ctx, l.TenantID, l.TicketID)
	if err != nil {
		return nil, fmt.Errorf("link %s: ticket: %w", l.ID, err)
	}
	return s.Consequences.Troubled(Trouble{TenantID: l.TenantID, LinkID: l.ID, TicketKey: l.TicketKey, VendorID: t.VendorID,
		Kind: kind, At: s.now()}), nil
}
