package link

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Mirror is the local copy of one linked issue: its canonical fields as
// VendorSync holds them (the tracker's, merged with edits made here), the
// status VendorSync decides on, and the snapshot of the last sync that
// the three-way merge decides against (see merge.go). It is written by
// webhook deliveries and polls (every field), the status sync (the
// status), edits and pushes.
type Mirror struct {
	LinkID       string `json:"link_id"`
	TenantID     string `json:"-"`
	ConnectionID string `json:"connection_id"`
	IssueKey     string `json:"issue_key"`
	tracker.IssueFields
	StatusName     string                 `json:"status_name"`
	StatusCategory tracker.StatusCategory `json:"status_category" enum:"to_do,in_progress,done,unknown"`
	// ExternalUpdatedAt is when the tracker last changed the issue, as it
	// said; an answer older than this is not applied, so deliveries that
	// arrive out of order never roll a field back.
	ExternalUpdatedAt *time.Time `json:"external_updated_at,omitempty"`
	// LocalUpdatedAt is when VendorSync last changed its copy.
	LocalUpdatedAt time.Time `json:"local_updated_at"`
	// LastSynced is the snapshot of the fields as both sides last agreed.
	LastSynced tracker.IssueFields `json:"last_synced"`
	SyncStatus string              `json:"sync_status" enum:"synced,pending,conflict,deleted"`
	// SyncConflict holds both sides of the fields changed on both since
	// the last sync; nil when there is none.
	SyncConflict *SyncConflict `json:"sync_conflict,omitempty"`
	// Revision counts the mirror's writes: a write based on an older read
	// is refused and merged again.
	Revision int64 `json:"revision"`
}

// MirrorWrite is one change of a mirror with what it causes, committed
// together.
type MirrorWrite struct {
	Mirror Mirror
	// Create is true when no mirror was stored; otherwise the write
	// applies only while the stored one is at Revision.
	Create   bool
	Revision int64
	// At is when the write is made.
	At     time.Time
	Log    []SyncLogEntry
	Events []audit.Event
	Jobs   []jobargs.Args
	// Outbox is queued for pushing with the write.
	Outbox []OutboxItem
	// SettleOutbox ends the link's queued pushes (status cancelled) whose
	// changes the write makes moot: the issue was deleted.
	SettleOutbox bool
}

// MirrorStore is what the mirror needs from storage.
type MirrorStore interface {
	SyncSettingsStore
	TrackerMirror(ctx context.Context, tenantID, linkID string) (Mirror, error)
	// WriteTrackerMirror commits w; apperr.Conflict when the stored
	// mirror is no longer at w.Revision (or exists when w.Create).
	WriteTrackerMirror(ctx context.Context, w MirrorWrite) error
	// TrackerMirrors lists the mirrors of a ticket's links.
	TrackerMirrors(ctx context.Context, tenantID, ticketID string) ([]Mirror, error)
	// TrackerConflicts lists a tenant's mirrors in conflict, oldest
	// conflict first.
	TrackerConflicts(ctx context.Context, tenantID string, limit int) ([]Mirror, error)
}

// mirrorOf is the mirror of link l's issue as iss tells it, at now.
func mirrorOf(l Link, connectionID string, iss tracker.Issue, now time.Time) Mirror {
	m := Mirror{LinkID: l.ID, TenantID: l.TenantID, ConnectionID: connectionID, IssueKey: iss.Key,
		StatusName: iss.StatusName, StatusCategory: iss.StatusCategory, LocalUpdatedAt: now, SyncStatus: MirrorSynced}
	if iss.Fields != nil {
		m.IssueFields, m.LastSynced = cloneFields(*iss.Fields), cloneFields(*iss.Fields)
	}
	if !iss.Updated.IsZero() {
		u := iss.Updated.UTC()
		m.ExternalUpdatedAt = &u
	}
	return m
}

func (s *Service) mirrors() (MirrorStore, error) {
	ms, ok := s.Hooks.(MirrorStore)
	if !ok {
		return nil, apperr.E(apperr.NotFound, "tracker mirror not found")
	}
	return ms, nil
}

// Mirror returns the local copy of a link's issue; NotFound until a
// webhook delivery, a poll or a status change has filled it.
func (s *Service) Mirror(ctx context.Context, p auth.Principal, linkID string) (Mirror, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Mirror{}, err
	}
	ms, err := s.mirrors()
	if err != nil {
		return Mirror{}, err
	}
	m, err := ms.TrackerMirror(ctx, p.TenantID, linkID)
	if err != nil {
		return Mirror{}, fmt.Errorf("link.Mirror %s: %w", linkID, err)
	}
	return m, nil
}

// TicketMirrors lists the mirrors of a ticket's linked issues.
func (s *Service) TicketMirrors(ctx context.Context, p auth.Principal, ticketID string) ([]Mirror, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	ms, err := s.mirrors()
	if err != nil {
		return nil, err
	}
	out, err := ms.TrackerMirrors(ctx, p.TenantID, ticketID)
	if err != nil {
		return nil, fmt.Errorf("link.TicketMirrors %s: %w", ticketID, err)
	}
	return out, nil
}

// Conflicts lists the tenant's linked issues in conflict, oldest first.
func (s *Service) Conflicts(ctx context.Context, p auth.Principal, limit int) ([]Mirror, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	ms, err := s.mirrors()
	if err != nil {
		return nil, err
	}
	out, err := ms.TrackerConflicts(ctx, p.TenantID, max(min(limit, 500), 1))
	if err != nil {
		return nil, fmt.Errorf("link.Conflicts: %w", err)
	}
	return out, nil
}

// LinkByID returns one of the tenant's links, for pages about it.
func (s *Service) LinkByID(ctx context.Context, p auth.Principal, id string) (Link, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Link{}, err
	}
	l, err := s.Store.TrackerLink(ctx, p.TenantID, id)
	if err != nil {
		return Link{}, fmt.Errorf("link.LinkByID %s: %w", id, err)
	}
	return l, nil
}
