package link

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
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
	CloseWithTicket bool `json:"close_with_ticket"`
	// InProgressLabels are, on a tracker without workflow (GitHub, GitLab,
	// Gitea), the labels that put an open issue in progress, compared
	// case-insensitively; forge.InProgressLabels until an admin saves
	// others, and none at all when saved empty. Jira's status category
	// says it there instead.
	InProgressLabels []string `json:"in_progress_labels"`
	// InProgressWhenAssigned puts an open issue with an assignee in
	// progress on such a tracker too.
	InProgressWhenAssigned bool       `json:"in_progress_when_assigned"`
	UpdatedAt              *time.Time `json:"updated_at,omitempty"`
	UpdatedBy              string     `json:"updated_by,omitempty"`
}

// DefaultSyncSettings are a connection's settings until an admin saves
// others.
func DefaultSyncSettings(connectionID string) SyncSettings {
	return SyncSettings{ConnectionID: connectionID, DeletePolicy: DeleteWins,
		InProgressLabels: slices.Clone(forge.InProgressLabels)}
}

// Limits of the in-progress rule's labels.
const (
	MaxProgressLabels   = 20
	MaxProgressLabelLen = 255 // GitLab's longest label
)

// progress is iss with its status decided by the connection's in-progress
// rule, on a tracker whose issues have no workflow; iss as it is
// elsewhere.
func (st SyncSettings) progress(f tracker.Factory, iss tracker.Issue) tracker.Issue {
	if !f.NoWorkflow {
		return iss
	}
	return forge.Progress(iss, st.InProgressLabels, st.InProgressWhenAssigned)
}

// cleanProgressLabels trims labels and drops empties and repeats (case
// ignored); an error names what breaks the limits.
func cleanProgressLabels(labels []string) ([]string, error) {
	out := []string{}
	for _, l := range labels {
		l = strings.TrimSpace(l)
		if l == "" || slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, l) }) {
			continue
		}
		if utf8.RuneCountInString(l) > MaxProgressLabelLen || strings.ContainsAny(l, ",\r\n") {
			return nil, apperr.E(apperr.Invalid, "in-progress label %q is longer than %d characters or holds a comma or line break",
				forge.Truncate(l, 60), MaxProgressLabelLen)
		}
		out = append(out, l)
	}
	if len(out) > MaxProgressLabels {
		return nil, apperr.E(apperr.Invalid, "at most %d in-progress labels", MaxProgressLabels)
	}
	return out, nil
}

// SyncSettingsStore keeps the settings.
type SyncSettingsStore interface {
	// TrackerSyncSettings returns a connection's settings, the defaults
	// when none were saved.
	TrackerSyncSettings(ctx context.Context, tenantID, connectionID string) (SyncSettings, error)
	SaveTrackerSyncSettings(ctx context.Context, tenantID string, st SyncSettings, ev audit.Event) error
}

// syncSettings returns a connection's sync settings, the defaults on a
// server that keeps none.
func (s *Service) syncSettings(ctx context.Context, tenantID, connectionID string) (SyncSettings, error) {
	ms, ok := s.Hooks.(MirrorStore)
	if !ok {
		return DefaultSyncSettings(connectionID), nil
	}
	st, err := ms.TrackerSyncSettings(ctx, tenantID, connectionID)
	if err != nil {
		return SyncSettings{}, fmt.Errorf("sync settings of %s: %w", connectionID, err)
	}
	return st, nil
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
	if st.InProgressLabels, err = cleanProgressLabels(st.InProgressLabels); err != nil {
		return SyncSettings{}, err
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
