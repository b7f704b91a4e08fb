package link

import (
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// TicketIssues is what re-evaluating a ticket needs to know about its
// issues and its other applications.
type TicketIssues struct {
	Status ticket.Status
	// Categories are the status categories of the ticket's created issues.
	Categories []tracker.StatusCategory
	// TrackerApps counts its applications that use a tracker; more than
	// len(Categories) means some issue does not exist yet.
	TrackerApps int
	// OpenManualApps counts its applications without a tracker that are
	// not marked complete.
	OpenManualApps int
}

// Target is where a ticket's issues move it, "" for nowhere:
//
//   - every issue done and every application without a tracker complete:
//     resolved (from open too; Steps records open → in_progress → resolved);
//   - otherwise, an open ticket with an issue in progress or done:
//     in_progress (work has started);
//   - a resolved ticket whose issues are no longer all done: back to
//     in_progress.
//
// Closed and breached tickets never move with their issues.
func Target(ti TicketIssues) ticket.Status {
	allDone := len(ti.Categories) > 0 && len(ti.Categories) >= ti.TrackerApps
	started := false
	for _, c := range ti.Categories {
		if c != tracker.Done {
			allDone = false
		}
		if c == tracker.InProgress || c == tracker.Done {
			started = true
		}
	}
	resolvable := allDone && ti.OpenManualApps == 0
	switch ti.Status {
	case ticket.Open:
		if resolvable {
			return ticket.Resolved
		}
		if started {
			return ticket.InProgress
		}
	case ticket.InProgress:
		if resolvable {
			return ticket.Resolved
		}
	case ticket.Resolved:
		if !allDone {
			return ticket.InProgress
		}
	}
	return ""
}
