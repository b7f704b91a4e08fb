// Package link keeps a ticket's tracker issues: one link per (ticket,
// application that uses a tracker), the issue created for it exactly once,
// and its status read back in batches so the ticket follows its issues
// (open → in_progress → resolved). It also holds the tenant's tracker
// connection: a kind and provider-neutral settings, turned into a
// tracker.Provider by the registry the program gives the Service, so this
// package names no tracker. VendorSync only creates issues, comments on
// them and reads their status here: it never transitions, edits or deletes
// them.
//
// The flow: the store writes a pending link for every tracker application
// of a new ticket, and FollowUp's create jobs commit in the same
// transaction. A create job calls CreateIssue, which leases the link, looks
// for an issue carrying the link's idempotency label and creates one only
// when there is none, then records the outcome per the seed's error table.
// Sync reads the status of every created link of the tenant's unclosed
// tickets, 100 keys per search, and moves tickets as system.
package link

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// SyncStatus is where a link stands with its issue.
type SyncStatus string

// The link states of the seed: pending until the issue exists, created once
// it does, failed when the tracker refused it (400/403/404: an admin must
// fix the configuration and retry), orphan when the tracker stayed
// unavailable through every retry (retried every 15 minutes).
const (
	Pending SyncStatus = "pending"
	Created SyncStatus = "created"
	Failed  SyncStatus = "failed"
	Orphan  SyncStatus = "orphan"
)

// Valid reports whether s is a known state.
func (s SyncStatus) Valid() bool {
	return s == Pending || s == Created || s == Failed || s == Orphan
}

// Link is one tracker issue a ticket has (or is about to have) for one of
// its applications.
type Link struct {
	ID              string                 `json:"id"`
	TenantID        string                 `json:"-"`
	TicketID        string                 `json:"ticket_id"`
	TicketNumber    int64                  `json:"-"`
	TicketKey       string                 `json:"ticket_key" doc:"The ticket's human key, VS-0042."`
	ApplicationID   string                 `json:"application_id"`
	ApplicationName string                 `json:"application_name"`
	Provider        string                 `json:"provider" doc:"The tracker the issue is in (jira), from the tenant's connection; empty while none is connected."`
	ConnectionID    string                 `json:"connection_id,omitempty" doc:"The tracker connection the issue is in (or is to be created in)."`
	IdempotencyKey  string                 `json:"idempotency_key" doc:"Carried by the issue as the label vsid-<key>, so a retry finds it instead of creating another."`
	IssueKey        string                 `json:"issue_key,omitempty" doc:"The tracker's key, PAY-9421; empty until created."`
	IssueURL        string                 `json:"issue_url,omitempty"`
	StatusName      string                 `json:"status_name,omitempty" doc:"The workflow's own status name, for display."`
	StatusCategory  tracker.StatusCategory `json:"status_category" enum:"to_do,in_progress,done,unknown"`
	SyncStatus      SyncStatus             `json:"sync_status" enum:"pending,created,failed,orphan"`
	LastError       string                 `json:"last_error,omitempty"`
	Attempts        int                    `json:"attempts" doc:"Creation attempts so far."`
	CreatedAt       time.Time              `json:"created_at"`
	UpdatedAt       time.Time              `json:"updated_at"`
	LastSyncedAt    *time.Time             `json:"last_synced_at,omitempty"`
	// CreateUnknownSince is when the latest create whose outcome is
	// unknown ended (or was sent); nil when every create's outcome is
	// known. No further create is sent until the tracker's search has had
	// time to show that one (tracker.Guard).
	CreateUnknownSince *time.Time `json:"-"`
	// CreatesSent counts the create requests sent for the link that the
	// tracker did not refuse: each may have stored an issue.
	CreatesSent int `json:"creates_sent" doc:"Create requests sent to the tracker for this link that it did not refuse; more than one means a create was sent again after an answer was lost."`
	// VerifyAfter, when set, is when the issues carrying the link's marker
	// are listed again, to report a duplicate (more than one create was
	// sent).
	VerifyAfter *time.Time `json:"-"`
}

// IdempotencyKey is the key of the issue for one application of a ticket:
// the ticket's id and the application's id, unique across tenants.
func IdempotencyKey(ticketID, applicationID string) string { return ticketID + "." + applicationID }

// Filter selects links in the admin list, oldest change first.
type Filter struct {
	// Statuses are the sync statuses shown; empty means failed and orphan.
	Statuses []SyncStatus
	Cursor   string
	Limit    int
}

// Ref names one link by what its create job carries.
type Ref struct {
	TenantID, TicketID, ApplicationID string
}

// Outcome is what one creation attempt writes to its link, releasing the
// lease in the same statement.
type Outcome struct {
	TenantID, LinkID string
	SyncStatus       SyncStatus
	Issue            tracker.Issue // set when the issue exists
	// Provider is the tracker the issue was created in (with Issue).
	Provider string
	// ConnectionID is the connection the issue was created in (with Issue).
	ConnectionID string
	LastError    string
	// CountAttempt adds one to the link's attempts (429 waits do not count).
	CountAttempt bool
	At           time.Time
	// Jobs are the outcome's consequences (an alert to the admins).
	Jobs []jobargs.Args
	// Create is what the attempt learnt about the outcome of creates.
	Create CreateMark
	// VerifyAfter, when set with a created issue, is when to look for
	// duplicates of it.
	VerifyAfter *time.Time
}

// CreateMark is what an attempt learnt about the outcome of the creates
// sent for its link.
type CreateMark int

// The marks an outcome can carry.
const (
	// CreateUntouched: the attempt learnt nothing (it sent no create).
	CreateUntouched CreateMark = iota
	// CreateKnown: the issue exists, so no create's outcome matters any
	// more.
	CreateKnown
	// CreateRefused: the tracker refused the attempt's create (4xx): it
	// stored nothing, and any earlier unknown outcome was settled before
	// it was sent.
	CreateRefused
	// CreateUnknown: the attempt's create may or may not have been stored.
	CreateUnknown
)

// Verification is what a duplicate check writes to a created link.
type Verification struct {
	TenantID, LinkID string
	// LastError, when set, is shown on the link (a duplicate was found).
	LastError string
	At        time.Time
	Jobs      []jobargs.Args
}

// StatusChange is what a sync writes to a link whose issue changed.
type StatusChange struct {
	LinkID         string
	StatusName     string
	StatusCategory tracker.StatusCategory
	LastError      string
	// IssueKey and IssueURL, when set, re-key the link: its issue moved
	// (to another Jira project) and answers under a new key.
	IssueKey, IssueURL string
}

// SyncItem is one created link of an unclosed ticket, as the sync reads it
// with one query, plus what re-evaluating its ticket needs.
type SyncItem struct {
	LinkID, TicketID string
	// ConnectionID is the connection the issue is in; empty for a link
	// made before the tenant could have several (its first).
	ConnectionID   string
	TicketNumber   int64
	TicketStatus   ticket.Status
	IssueKey       string
	StatusName     string
	StatusCategory tracker.StatusCategory
	LastError      string
	// TrackerApps counts the ticket's applications that use a tracker;
	// fewer created links than that means some issue does not exist yet.
	TrackerApps int
	// OpenManualApps counts the ticket's applications without a tracker
	// whose owners have not marked them complete.
	OpenManualApps int
}

// Store is what links need from storage; every read and write is scoped by
// tenant, except the few that serve the periodic jobs of every tenant.
type Store interface {
	// TrackerConnection returns the tenant's connection with id, or its
	// first (oldest) when id is empty; apperr.NotFound when none.
	TrackerConnection(ctx context.Context, tenantID, id string) (Connection, error)
	// TrackerConnections lists the tenant's connections, oldest first.
	TrackerConnections(ctx context.Context, tenantID string) ([]Connection, error)
	// TrackerToken decrypts the token of the tenant's connection with id;
	// apperr.NotFound when none.
	TrackerToken(ctx context.Context, tenantID, connectionID string) ([]byte, error)
	// SaveTrackerConnection writes the connection (new or in place of the
	// one with its id), its token when not nil (deleting the stored token
	// when nil and c.TokenSet is false), the audit row and the jobs in one
	// transaction; the links without an issue that are routed to it follow
	// it to its provider.
	SaveTrackerConnection(ctx context.Context, c Connection, token []byte, ev audit.Event, jobs []jobargs.Args) error
	// DisableTrackerConnection turns the tenant's enabled connection off
	// with the reason and writes evs and jobs; false when it was not
	// enabled (nothing written).
	DisableTrackerConnection(ctx context.Context, tenantID, connectionID, reason string, at time.Time, evs []audit.Event, jobs []jobargs.Args) (bool, error)
	// EnabledTrackerTenants lists the tenants with an enabled connection.
	EnabledTrackerTenants(ctx context.Context) ([]string, error)

	TrackerLink(ctx context.Context, tenantID, id string) (Link, error)
	TrackerLinkFor(ctx context.Context, tenantID, ticketID, applicationID string) (Link, error)
	// TrackerLinkByIssue returns the created link of the issue with the
	// tracker's key issueKey; apperr.NotFound when none.
	TrackerLinkByIssue(ctx context.Context, tenantID, issueKey string) (Link, error)
	// TicketTrackerLinks lists a ticket's links by application name.
	TicketTrackerLinks(ctx context.Context, tenantID, ticketID string) ([]Link, error)
	ListTrackerLinks(ctx context.Context, tenantID string, f Filter) ([]Link, string, error)
	// ClaimTrackerLink leases a pending or orphan link until until, unless
	// another lease is still running; false when it could not.
	ClaimTrackerLink(ctx context.Context, tenantID, id string, now, until time.Time) (bool, error)
	// FinishTrackerLink writes an attempt's outcome, releases the lease and
	// writes evs, in one transaction.
	FinishTrackerLink(ctx context.Context, o Outcome, evs []audit.Event) error
	// SendingTrackerCreate records, before a create request is sent for a
	// link without an issue, that its outcome is unknown from at on, and
	// counts the request (FinishTrackerLink uncounts a refused one).
	SendingTrackerCreate(ctx context.Context, tenantID, id string, at time.Time) error
	// VerifiedTrackerLink ends a created link's duplicate check, writing
	// its result with evs and jobs in one transaction.
	VerifiedTrackerLink(ctx context.Context, v Verification, evs []audit.Event) error
	// RetryTrackerLink puts a link back to pending (attempts reset) and
	// enqueues job, with ev, in one transaction.
	RetryTrackerLink(ctx context.Context, tenantID, id string, at time.Time, ev audit.Event, job jobargs.Args) error
	// PendingTrackerLinks lists a tenant's pending links.
	PendingTrackerLinks(ctx context.Context, tenantID string) ([]Ref, error)
	// RetryableTrackerLinks lists, for every tenant with an enabled
	// connection, orphan links, pending links untouched since before and
	// created links whose duplicate check was due before.
	RetryableTrackerLinks(ctx context.Context, before time.Time) ([]Ref, error)
	// EnqueueJobs enqueues jobs in one transaction.
	EnqueueJobs(ctx context.Context, jobs []jobargs.Args) error
	// TrackerSyncItems returns, in one query, the created links of the
	// tenant's tickets that are not closed (only ticketID's when set).
	TrackerSyncItems(ctx context.Context, tenantID, ticketID string) ([]SyncItem, error)
	// ApplyTrackerSync writes changed statuses with their audit rows and
	// stamps last_synced_at on every link in synced, in one transaction.
	ApplyTrackerSync(ctx context.Context, tenantID string, changes []StatusChange, synced []string, at time.Time, evs []audit.Event) error

	// Registry reads, for the issue's content.
	Vendor(ctx context.Context, tenantID, id string) (registry.Vendor, error)
	Application(ctx context.Context, tenantID, id string) (registry.Application, error)
	Team(ctx context.Context, tenantID, id string) (auth.Team, error)
	TicketByID(ctx context.Context, tenantID, id string) (ticket.Ticket, error)
}

// Alert is a message for a tenant's administrators.
type Alert struct {
	// Urgent alerts page (the connection is down); others inform.
	Urgent bool `json:"urgent"`
	// Kind names the alert for deduplication and routing, e.g.
	// "tracker.issue_failed", "tracker.unauthorized".
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Message string `json:"message"`
	// TicketID and LinkID, when set, say what the alert is about.
	TicketID string `json:"ticket_id,omitempty"`
	LinkID   string `json:"link_id,omitempty"`
}

// Consequences are the jobs tracker outcomes cause beyond the links
// themselves. internal/app declares them in its table of consequences;
// each commits with the outcome it is about.
type Consequences struct {
	// Alert returns the jobs that tell a tenant's admins about a refused
	// issue or a disabled connection. Without it alerts are only logged at
	// WARN; either way each is an audit row ("tracker.alert").
	Alert func(tenantID string, a Alert) []jobargs.Args
	// Troubled returns the jobs of a link in trouble — its issue could
	// not be created after every retry (orphan), or the tracker holds
	// more than one issue for it (duplicate) — a fact about the vendor of
	// the link's ticket.
	Troubled func(Trouble) []jobargs.Args
	// Conflicted returns the jobs of a linked issue found changed on both
	// sides since the last sync: its ticket's owner hears of it, and it
	// is a fact about the vendor.
	Conflicted func(Conflict) []jobargs.Args
}

// IssueJobs are the create jobs of a new ticket: one per application that
// uses a tracker, matching the links the store writes with the ticket. The
// table of consequences gives them to every new ticket, so every creation
// path (triage, manual classification, the API) enqueues them in the
// ticket's own transaction.
func IssueJobs(t ticket.Ticket) []jobargs.Args {
	var out []jobargs.Args
	for _, a := range t.Applications {
		if a.UsesTracker {
			out = append(out, createJob(t.TenantID, t.ID, a.ApplicationID))
		}
	}
	return out
}

// createJob is the job that creates the issue of one link.
func createJob(tenantID, ticketID, applicationID string) jobargs.Args {
	return jobargs.TrackerCreate{Tenant: jobargs.For(tenantID), TicketID: ticketID, ApplicationID: applicationID}
}
