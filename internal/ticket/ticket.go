package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// KeyPrefix starts every human ticket key ("VS-0042").
const KeyPrefix = "VS-"

// Key formats a ticket number as people quote it: VS- and at least four
// digits, more once the tenant passes VS-9999.
func Key(number int64) string { return fmt.Sprintf("%s%04d", KeyPrefix, number) }

// ParseKey reads "VS-0042", "vs-42" or "42" as a ticket number. Anything else
// is not found rather than invalid: it names no ticket.
func ParseKey(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if len(s) >= len(KeyPrefix) && strings.EqualFold(s[:len(KeyPrefix)], KeyPrefix) {
		s = s[len(KeyPrefix):]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strings.HasPrefix(s, "+") {
		return 0, apperr.NotFoundf("no such ticket: %.40s", s)
	}
	return n, nil
}

// Progress is how far an application's owners are with a change, for
// applications without a tracker (tracker issues carry their own status).
type Progress string

// The progress values, in order.
const (
	ProgressPending    Progress = "pending"
	ProgressInProgress Progress = "in_progress"
	ProgressComplete   Progress = "complete"
)

// Progresses lists every progress value in order.
var Progresses = []Progress{ProgressPending, ProgressInProgress, ProgressComplete}

// Valid reports whether p is a known progress value.
func (p Progress) Valid() bool { return slices.Contains(Progresses, p) }

// Label is the progress value's name in the UI.
func (p Progress) Label() string {
	switch p {
	case ProgressPending:
		return "Pending"
	case ProgressInProgress:
		return "In progress"
	case ProgressComplete:
		return "Complete"
	}
	return string(p)
}

// Label is the status's name in the UI.
func (s Status) Label() string {
	switch s {
	case Open:
		return "Open"
	case InProgress:
		return "In progress"
	case Resolved:
		return "Resolved"
	case Closed:
		return "Closed"
	case Breached:
		return "Breached"
	}
	return string(s)
}

// TicketApplication is one application affected by a ticket. Name and OwnerTeamID
// are read from the registry; the rest belongs to the ticket.
type TicketApplication struct {
	ApplicationID string `json:"application_id"`
	Name          string `json:"name"`
	OwnerTeamID   string `json:"owner_team_id,omitempty"`
	// UsesTracker is copied from the application when the ticket is created:
	// such applications progress through their tracker issue, not by hand.
	UsesTracker       bool       `json:"uses_tracker"`
	Progress          Progress   `json:"progress" enum:"pending,in_progress,complete"`
	ProgressUpdatedBy string     `json:"progress_updated_by,omitempty"`
	ProgressUpdatedAt *time.Time `json:"progress_updated_at,omitempty"`
}

// Ticket is one vendor change, as triage decided it and as people worked it.
type Ticket struct {
	ID            string            `json:"id"`
	TenantID      string            `json:"-"`
	Number        int64             `json:"number"`
	VendorID      string            `json:"vendor_id"`
	Topic         string            `json:"topic"`
	Summary       string            `json:"summary"`
	EffectiveDate Date              `json:"effective_date,omitempty" doc:"The vendor's deadline (YYYY-MM-DD), when it gave one."`
	Severity      registry.Severity `json:"severity" enum:"critical,high,medium,low"`
	Status        Status            `json:"status" enum:"open,in_progress,resolved,closed,breached"`
	OwnerTeamID   string            `json:"owner_team_id,omitempty"`
	SLADays       int               `json:"sla_days"`
	DueAt         time.Time         `json:"due_at" doc:"Created plus the SLA days, but never after the end of the effective date in the tenant's time zone."`
	AlertChannel  string            `json:"alert_channel,omitempty"`
	EmailID       string            `json:"email_id,omitempty" doc:"The source email the ticket was triaged from."`
	// MatchedRuleIDs are the routing rules triage applied.
	MatchedRuleIDs []string `json:"matched_rule_ids" nullable:"false"`
	Reasoning      string   `json:"reasoning,omitempty"`
	// Decision is the triage decision as it was made, kept for audit.
	Decision           json.RawMessage `json:"decision,omitempty"`
	IsManualOverride   bool            `json:"is_manual_override"`
	CloseReason        string          `json:"close_reason,omitempty"`
	LastTransitionedBy string          `json:"last_transitioned_by,omitempty"`
	LastTransitionedAt *time.Time      `json:"last_transitioned_at,omitempty"`
	ResolvedAt         *time.Time      `json:"resolved_at,omitempty"`
	ClosedAt           *time.Time      `json:"closed_at,omitempty"`
	BreachedAt         *time.Time      `json:"breached_at,omitempty"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
	// Version counts the ticket's state changes; a write based on an older
	// version is refused, so concurrent changes cannot both win.
	Version      int64               `json:"-"`
	Applications []TicketApplication `json:"applications" nullable:"false"`
}

// Breaking reports whether the ticket's triage decision says the change
// breaks what uses it (is_breaking). A ticket without a decision, or
// with one that does not say, is not breaking.
func (t Ticket) Breaking() bool {
	var d struct {
		IsBreaking bool `json:"is_breaking"`
	}
	return len(t.Decision) > 0 && json.Unmarshal(t.Decision, &d) == nil && d.IsBreaking
}

// Key is the ticket's human key, VS-0042.
func (t Ticket) Key() string { return Key(t.Number) }

// Facts returns what the lifecycle rules need to know about the ticket.
func (t Ticket) Facts() Facts {
	f := Facts{Status: t.Status, LastTransitionedBy: t.LastTransitionedBy, AllAppsComplete: true}
	if t.OwnerTeamID != "" {
		f.OwnerTeamIDs = append(f.OwnerTeamIDs, t.OwnerTeamID)
	}
	for _, a := range t.Applications {
		if a.UsesTracker {
			f.TrackerLinked = true
		} else if a.Progress != ProgressComplete {
			f.AllAppsComplete = false
		}
		if a.OwnerTeamID != "" && !slices.Contains(f.OwnerTeamIDs, a.OwnerTeamID) {
			f.OwnerTeamIDs = append(f.OwnerTeamIDs, a.OwnerTeamID)
		}
	}
	return f
}

// App returns the ticket's row for an application.
func (t Ticket) App(id string) (TicketApplication, bool) {
	for _, a := range t.Applications {
		if a.ApplicationID == id {
			return a, true
		}
	}
	return TicketApplication{}, false
}

// EventKind says what a timeline entry records.
type EventKind string

// The kinds of timeline entries.
const (
	EventCreated      EventKind = "created"
	EventTransition   EventKind = "transition"
	EventNote         EventKind = "note"
	EventProgress     EventKind = "progress"
	EventThreadUpdate EventKind = "thread_update"
	EventRescheduled  EventKind = "rescheduled"
)

// TicketEvent is one entry of a ticket's timeline: its creation, a transition, a
// note, an application's progress, a later email in the vendor's thread or
// a move of its effective date.
type TicketEvent struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"-"`
	TicketID   string    `json:"ticket_id"`
	Kind       EventKind `json:"kind" enum:"created,transition,note,progress,thread_update,rescheduled"`
	From       Status    `json:"from,omitempty"`
	To         Status    `json:"to,omitempty"`
	ActorID    string    `json:"actor_id,omitempty"`
	ActorLabel string    `json:"actor"`
	Body       string    `json:"body,omitempty" doc:"Note text, transition reason, progress or update summary, the dates moved and why."`
	Flags      []string  `json:"flags,omitempty" doc:"manual_override, admin_self_close."`
	EmailID    string    `json:"email_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Filter selects tickets in a list, ordered by due date then number.
type Filter struct {
	Status      Status
	Severity    registry.Severity
	VendorID    string
	OwnerTeamID string
	DueBefore   time.Time // zero for no bound
	Query       string    // a key (VS-0042) or text in the topic or summary
	Cursor      string
	Limit       int
}

// Consequences are the jobs ticket changes cause: tracker issues,
// notifications. internal/app declares them in its table of consequences;
// each commits in the transaction of the change that causes it.
type Consequences struct {
	// Created returns the jobs of a new ticket, whatever path created it
	// (triage, an operator's classification, the API).
	Created func(Ticket) []jobargs.Args
	// Breaking returns the further jobs of a new ticket whose triage
	// decision says the change is breaking, given how many breaking
	// changes its vendor announced in the BreakingWindow up to it, this
	// one included (counted in the creating transaction).
	Breaking func(t Ticket, recent int) []jobargs.Args
	// Moved returns the jobs of a ticket's transitions.
	Moved func(Ticket, []Step) []jobargs.Args
	// Rescheduled returns the jobs of a moved effective date (the ticket
	// with its new dates).
	Rescheduled func(Ticket) []jobargs.Args
	// AtRisk returns the jobs of a ticket reaching an escalation threshold
	// before its deadline (D-7, D-3, D-1): the deadline monitor enqueues
	// them when the threshold goes out, at e.SendAt. It may do so more than
	// once for one threshold (two replicas, a retried run), so its jobs
	// must be idempotent per ticket and threshold.
	AtRisk func(t Ticket, e Escalation) []jobargs.Args
}

// Change is one atomic write to an existing ticket: its new state (when
// SaveState), one application's progress, timeline entries, audit rows and
// follow-up jobs.
type Change struct {
	// Ticket is the ticket after the change; when SaveState, its status
	// fields are saved, provided the stored version is still Ticket.Version.
	Ticket    Ticket
	SaveState bool
	// SaveSchedule saves the ticket's effective date and due time, under
	// the same version check as SaveState.
	SaveSchedule bool
	Progress     *TicketApplication
	Events       []TicketEvent
	Audit        []audit.Event
	Jobs         []jobargs.Args
}

// Store is what tickets need from storage. Reads and writes are scoped by
// tenant; a ticket of another tenant is not found.
type Store interface {
	// CreateTicket allocates the tenant's next number and writes c, in one
	// transaction, returning the numbered ticket.
	CreateTicket(ctx context.Context, c *Creation) (Ticket, error)
	// ApplyTicketChange writes c in one transaction; a stale version is a conflict.
	ApplyTicketChange(ctx context.Context, c Change) error
	TicketByNumber(ctx context.Context, tenantID string, number int64) (Ticket, error)
	TicketByID(ctx context.Context, tenantID, id string) (Ticket, error)
	ListTickets(ctx context.Context, tenantID string, f Filter) ([]Ticket, string, error)
	// TicketEvents returns a ticket's timeline, oldest first.
	TicketEvents(ctx context.Context, tenantID, ticketID string) ([]TicketEvent, error)

	// Registry reads, to check what a draft refers to.
	Vendor(ctx context.Context, tenantID, id string) (registry.Vendor, error)
	Application(ctx context.Context, tenantID, id string) (registry.Application, error)
	Rule(ctx context.Context, tenantID, id string) (registry.Rule, error)
	Team(ctx context.Context, tenantID, id string) (auth.Team, error)
}
