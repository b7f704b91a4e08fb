package link

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// OutboxItem is a change made in VendorSync to a linked issue, waiting to
// be pushed to its tracker.
type OutboxItem struct {
	ID           string              `json:"id"`
	TenantID     string              `json:"-"`
	LinkID       string              `json:"link_id"`
	ConnectionID string              `json:"connection_id"`
	IssueKey     string              `json:"issue_key,omitempty"`
	Fields       []string            `json:"fields"`
	Change       tracker.IssueFields `json:"change"`
	Reason       string              `json:"reason,omitempty"`
	Status       string              `json:"status" enum:"pending,pushed,failed,cancelled"`
	Attempts     int                 `json:"attempts"`
	NextAttempt  time.Time           `json:"next_attempt_at"`
	LastError    string              `json:"last_error,omitempty"`
	CreatedBy    string              `json:"created_by,omitempty"`
	CreatedAt    time.Time           `json:"created_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
	PushedAt     *time.Time          `json:"pushed_at,omitempty"`
}

// The statuses of an outbox row.
const (
	OutboxPending   = "pending"
	OutboxPushed    = "pushed"
	OutboxFailed    = "failed"
	OutboxCancelled = "cancelled"
)

// MaxPushAttempts is how many pushes of a change fail before it is
// failed: it then waits for an admin to retry it.
const MaxPushAttempts = 5

// PushBackoff is how long after its nth failed attempt a change is pushed
// again: 2^n minutes.
func PushBackoff(n int) time.Duration { return time.Duration(1<<min(max(n, 0), 20)) * time.Minute }

// OutboxFilter picks outbox rows: by status and link; Cursor continues.
type OutboxFilter struct {
	Status string
	LinkID string
	Cursor string
	Limit  int
}

// OutboxStore is what the outbox needs from storage.
type OutboxStore interface {
	// DueTrackerOutbox lists a link's pending rows due at now, oldest
	// first.
	DueTrackerOutbox(ctx context.Context, tenantID, linkID string, now time.Time) ([]OutboxItem, error)
	// FinishTrackerPush records a push attempt in one transaction: the
	// rows as they now stand and, when w is set, the mirror write;
	// apperr.Conflict (nothing written) when the mirror changed since w
	// was computed.
	FinishTrackerPush(ctx context.Context, rows []OutboxItem, w *MirrorWrite, evs []audit.Event, jobs []jobargs.Args) error
	// TrackerOutbox lists rows newest first, with the next page's cursor.
	TrackerOutbox(ctx context.Context, tenantID string, f OutboxFilter) ([]OutboxItem, string, error)
	// RetryTrackerOutbox puts a link's failed rows back to pending
	// (attempts reset, due at at) with ev and job, and returns them; none
	// when it had no failed row (nothing written).
	RetryTrackerOutbox(ctx context.Context, tenantID, linkID string, at time.Time, ev audit.Event, job jobargs.Args) ([]OutboxItem, error)
	// DueTrackerPushes lists the links of every tenant with a pending row
	// due at now, as push jobs.
	DueTrackerPushes(ctx context.Context, now time.Time) ([]jobargs.TrackerPush, error)
}

func (s *Service) outbox() (OutboxStore, MirrorStore, error) {
	os, ok := s.Hooks.(OutboxStore)
	ms, ok2 := s.Hooks.(MirrorStore)
	if !ok || !ok2 {
		return nil, nil, apperr.E(apperr.Unavailable, "tracker sync is not set up on this server")
	}
	return os, ms, nil
}

// PushResult is what one push of a link's outbox did.
type PushResult struct {
	// Rows are the outbox rows the push settled or retried.
	Rows int
	// Fields are the fields sent to the tracker.
	Fields []string
	// LastError is why the push failed; empty when it did not.
	LastError string
}

// PushOutbox pushes a link's due outbox changes to its tracker in one
// update of the fields whose value here differs from the last-synced
// snapshot (a field in conflict waits for its resolution). A failed push
// is tried again after PushBackoff(attempts), and fails for good after
// MaxPushAttempts (the admins are told). After a push the snapshot takes
// the values sent, so when the tracker's own report of the change comes
// back — by webhook or by poll — it equals the snapshot and is not taken
// for a change made there: VendorSync's writes never echo back. The
// tracker's answer (the issue as it stands after the write) is merged in
// at once, so a change made there meanwhile is not lost behind the
// write's newer stamp.
func (s *Service) PushOutbox(ctx context.Context, tenantID, linkID string) (PushResult, error) {
	os, ms, err := s.outbox()
	if err != nil {
		return PushResult{}, err
	}
	now := s.now()
	rows, err := os.DueTrackerOutbox(ctx, tenantID, linkID, now)
	if err != nil || len(rows) == 0 {
		return PushResult{}, err
	}
	res := PushResult{Rows: len(rows)}
	cur, err := ms.TrackerMirror(ctx, tenantID, linkID)
	if err != nil {
		return res, fmt.Errorf("link.PushOutbox %s: %w", linkID, err)
	}
	if cur.SyncStatus == MirrorDeleted {
		return res, os.FinishTrackerPush(ctx, settled(rows, OutboxCancelled, "the issue was deleted in its tracker", now), nil, nil, nil)
	}
	l, err := s.Store.TrackerLink(ctx, tenantID, linkID)
	if err != nil {
		return res, fmt.Errorf("link.PushOutbox %s: %w", linkID, err)
	}
	cl, perr := s.provider(ctx, tenantID, cur.ConnectionID)
	res.Fields = pushFields(rows, cur, cl.kind)
	if len(res.Fields) == 0 {
		// Settled meanwhile (the tracker got the same value, or the field
		// went into conflict and waits for its resolution).
		return res, os.FinishTrackerPush(ctx, settled(rows, OutboxPushed, "", now), nil, nil, nil)
	}
	var iss tracker.Issue
	if perr == nil {
		upd, ok := cl.tracker.(tracker.FieldUpdater)
		if !ok {
			perr = apperr.E(apperr.Invalid, "the %s connection cannot update issues", cl.kind.Name)
		} else {
			iss, perr = upd.UpdateFields(ctx, cur.IssueKey, res.Fields, cur.IssueFields)
		}
	}
	if perr != nil {
		res.LastError = oneLine(apperr.MessageOf(perr))
		if res.LastError == "" {
			res.LastError = oneLine(perr.Error())
		}
		return res, s.pushFailed(ctx, os, l, cur, rows, res, now)
	}
	sent := cloneFields(cur.IssueFields)
	for range mergeAttempts {
		w, err := s.pushedWrite(ctx, ms, l, cl.conn, res.Fields, sent, iss, now)
		if err != nil {
			return res, err
		}
		err = os.FinishTrackerPush(ctx, settled(rows, OutboxPushed, "", now), &w, nil, nil)
		if !apperr.Is(err, apperr.Conflict) {
			return res, err
		}
	}
	return res, apperr.E(apperr.Unavailable, "the mirror of %s kept changing while its push was recorded", cur.IssueKey)
}

// pushFields are the fields of rows to send: those whose value here still
// differs from the snapshot, not in conflict, that the tracker has.
func pushFields(rows []OutboxItem, m Mirror, f tracker.Factory) []string {
	var out []string
	for _, name := range changedFields(m.LastSynced, m.IssueFields) {
		wanted := slices.ContainsFunc(rows, func(o OutboxItem) bool { return slices.Contains(o.Fields, name) })
		conflicted := m.SyncConflict != nil && slices.Contains(m.SyncConflict.Fields, name)
		if wanted && !conflicted && !(name == FieldDueDate && f.NoDueDates) {
			out = append(out, name)
		}
	}
	return out
}

// settled are rows ending (or retried) with status at now.
func settled(rows []OutboxItem, status, lastError string, now time.Time) []OutboxItem {
	out := slices.Clone(rows)
	for i := range out {
		out[i].Status, out[i].LastError, out[i].UpdatedAt = status, lastError, now
		out[i].Attempts++
		if status == OutboxPushed {
			out[i].PushedAt = &now
		}
	}
	return out
}

// pushedWrite is the mirror write after fields were sent with values
// sent: the snapshot takes them (the tracker holds them now; a conflict on
// them ends, the tracker having taken ours), then the tracker's answer is
// merged in as any inbound state is.
func (s *Service) pushedWrite(ctx context.Context, ms MirrorStore, l Link, c Connection, fields []string, sent tracker.IssueFields,
	iss tracker.Issue, now time.Time,
) (MirrorWrite, error) {
	cur, err := ms.TrackerMirror(ctx, l.TenantID, l.ID)
	if err != nil {
		return MirrorWrite{}, fmt.Errorf("mirror of link %s: %w", l.ID, err)
	}
	next := cur
	next.LastSynced = cloneFields(cur.LastSynced)
	for _, f := range fields {
		copyField(&next.LastSynced, sent, f)
	}
	if c := cur.SyncConflict; c != nil {
		rest := slices.DeleteFunc(slices.Clone(c.Fields), func(f string) bool { return slices.Contains(fields, f) })
		next.SyncConflict = nil
		if len(rest) > 0 || c.Deleted {
			nc := *c
			nc.Fields = rest
			next.SyncConflict = &nc
		}
	}
	next.SyncStatus = syncStatus(next)
	w := MirrorWrite{Revision: cur.Revision, At: now}
	w.Log = []SyncLogEntry{logEntry(next, c.Provider, Outbound, SyncUpdate, SourceOutbox, fields,
		fieldValues(cur.LastSynced, fields), fieldValues(sent, fields), now)}
	m := merged{next: next}
	if iss.Fields != nil {
		settings, err := ms.TrackerSyncSettings(ctx, l.TenantID, c.ID)
		if err != nil {
			return MirrorWrite{}, fmt.Errorf("sync settings of %s: %w", c.ID, err)
		}
		if f, ok := s.Providers.Lookup(c.Kind); ok {
			iss = settings.progress(f, iss)
		}
		if m = mergeInbound(next, iss, settings.DeletePolicy, now); m.stale {
			m = merged{next: next}
		}
		w.Log = append(w.Log, inboundLog(next, m, c.Provider, SourceOutbox, now)...)
		if m.newConflict {
			if w.Jobs, err = s.conflictJobs(ctx, l, m.next, now); err != nil {
				return MirrorWrite{}, err
			}
		}
	}
	w.Mirror = m.next
	return w, nil
}

// pushFailed records a failed push: each row is tried again after its
// backoff, or fails for good after MaxPushAttempts, which the admins hear
// of and the sync log records.
func (s *Service) pushFailed(ctx context.Context, os OutboxStore, l Link, m Mirror, rows []OutboxItem, res PushResult, now time.Time) error {
	out := settled(rows, OutboxPending, res.LastError, now)
	var failed []string
	for i := range out {
		out[i].NextAttempt = now.Add(PushBackoff(out[i].Attempts))
		if out[i].Attempts >= MaxPushAttempts {
			out[i].Status = OutboxFailed
			failed = append(failed, out[i].Fields...)
		}
	}
	if len(failed) == 0 {
		return os.FinishTrackerPush(ctx, out, nil, nil, nil)
	}
	slices.Sort(failed)
	failed = slices.Compact(failed)
	a := Alert{Kind: "push_failed", TicketID: l.TicketID, LinkID: l.ID,
		Subject: "A change to " + m.IssueKey + " could not be pushed",
		Message: fmt.Sprintf("%s of %s (%s) failed %d times: %s. Retry it from the tracker outbox once the cause is fixed.",
			joinFields(failed), m.IssueKey, l.TicketKey, MaxPushAttempts, res.LastError)}
	w := MirrorWrite{Mirror: m, Revision: m.Revision, At: now, Log: []SyncLogEntry{logEntry(m, l.Provider, Outbound, SyncFailed,
		SourceOutbox, failed, nil, map[string]any{"error": res.LastError}, now)}}
	evs := []audit.Event{alertEvent(l.TenantID, "tracker_link", l.ID, a)}
	err := os.FinishTrackerPush(ctx, out, &w, evs, s.alertJobs(ctx, l.TenantID, a))
	if apperr.Is(err, apperr.Conflict) {
		// The mirror moved meanwhile: the rows' outcome is what matters.
		err = os.FinishTrackerPush(ctx, out, nil, evs, s.alertJobs(ctx, l.TenantID, a))
	}
	return err
}

func joinFields(fs []string) string {
	switch len(fs) {
	case 0:
		return "A change"
	case 1:
		return "The " + fs[0] + " change"
	}
	return "The changes of " + fmt.Sprint(fs)
}

// Outbox lists the tenant's outbox rows, newest first.
func (s *Service) Outbox(ctx context.Context, p auth.Principal, f OutboxFilter) ([]OutboxItem, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	os, _, err := s.outbox()
	if err != nil {
		return nil, "", err
	}
	if f.Status != "" && !slices.Contains([]string{OutboxPending, OutboxPushed, OutboxFailed, OutboxCancelled}, f.Status) {
		return nil, "", apperr.E(apperr.Invalid, "status must be pending, pushed, failed or cancelled")
	}
	out, next, err := os.TrackerOutbox(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("link.Outbox: %w", err)
	}
	return out, next, nil
}

// RetryPush puts a link's failed outbox changes back to be pushed now, as
// an admin asks once the cause is fixed; Conflict when none failed.
func (s *Service) RetryPush(ctx context.Context, p auth.Principal, linkID string) ([]OutboxItem, error) {
	if err := requireEdit(p); err != nil {
		return nil, err
	}
	os, _, err := s.outbox()
	if err != nil {
		return nil, err
	}
	l, err := s.Store.TrackerLink(ctx, p.TenantID, linkID)
	if err != nil {
		return nil, fmt.Errorf("link.RetryPush %s: %w", linkID, err)
	}
	ev := audit.Record(p, "tracker.outbox.retry", "tracker_link", l.ID, map[string]any{"status": OutboxFailed},
		map[string]any{"status": OutboxPending})
	out, err := os.RetryTrackerOutbox(ctx, p.TenantID, l.ID, s.now(), ev, jobargs.TrackerPush{Tenant: jobargs.For(l.TenantID), LinkID: l.ID})
	if err != nil {
		return nil, fmt.Errorf("link.RetryPush %s: %w", linkID, err)
	}
	if len(out) == 0 {
		return nil, apperr.E(apperr.Conflict, "the issue has no failed change to push")
	}
	return out, nil
}

// PushDue enqueues a push of every link with a change due, for the
// periodic sweep: retries whose backoff ran out, and changes whose job was
// lost.
func (s *Service) PushDue(ctx context.Context) (int, error) {
	os, _, err := s.outbox()
	if err != nil {
		return 0, err
	}
	due, err := os.DueTrackerPushes(ctx, s.now())
	if err != nil {
		return 0, fmt.Errorf("link.PushDue: %w", err)
	}
	jobs := make([]jobargs.Args, 0, len(due))
	for _, d := range due {
		jobs = append(jobs, d)
	}
	if err := s.Store.EnqueueJobs(ctx, jobs); err != nil {
		return 0, fmt.Errorf("link.PushDue: %w", err)
	}
	return len(jobs), nil
}
