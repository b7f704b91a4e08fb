package link_test

import (
	"testing"

	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

func TestTarget(t *testing.T) {
	const (
		todo = tracker.ToDo
		prog = tracker.InProgress
		done = tracker.Done
		unkn = tracker.Unknown
	)
	cats := func(cs ...tracker.StatusCategory) []tracker.StatusCategory { return cs }
	cases := []struct {
		name string
		in   link.TicketIssues
		want ticket.Status
	}{
		{"open, all to do", link.TicketIssues{Status: ticket.Open, Categories: cats(todo, todo), TrackerApps: 2}, ""},
		{"open, one in progress", link.TicketIssues{Status: ticket.Open, Categories: cats(todo, prog), TrackerApps: 2}, ticket.InProgress},
		{"open, one done, one to do", link.TicketIssues{Status: ticket.Open, Categories: cats(done, todo), TrackerApps: 2}, ticket.InProgress},
		{"open, all done", link.TicketIssues{Status: ticket.Open, Categories: cats(done, done), TrackerApps: 2}, ticket.Resolved},
		{"open, all done, manual app open", link.TicketIssues{Status: ticket.Open, Categories: cats(done), TrackerApps: 1, OpenManualApps: 1}, ticket.InProgress},
		{"open, done but an issue not created", link.TicketIssues{Status: ticket.Open, Categories: cats(done), TrackerApps: 2}, ticket.InProgress},
		{"in progress, all done", link.TicketIssues{Status: ticket.InProgress, Categories: cats(done, done), TrackerApps: 2}, ticket.Resolved},
		{"in progress, all done, manual app open", link.TicketIssues{Status: ticket.InProgress, Categories: cats(done), TrackerApps: 1, OpenManualApps: 2}, ""},
		{"in progress, back to to do", link.TicketIssues{Status: ticket.InProgress, Categories: cats(todo), TrackerApps: 1}, ""},
		{"resolved, all done", link.TicketIssues{Status: ticket.Resolved, Categories: cats(done), TrackerApps: 1}, ""},
		{"resolved, one reopened", link.TicketIssues{Status: ticket.Resolved, Categories: cats(done, todo), TrackerApps: 2}, ticket.InProgress},
		{"resolved, unknown category", link.TicketIssues{Status: ticket.Resolved, Categories: cats(unkn), TrackerApps: 1}, ticket.InProgress},
		{"breached never moves", link.TicketIssues{Status: ticket.Breached, Categories: cats(done), TrackerApps: 1}, ""},
		{"closed never moves", link.TicketIssues{Status: ticket.Closed, Categories: cats(todo), TrackerApps: 1}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := link.Target(tc.in); got != tc.want {
				t.Errorf("Target(%+v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
