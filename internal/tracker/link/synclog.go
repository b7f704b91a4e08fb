package link

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// The directions of a sync log entry.
const (
	Inbound  = "inbound"
	Outbound = "outbound"
)

// The actions of a sync log entry.
const (
	// SyncUpdate: fields taken from the tracker, or pushed to it.
	SyncUpdate = "update"
	// SyncConflicted: fields changed on both sides, left as they were.
	SyncConflicted = "conflict"
	// SyncDelete: the tracker deleted the issue.
	SyncDelete = "delete"
	// SyncRevive: an update brought a deleted issue back.
	SyncRevive = "revive"
	// SyncEdit: fields edited in VendorSync, queued to be pushed.
	SyncEdit = "edit"
	// SyncResolve: a person settled a conflict.
	SyncResolve = "resolve"
	// SyncFailed: a push failed for good.
	SyncFailed = "failed"
	// SyncSkipped: a change the ticket caused that the tracker cannot
	// take (a due date on GitHub), logged with why and not pushed.
	SyncSkipped = "skipped"
)

// The sources of a sync log entry beyond a webhook delivery's id.
const (
	SourcePoll   = "poll"
	SourceOutbox = "outbox"
	SourceUser   = "user"
	// SourceTicket: caused by a change of the ticket (its effective date).
	SourceTicket = "ticket"
)

// SyncLogEntry is one change of a linked issue, in (from the tracker) or
// out (made here and pushed): which fields, their values before and after,
// and where it came from.
type SyncLogEntry struct {
	ID           string         `json:"id"`
	TenantID     string         `json:"-"`
	LinkID       string         `json:"link_id"`
	ConnectionID string         `json:"connection_id"`
	IssueKey     string         `json:"issue_key"`
	Direction    string         `json:"direction" enum:"inbound,outbound"`
	Action       string         `json:"action" enum:"update,conflict,delete,revive,edit,resolve,failed,skipped"`
	Fields       []string       `json:"fields"`
	Before       map[string]any `json:"before"`
	After        map[string]any `json:"after"`
	Provider     string         `json:"provider"`
	// Source is the webhook delivery's id, "poll", "outbox", "user" or
	// "ticket".
	Source string    `json:"source"`
	At     time.Time `json:"at"`
}

// SyncLogFilter picks log entries: a tenant's, or one link's; Cursor
// continues a listing.
type SyncLogFilter struct {
	LinkID string
	Cursor string
	Limit  int
}

// SyncLogStore lists the sync log.
type SyncLogStore interface {
	// TrackerSyncLog lists entries newest first and the cursor of the
	// next page ("" on the last).
	TrackerSyncLog(ctx context.Context, tenantID string, f SyncLogFilter) ([]SyncLogEntry, string, error)
}

// logEntry is an entry about mirror m's issue.
func logEntry(m Mirror, provider, direction, action, source string, fields []string, before, after map[string]any, at time.Time) SyncLogEntry {
	if before == nil {
		before = map[string]any{}
	}
	if after == nil {
		after = map[string]any{}
	}
	if fields == nil {
		fields = []string{}
	}
	return SyncLogEntry{ID: ident.New(), TenantID: m.TenantID, LinkID: m.LinkID, ConnectionID: m.ConnectionID,
		IssueKey: m.IssueKey, Direction: direction, Action: action, Fields: fields, Before: before, After: after,
		Provider: provider, Source: source, At: at}
}

// SyncLog lists the sync log of a tenant, or of one link, newest first.
func (s *Service) SyncLog(ctx context.Context, p auth.Principal, f SyncLogFilter) ([]SyncLogEntry, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	ls, ok := s.Hooks.(SyncLogStore)
	if !ok {
		return nil, "", nil
	}
	if f.LinkID != "" {
		if _, err := s.Store.TrackerLink(ctx, p.TenantID, f.LinkID); err != nil {
			return nil, "", fmt.Errorf("link.SyncLog %s: %w", f.LinkID, err)
		}
	}
	f.Limit = max(min(f.Limit, 200), 1)
	out, next, err := ls.TrackerSyncLog(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("link.SyncLog: %w", err)
	}
	return out, next, nil
}
