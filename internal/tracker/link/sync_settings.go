package link

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// SyncSettings are how a connection's issues are kept in step beyond the
// field rules.
type SyncSettings struct {
	ConnectionID string `json:"connection_id"`
	// DeletePolicy says which side wins when an issue deleted on one side
	// was changed on the other since the last sync.
	DeletePolicy DeletePolicy `json:"delete_policy" enum:"delete_wins,update_wins"`
	// CloseWithTicket closes a ticket's issues at the tracker when the
	// ticket is closed; off by default (the team owns its issue).
	CloseWithTicket bool       `json:"close_with_ticket"`
	UpdatedAt       *time.Time `json:"updated_at,omitempty"`
	UpdatedBy       string     `json:"updated_by,omitempty"`
}

// DefaultSyncSettings are a connection's settings until an admin saves
// others.
func DefaultSyncSettings(connectionID string) SyncSettings {
	return SyncSettings{ConnectionID: connectionID, DeletePolicy: DeleteWins}
}

// SyncSettingsStore keeps the settings.
type SyncSettingsStore interface {
	// TrackerSyncSettings returns a connection's settings, the defaults
	// when none were saved.
	TrackerSyncSettings(ctx context.Context, tenantID, connectionID string) (SyncSettings, error)
	SaveTrackerSyncSettings(ctx context.Context, tenantID string, st SyncSettings, ev audit.Event) error
}

// SyncSettings returns a connection's sync settings.
func (s *Service) SyncSettings(ctx context.Context, p auth.Principal, connectionID string) (SyncSettings, error) {
	c, err := s.ConnectionByID(ctx, p, connectionID)
	if err != nil {
		return SyncSettings{}, err
	}
	ms, ok := s.Hooks.(MirrorStore)
	if !ok {
		return DefaultSyncSettings(c.ID), nil
	}
	st, err := ms.TrackerSyncSettings(ctx, p.TenantID, c.ID)
	if err != nil {
		return SyncSettings{}, fmt.Errorf("link.SyncSettings %s: %w", c.ID, err)
	}
	return st, nil
}

// SaveSyncSettings stores a connection's sync settings.
func (s *Service) SaveSyncSettings(ctx context.Context, p auth.Principal, st SyncSettings) (SyncSettings, error) {
	c, err := s.ConnectionByID(ctx, p, st.ConnectionID)
	if err != nil {
		return SyncSettings{}, err
	}
	if st.DeletePolicy == "" {
		st.DeletePolicy = DeleteWins
	}
	if !st.DeletePolicy.Valid() {
		return SyncSettings{}, apperr.E(apperr.Invalid, "delete policy must be delete_wins or update_wins")
	}
	ms, ok := s.Hooks.(MirrorStore)
	if !ok {
		return SyncSettings{}, apperr.E(apperr.Unavailable, "tracker sync is not set up on this server")
	}
	before, err := ms.TrackerSyncSettings(ctx, p.TenantID, c.ID)
	if err != nil {
		return SyncSettings{}, fmt.Errorf("link.SaveSyncSettings %s: %w", c.ID, err)
	}
	now := s.now()
	st.ConnectionID, st.UpdatedAt, st.UpdatedBy = c.ID, &now, p.Label
	ev := audit.Record(p, "tracker.sync_settings", "tracker_connection", c.ID, before, st)
	if err := ms.SaveTrackerSyncSettings(ctx, p.TenantID, st, ev); err != nil {
		return SyncSettings{}, fmt.Errorf("link.SaveSyncSettings %s: %w", c.ID, err)
	}
	return st, nil
}
