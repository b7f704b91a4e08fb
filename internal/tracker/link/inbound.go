package link

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// mergeAttempts bounds how often a merge is read and computed again when
// another write of the same mirror came between its read and its write.
const mergeAttempts = 8

// Conflict is a linked issue whose fields changed on both sides since the
// last sync, as a fact its ticket's owner hears of and that counts against
// the vendor.
type Conflict struct {
	TenantID  string
	LinkID    string
	TicketID  string
	TicketKey string
	VendorID  string
	IssueKey  string
	Fields    []string
	// Deleted is true when the tracker deleted the issue while changes
	// made here were not pushed yet.
	Deleted bool
	At      time.Time
}

// applyInbound merges what the tracker says of l's issue into its mirror
// (see mergeInbound; settings are its connection's), with its sync log entries and, for a new conflict,
// what the conflict causes, in one write. Webhook deliveries and polls
// both come through here, so a state seen twice (several deliveries of
// one edit, a delivery and then a poll) merges the same way each time. It
// returns false when nothing may drive the ticket: the state was older
// than the mirror's, or the issue is deleted.
func (s *Service) applyInbound(ctx context.Context, l Link, c Connection, settings SyncSettings, iss tracker.Issue, source string) (bool, error) {
	ms, ok := s.Hooks.(MirrorStore)
	if !ok {
		return true, nil
	}
	now := s.now()
	in := mirrorOf(l, c.ID, iss, now)
	for range mergeAttempts {
		cur, err := ms.TrackerMirror(ctx, l.TenantID, l.ID)
		exists := err == nil
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return false, fmt.Errorf("mirror of %s: %w", iss.Key, err)
		}
		var m merged
		if exists {
			m = mergeInbound(cur, iss, settings.DeletePolicy, now)
		} else {
			m = merged{next: in, taken: changedFields(tracker.IssueFields{}, in.IssueFields)}
			if iss.Deleted {
				m.next.SyncStatus, m.deleted, m.taken = MirrorDeleted, true, nil
			}
		}
		if m.stale {
			return false, nil
		}
		w := MirrorWrite{Mirror: m.next, Create: !exists, Revision: cur.Revision, At: now, SettleOutbox: m.deleted}
		w.Log = inboundLog(cur, m, c.Provider, source, now)
		if m.newConflict {
			if w.Jobs, err = s.conflictJobs(ctx, l, m.next, now); err != nil {
				return false, err
			}
		}
		err = ms.WriteTrackerMirror(ctx, w)
		if apperr.Is(err, apperr.Conflict) {
			continue // written meanwhile: merge with what is there now
		}
		if err != nil {
			return false, fmt.Errorf("mirror of %s: %w", iss.Key, err)
		}
		return m.next.SyncStatus != MirrorDeleted, nil
	}
	return false, apperr.E(apperr.Unavailable, "the mirror of %s kept changing; the merge is retried later", iss.Key)
}

// inboundLog are the sync log entries of a merge.
func inboundLog(cur Mirror, m merged, provider, source string, now time.Time) []SyncLogEntry {
	var out []SyncLogEntry
	entry := func(action string, fields []string, before, after map[string]any) {
		out = append(out, logEntry(m.next, provider, Inbound, action, source, fields, before, after, now))
	}
	if m.revived {
		entry(SyncRevive, nil, nil, nil)
	}
	if len(m.taken) > 0 {
		entry(SyncUpdate, m.taken, fieldValues(cur.IssueFields, m.taken), fieldValues(m.next.IssueFields, m.taken))
	}
	if c := m.next.SyncConflict; c != nil && m.newConflict {
		entry(SyncConflicted, c.Fields, fieldValues(c.Ours, c.Fields), fieldValues(c.Theirs, c.Fields))
	}
	if m.deleted {
		entry(SyncDelete, nil, nil, nil)
	}
	return out
}

// conflictJobs are the jobs of a new conflict on link l: its ticket's
// owner is told, and the vendor's score counts it.
func (s *Service) conflictJobs(ctx context.Context, l Link, m Mirror, now time.Time) ([]jobargs.Args, error) {
	if s.Consequences.Conflicted == nil {
		return nil, nil
	}
	t, err := s.Store.TicketByID(ctx, l.TenantID, l.TicketID)
	if err != nil {
		return nil, fmt.Errorf("link %s: ticket: %w", l.ID, err)
	}
	c := Conflict{TenantID: l.TenantID, LinkID: l.ID, TicketID: l.TicketID, TicketKey: l.TicketKey, VendorID: t.VendorID,
		IssueKey: m.IssueKey, At: now}
	if m.SyncConflict != nil {
		c.Fields, c.Deleted = m.SyncConflict.Fields, m.SyncConflict.Deleted
	}
	return s.Consequences.Conflicted(c), nil
}
