package link

import (
	"slices"
	"time"

	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Three-way sync of a linked issue.
//
// A mirror holds three things per canonical field: ours (the value
// VendorSync holds, which a person may have edited), the last-synced
// snapshot (the value both sides agreed on when they last met) and, as
// each delivery or poll arrives, theirs (what the tracker says now). A
// field "changed since the last sync" on a side when that side's value
// differs from the snapshot. This is decided against the snapshot, never by
// comparing when each side changed: the tracker's clock and ours are not
// the same clock (skew, second-granular stamps on some trackers,
// milliseconds on others), a tracker stamps the whole issue and not each
// field, and one edit reaches us several times (Gitea sends one delivery
// per changed field; a webhook and then a poll carry the same state). A
// comparison of values is exact where clocks would guess: a repeat of a
// state already applied equals the snapshot and changes nothing, so it can
// never conflict with itself.
//
// Timestamps keep one job only: a delivery stamped before the one the
// mirror holds (it was delivered late) is not applied at all, so
// out-of-order deliveries never roll a field back.

// The canonical fields, by the names the sync log and conflicts use.
const (
	FieldTitle     = "title"
	FieldBody      = "body"
	FieldState     = "state"
	FieldLabels    = "labels"
	FieldAssignees = "assignees"
	FieldDueDate   = "due_date"
)

// SyncFields are the canonical fields, in the order they are shown.
var SyncFields = []string{FieldTitle, FieldBody, FieldState, FieldLabels, FieldAssignees, FieldDueDate}

// ValidField reports whether name is a canonical field.
func ValidField(name string) bool { return slices.Contains(SyncFields, name) }

// The sync statuses of a mirror.
const (
	// MirrorSynced: both sides hold the same values.
	MirrorSynced = "synced"
	// MirrorPending: VendorSync changed fields that are not pushed yet.
	MirrorPending = "pending"
	// MirrorConflict: a field changed on both sides since the last sync;
	// it keeps our value until someone picks.
	MirrorConflict = "conflict"
	// MirrorDeleted: the issue was deleted at the tracker.
	MirrorDeleted = "deleted"
)

// DeletePolicy says which side wins when an issue deleted on one side was
// changed on the other since the last sync.
type DeletePolicy string

// The delete policies; DeleteWins is the default.
const (
	DeleteWins DeletePolicy = "delete_wins"
	UpdateWins DeletePolicy = "update_wins"
)

// Valid reports whether p is a known policy.
func (p DeletePolicy) Valid() bool { return p == DeleteWins || p == UpdateWins }

// SyncConflict is a linked issue's fields changed on both sides since the
// last sync, with both values: the fields keep ours until a person picks a
// side or writes a value.
type SyncConflict struct {
	// Fields are the fields in conflict, in SyncFields order.
	Fields []string `json:"fields"`
	// Ours and Theirs are the two sides' values; Base what both last agreed.
	Ours   tracker.IssueFields `json:"ours"`
	Theirs tracker.IssueFields `json:"theirs"`
	Base   tracker.IssueFields `json:"base"`
	// Deleted is true when the tracker deleted the issue while VendorSync
	// held changes not pushed yet, and the connection lets updates win.
	Deleted bool      `json:"deleted,omitempty"`
	Since   time.Time `json:"since"`
}

// fieldEqual compares one field of a and b; labels and assignees as sets,
// bodies as tracker.SameBody.
func fieldEqual(a, b tracker.IssueFields, f string) bool {
	switch f {
	case FieldTitle:
		return a.Title == b.Title
	case FieldBody:
		return tracker.SameBody(a.Body, b.Body)
	case FieldState:
		return a.State == b.State
	case FieldLabels:
		return sameSet(a.Labels, b.Labels)
	case FieldAssignees:
		return sameSet(a.Assignees, b.Assignees)
	case FieldDueDate:
		return a.DueDate == b.DueDate
	}
	return true
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// copyField sets field f of dst to src's.
func copyField(dst *tracker.IssueFields, src tracker.IssueFields, f string) {
	switch f {
	case FieldTitle:
		dst.Title = src.Title
	case FieldBody:
		dst.Body = src.Body
	case FieldState:
		dst.State = src.State
	case FieldLabels:
		dst.Labels = slices.Clone(src.Labels)
	case FieldAssignees:
		dst.Assignees = slices.Clone(src.Assignees)
	case FieldDueDate:
		dst.DueDate = src.DueDate
	}
}

// fieldValues are the named fields of x, for the sync log.
func fieldValues(x tracker.IssueFields, fields []string) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		switch f {
		case FieldTitle:
			out[f] = x.Title
		case FieldBody:
			out[f] = x.Body
		case FieldState:
			out[f] = x.State
		case FieldLabels:
			out[f] = nonNil(x.Labels)
		case FieldAssignees:
			out[f] = nonNil(x.Assignees)
		case FieldDueDate:
			out[f] = x.DueDate
		}
	}
	return out
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// changedFields lists the fields where a and b differ.
func changedFields(a, b tracker.IssueFields) []string {
	var out []string
	for _, f := range SyncFields {
		if !fieldEqual(a, b, f) {
			out = append(out, f)
		}
	}
	return out
}

// syncStatus is where a mirror stands after a merge or an edit.
func syncStatus(m Mirror) string {
	switch {
	case m.SyncStatus == MirrorDeleted:
		return MirrorDeleted
	case m.SyncConflict != nil:
		return MirrorConflict
	case len(changedFields(m.IssueFields, m.LastSynced)) > 0:
		return MirrorPending
	}
	return MirrorSynced
}

// merged is the outcome of one inbound state merged into a mirror.
type merged struct {
	next Mirror
	// stale: the state is older than the mirror's; nothing is written.
	stale bool
	// taken are the fields taken from the tracker (changed there only);
	// conflicts the fields changed on both sides to different values.
	taken, conflicts []string
	// newConflict is true when the merge found a conflict (or a conflict
	// field) the mirror did not have: the ticket's owner hears of it.
	newConflict bool
	// deleted is true when the merge marked the issue deleted; revived
	// when an update brought a deleted issue back (UpdateWins).
	deleted, revived bool
}

// mergeInbound merges what the tracker says of an issue (iss: its state,
// or that it was deleted) into the stored mirror cur:
//
//   - a field changed only at the tracker takes the tracker's value
//     (last writer wins) and becomes the snapshot;
//   - a field changed only here keeps ours, to be pushed;
//   - a field changed on both sides to the same value just moves the
//     snapshot;
//   - a field changed on both sides to different values is a conflict:
//     ours stays, both values are kept in SyncConflict;
//   - a deletion at the tracker wins over changes here not pushed yet,
//     unless policy is UpdateWins: then it is a conflict to resolve; an
//     update stamped after a deletion brings the issue back only under
//     UpdateWins.
func mergeInbound(cur Mirror, iss tracker.Issue, policy DeletePolicy, now time.Time) merged {
	deleted := iss.Deleted
	if cur.ExternalUpdatedAt != nil && !iss.Updated.IsZero() && iss.Updated.Before(*cur.ExternalUpdatedAt) {
		return merged{next: cur, stale: true}
	}
	out := merged{next: cur}
	next := &out.next
	next.IssueFields = cloneFields(cur.IssueFields)
	next.LastSynced = cloneFields(cur.LastSynced)
	next.StatusName, next.StatusCategory = iss.StatusName, iss.StatusCategory
	if !iss.Updated.IsZero() {
		u := iss.Updated.UTC()
		next.ExternalUpdatedAt = &u
	}
	if cur.SyncStatus == MirrorDeleted {
		if deleted || policy != UpdateWins {
			return merged{next: cur, stale: true} // the deletion stands
		}
		next.SyncStatus, out.revived = "", true
	}
	if deleted {
		local := cur.SyncConflict != nil || len(changedFields(cur.IssueFields, cur.LastSynced)) > 0
		if local && policy == UpdateWins {
			if cur.SyncConflict == nil || !cur.SyncConflict.Deleted {
				out.newConflict = true
			}
			next.SyncConflict = &SyncConflict{Ours: next.IssueFields, Theirs: next.LastSynced, Base: next.LastSynced,
				Deleted: true, Since: now}
			if cur.SyncConflict != nil {
				next.SyncConflict.Fields, next.SyncConflict.Since = cur.SyncConflict.Fields, cur.SyncConflict.Since
			}
			next.SyncStatus = syncStatus(*next)
			return out
		}
		next.SyncStatus, next.SyncConflict, out.deleted = MirrorDeleted, nil, true
		return out
	}
	if iss.Fields == nil {
		// The tracker told only the status (a status search): no field to
		// merge.
		next.SyncStatus = syncStatus(*next)
		return out
	}
	theirs := *iss.Fields
	var had []string
	if cur.SyncConflict != nil {
		had = cur.SyncConflict.Fields
	}
	var conflicts []string
	for _, f := range SyncFields {
		switch {
		case fieldEqual(theirs, next.LastSynced, f):
			// Unchanged there: ours stands (pushed later if it differs).
		case fieldEqual(next.IssueFields, next.LastSynced, f):
			copyField(&next.IssueFields, theirs, f)
			copyField(&next.LastSynced, theirs, f)
			out.taken = append(out.taken, f)
		case fieldEqual(next.IssueFields, theirs, f):
			copyField(&next.LastSynced, theirs, f)
		default:
			conflicts = append(conflicts, f)
			if !slices.Contains(had, f) {
				out.newConflict = true
			}
		}
	}
	out.conflicts = conflicts
	next.SyncConflict = nil
	if len(conflicts) > 0 {
		since := now
		if cur.SyncConflict != nil && !cur.SyncConflict.Since.IsZero() {
			since = cur.SyncConflict.Since
		}
		next.SyncConflict = &SyncConflict{Fields: conflicts, Ours: cloneFields(next.IssueFields),
			Theirs: cloneFields(theirs), Base: cloneFields(next.LastSynced), Since: since}
	}
	next.SyncStatus = syncStatus(*next)
	return out
}

func cloneFields(f tracker.IssueFields) tracker.IssueFields {
	f.Labels, f.Assignees = slices.Clone(f.Labels), slices.Clone(f.Assignees)
	return f
}
