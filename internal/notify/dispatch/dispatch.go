// Package dispatch runs VendorSync's notifications: a tenant's channel
// settings, the notification log, and the jobs that deliver what is logged.
//
// A delivery is one log row plus one "notify.deliver" job, written in one
// transaction. The row is keyed by notify.Delivery.DedupKey under a unique
// index per tenant and inserted with ON CONFLICT DO NOTHING: planning the
// same delivery twice (the deadline monitor running twice, on two replicas,
// a plan job retried after a crash) inserts nothing and enqueues no second
// job. That key, not timing, is what makes every escalation threshold go out
// at most once per ticket, channel and target.
//
// Each row stores the snapshot frozen when it was planned; every attempt,
// retry and replay renders from it. A delivery job makes one attempt and
// records it on its row: retryable failures are retried by the queue with
// backoff and end as dead letters (status dead), permanent ones end at once
// (status failed); both can be replayed. One job per delivery means a
// failing channel never holds up the ticket or the other channels.
package dispatch

import (
	"context"
	"log/slog"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// Status is where a logged notification stands.
type Status string

// The states of a notification: queued until an attempt succeeds (sent),
// a provider refuses it for good (failed) or the retries run out (dead).
const (
	Queued Status = "queued"
	Sent   Status = "sent"
	Failed Status = "failed"
	Dead   Status = "dead"
)

// Statuses lists every status.
var Statuses = []Status{Queued, Sent, Failed, Dead}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Queued || s == Sent || s == Failed || s == Dead }

// Replayable reports whether an admin may send the notification again.
func (s Status) Replayable() bool { return s == Failed || s == Dead }

// LogEntry is one row of the notification log: one message to one target on
// one channel, with every attempt's outcome.
type LogEntry struct {
	ID       string `json:"id"`
	TenantID string `json:"-"`
	// TicketID and TicketKey name the ticket the notification is about.
	TicketID  string             `json:"ticket_id,omitempty"`
	TicketKey string             `json:"ticket_key,omitempty"`
	Kind      notify.Kind        `json:"kind" enum:"ticket_created,escalation_d7,escalation_d3,escalation_d1,breach,thread_update,unknown_vendor,user_provisioned,tracker_alert,test"`
	Subject   string             `json:"subject" doc:"Id of what the notification is about: a ticket, email, user or alert; ticket id/email id for a thread update."`
	Threshold int                `json:"threshold,omitempty" doc:"Days before the deadline, for escalations."`
	Channel   notify.ChannelName `json:"channel" enum:"slack_channel,slack_dm,email,pagerduty,tracker_comment"`
	Target    string             `json:"target" doc:"Slack channel or user, email address, PagerDuty service or tracker issue key."`
	// TargetName is the person's name when known.
	TargetName  string `json:"target_name,omitempty"`
	DedupKey    string `json:"dedup_key"`
	Status      Status `json:"status" enum:"queued,sent,failed,dead"`
	Attempts    int    `json:"attempts"`
	LastError   string `json:"last_error,omitempty"`
	ProviderRef string `json:"provider_ref,omitempty" doc:"The provider's id of the delivery: Slack channel/ts, email Message-ID, PagerDuty dedup key."`
	// Snapshot is what the notification shows, frozen when it was planned.
	Snapshot  notify.Snapshot `json:"-"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	SentAt    *time.Time      `json:"sent_at,omitempty"`
}

// Event is the notify event the entry delivers.
func (e LogEntry) Event() notify.Event {
	return notify.Event{Kind: e.Kind, Subject: e.Subject, Threshold: e.Threshold}
}

// Delivery is the entry as notify routes it.
func (e LogEntry) Delivery() notify.Delivery {
	return notify.Delivery{Channel: e.Channel, Target: notify.Target{Address: e.Target, Name: e.TargetName}, DedupKey: e.DedupKey}
}

// Filter selects log entries, newest first.
type Filter struct {
	Status  Status
	Channel notify.ChannelName
	// TicketNumber keeps the entries about one ticket; 0 for all.
	TicketNumber int64
	Cursor       string
	Limit        int
}

// Outcome is what one attempt writes to its entry.
type Outcome struct {
	TenantID, ID string
	Status       Status
	LastError    string
	ProviderRef  string
	At           time.Time
}

// Store is what the notification system needs from storage. Every read
// and write is scoped by tenant.
type Store interface {
	// NotificationSettings returns a tenant's saved settings;
	// apperr.NotFound when it never saved any.
	NotificationSettings(ctx context.Context, tenantID string) (ChannelSettings, error)
	// NotificationSecret decrypts one of the tenant's channel secrets;
	// apperr.NotFound when it is not stored.
	NotificationSecret(ctx context.Context, tenantID, name string) ([]byte, error)
	// SaveNotificationSettings writes the settings, the secrets given (a
	// nil value deletes one) and the audit row in one transaction.
	SaveNotificationSettings(ctx context.Context, s ChannelSettings, secrets map[string][]byte, ev audit.Event) error

	// PlanNotifications inserts the entries whose dedup key the tenant has
	// not logged yet, each with the job job(entry) returns (nil for none),
	// in one transaction, and returns the entries it inserted.
	PlanNotifications(ctx context.Context, entries []LogEntry, job func(LogEntry) jobargs.Args) ([]LogEntry, error)
	Notification(ctx context.Context, tenantID, id string) (LogEntry, error)
	ListNotifications(ctx context.Context, tenantID string, f Filter) ([]LogEntry, string, error)
	// RecordNotificationAttempt counts an attempt and writes its outcome;
	// a sent entry is never changed again.
	RecordNotificationAttempt(ctx context.Context, o Outcome) error
	// ReplayNotification puts a failed or dead entry back to queued and
	// enqueues job, with ev, in one transaction; a Conflict when the entry
	// is no longer failed or dead.
	ReplayNotification(ctx context.Context, tenantID, id string, at time.Time, ev audit.Event, job jobargs.Args) error
	// PlannedTicketEvents returns which of the tickets' events (by
	// notify.Event.Key) have log entries.
	PlannedTicketEvents(ctx context.Context, tenantID string, ticketIDs []string) (map[string]bool, error)

	// Reads for recipients and snapshots.
	TicketByID(ctx context.Context, tenantID, id string) (ticket.Ticket, error)
	Vendor(ctx context.Context, tenantID, id string) (registry.Vendor, error)
	Team(ctx context.Context, tenantID, id string) (auth.Team, error)
	// TeamMembers lists the active users of a team.
	TeamMembers(ctx context.Context, tenantID, teamID string) ([]auth.User, error)
	// ActiveAdmins lists the tenant's active admins.
	ActiveAdmins(ctx context.Context, tenantID string) ([]auth.User, error)
	TicketTrackerLinks(ctx context.Context, tenantID, ticketID string) ([]link.Link, error)
}

// TenantSettings reads a tenant's system settings (time zone); *setting.Service
// implements it.
type TenantSettings interface {
	Get(ctx context.Context, tenantID string) (setting.Settings, error)
}

// Commenter posts a comment on a tenant's tracker issue, at most once per
// ref; *link.Service implements it.
type Commenter interface {
	Comment(ctx context.Context, tenantID, issueKey string, body tracker.Document, ref string) error
}

// Service runs the notifications of every tenant. Safe for concurrent use.
type Service struct {
	Store    Store
	Settings TenantSettings
	// Trackers posts the escalation comments on linked tracker issues; nil
	// plans none.
	Trackers Commenter
	// Notices holds the base URL links point to and the clock.
	Notices
	// Configure, when set, adjusts the channel clients' configuration
	// before they are built (tests point them at in-process servers).
	Configure func(*ChannelConfig)
	// Telemetry receives the Slack and PagerDuty calls' metrics and debug
	// logs.
	Telemetry httpx.Telemetry
	Logger    *slog.Logger
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}
