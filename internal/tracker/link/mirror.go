package link

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// MirrorSynced is the sync status of a mirror that matches its issue.
const MirrorSynced = "synced"

// Mirror is the local copy of one linked issue: its canonical fields as the
// tracker last told them, the status VendorSync decides on, and what the
// last sync saw. It is written by webhook deliveries (every field) and by
// the status sync (the status).
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
	// LastSynced is the snapshot of the fields as the last sync saw them.
	LastSynced tracker.IssueFields `json:"last_synced"`
	SyncStatus string              `json:"sync_status"`
	// SyncConflict holds both sides of a field changed on both since the
	// last sync; empty when there is none.
	SyncConflict string `json:"sync_conflict,omitempty"`
}

// MirrorStore is what the mirror needs from storage.
type MirrorStore interface {
	// SaveTrackerMirror writes m unless the stored mirror was changed
	// later by the tracker (its external_updated_at is after m's); false
	// when it was not written for that reason.
	SaveTrackerMirror(ctx context.Context, m Mirror) (bool, error)
	TrackerMirror(ctx context.Context, tenantID, linkID string) (Mirror, error)
}

// mirrorOf is the mirror of link l's issue as iss tells it, at now.
func mirrorOf(l Link, connectionID string, iss tracker.Issue, now time.Time) Mirror {
	m := Mirror{LinkID: l.ID, TenantID: l.TenantID, ConnectionID: connectionID, IssueKey: iss.Key,
		StatusName: iss.StatusName, StatusCategory: iss.StatusCategory, LocalUpdatedAt: now, SyncStatus: MirrorSynced}
	if iss.Fields != nil {
		m.IssueFields, m.LastSynced = *iss.Fields, *iss.Fields
	}
	if !iss.Updated.IsZero() {
		u := iss.Updated.UTC()
		m.ExternalUpdatedAt = &u
	}
	return m
}

// saveMirror writes the mirror of l from iss; false when the stored
// mirror is newer (nothing written, and nothing else may be applied).
func (s *Service) saveMirror(ctx context.Context, l Link, connectionID string, iss tracker.Issue) (bool, error) {
	ms, ok := s.Hooks.(MirrorStore)
	if !ok {
		return true, nil
	}
	fresh, err := ms.SaveTrackerMirror(ctx, mirrorOf(l, connectionID, iss, s.now()))
	if err != nil {
		return false, fmt.Errorf("mirror of %s: %w", iss.Key, err)
	}
	return fresh, nil
}

// Mirror returns the local copy of a link's issue; NotFound until a
// webhook delivery or a status change has filled it.
func (s *Service) Mirror(ctx context.Context, p auth.Principal, linkID string) (Mirror, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Mirror{}, err
	}
	ms, ok := s.Hooks.(MirrorStore)
	if !ok {
		return Mirror{}, apperr.E(apperr.NotFound, "tracker mirror not found")
	}
	m, err := ms.TrackerMirror(ctx, p.TenantID, linkID)
	if err != nil {
		return Mirror{}, fmt.Errorf("link.Mirror %s: %w", linkID, err)
	}
	return m, nil
}
