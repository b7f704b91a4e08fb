package ingest

import (
	"context"

	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// EventDelivery statuses.
const (
	DeliveryPending    DeliveryStatus = "pending"    // waiting for its next attempt
	DeliveryDelivered  DeliveryStatus = "delivered"  // the endpoint answered 2xx
	DeliveryFailed     DeliveryStatus = "failed"     // the endpoint answered 410 Gone: the subscription is disabled
	DeliveryDead       DeliveryStatus = "dead"       // every attempt failed; redeliver by hand
	DeliverySuperseded DeliveryStatus = "superseded" // a newer revision of the event replaced it before it was sent
)

// DeliveryStatuses lists every status, for filters.
var DeliveryStatuses = []DeliveryStatus{DeliveryPending, DeliveryDelivered, DeliveryFailed, DeliveryDead, DeliverySuperseded}

// RetrySchedule is the wait after each failed attempt: 15 attempts over
// about a day (25 hours), then the delivery is dead. A Retry-After longer
// than the wait (on 429 and 503) is honoured instead, up to MaxRetryAfter.
var RetrySchedule = []time.Duration{5 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
	10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 4 * time.Hour,
	6 * time.Hour, 8 * time.Hour}

// MaxDeliveryAttempts is how many attempts a delivery gets.
var MaxDeliveryAttempts = len(RetrySchedule) + 1

// MaxRetryAfter bounds how long an endpoint's Retry-After postpones one
// delivery.
const MaxRetryAfter = 24 * time.Hour

// MessageID is a delivery's webhook-id: the ingest id for the event's
// first normalization, "<ingestId>.r<N>" for the Nth revision after it,
// so a receiver deduplicating on webhook-id still takes a revision.
func MessageID(ingestID string, revision int) string {
	if revision <= 1 {
		return ingestID
	}
	return ingestID + ".r" + strconv.Itoa(revision-1)
}

// EventDelivery is one revision of a normalized event to one subscription.
type EventDelivery struct {
	ID             string         `json:"id"`
	TenantID       string         `json:"-"`
	SubscriptionID string         `json:"subscription_id"`
	IngestID       string         `json:"ingest_id"`
	Revision       int            `json:"revision" doc:"The normalized event's revision delivered."`
	MessageID      string         `json:"message_id" doc:"The webhook-id header: the ingest id, or <ingestId>.r<N> for a revision."`
	EventType      string         `json:"event_type"`
	VendorID       string         `json:"vendor_id"`
	Status         DeliveryStatus `json:"status" enum:"pending,delivered,failed,dead,superseded"`
	Attempts       int            `json:"attempts" doc:"Attempts since it was queued or last redelivered."`
	NextAttemptAt  *time.Time     `json:"next_attempt_at,omitempty"`
	LastStatusCode int            `json:"last_status_code,omitempty"`
	LastError      string         `json:"last_error,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	DeliveredAt    *time.Time     `json:"delivered_at,omitempty"`
}

// Attempt is one try at a delivery.
type Attempt struct {
	ID          string    `json:"id"`
	DeliveryID  string    `json:"delivery_id"`
	Attempt     int       `json:"attempt"`
	AttemptedAt time.Time `json:"attempted_at"`
	StatusCode  int       `json:"status_code" doc:"0 when no answer came."`
	LatencyMS   int64     `json:"latency_ms"`
	Error       string    `json:"error,omitempty"`
	Response    string    `json:"response,omitempty" doc:"The start of the response body (1 KiB at most)."`
}

// DeliveryFilter narrows the delivery log.
type DeliveryFilter struct {
	SubscriptionID string
	Status         DeliveryStatus
	IngestID       string
	EventType      string
	Cursor         string
	Limit          int
}

// DeliveryWork is a claimed delivery with what sending it needs. Body is
// nil when the event's current revision is not the delivery's (it is then
// superseded, never sent).
type DeliveryWork struct {
	EventDelivery
	Subscription Subscription
	Body         []byte
	// VendorKey and ExternalEventID are the ingest event's, for the log.
	VendorKey, ExternalEventID string
}

// AttemptRecord is the outcome of one attempt, recorded in one
// transaction: the attempt row, the delivery's new status and, on 410
// Gone, the subscription disabled with its audit row.
type AttemptRecord struct {
	Attempt       Attempt
	Status        DeliveryStatus
	NextAttemptAt *time.Time
	Disable       *audit.Event // set: disable the subscription, with this audit row
	// SubscriptionID is the subscription disabled.
	SubscriptionID string
	DisableReason  string
	// DisableJobs commit with the subscription disabled; nothing is
	// disabled (or caused) when another attempt disabled it first.
	DisableJobs []jobargs.Args
}

// Disabled is a subscription the product disabled: its endpoint answered
// 410 Gone to an attempt.
type Disabled struct {
	Subscription Subscription
	DeliveryID   string
	AttemptID    string
	Reason       string
}

// SubscriptionStore is what subscriptions and deliveries read and write.
type SubscriptionStore interface {
	// CreateSubscription stores a subscription and its secret's value
	// (encrypted, in the secrets table) with the audit row.
	CreateSubscription(ctx context.Context, s Subscription, secret []byte, ev audit.Event) error
	UpdateSubscription(ctx context.Context, s Subscription, ev audit.Event) error
	Subscription(ctx context.Context, tenantID, id string) (Subscription, error)
	ListSubscriptions(ctx context.Context, tenantID string) ([]Subscription, error)
	// RotateSubscriptionSecret stores s's new secret (value) and moves
	// the old one to previous; dropName is a secret rotated out earlier,
	// deleted now.
	RotateSubscriptionSecret(ctx context.Context, s Subscription, dropName string, value []byte, ev audit.Event) error
	// SubscriptionSecretValues decrypts the secrets a subscription signs
	// with at now: the current one, and the previous until it expires.
	SubscriptionSecretValues(ctx context.Context, s Subscription, now time.Time) ([]string, error)

	ListDeliveries(ctx context.Context, tenantID string, f DeliveryFilter) ([]EventDelivery, string, error)
	EventDelivery(ctx context.Context, tenantID, id string) (EventDelivery, error)
	DeliveryAttempts(ctx context.Context, tenantID, deliveryID string) ([]Attempt, error)
	// Redeliver queues a delivered, failed or dead delivery again (a new
	// series of attempts from at) with its audit row and jobs; one whose
	// event has a newer revision is a conflict.
	Redeliver(ctx context.Context, tenantID, id string, at time.Time, ev audit.Event, jobs []jobargs.Args) (EventDelivery, error)
	// ClaimDeliveries leases up to limit pending deliveries due at now
	// (of enabled subscriptions) until until, oldest due first.
	ClaimDeliveries(ctx context.Context, tenantID string, now, until time.Time, limit int) ([]DeliveryWork, error)
	// RecordAttempt stores an attempt's outcome; a delivery no longer
	// pending (superseded meanwhile) keeps its status.
	RecordAttempt(ctx context.Context, tenantID string, r AttemptRecord) error
	// MarkSuperseded marks a pending delivery superseded.
	MarkSuperseded(ctx context.Context, tenantID, id string, at time.Time) error
	// TenantsWithDueDeliveries lists tenants with pending deliveries due
	// at now.
	TenantsWithDueDeliveries(ctx context.Context, now time.Time) ([]string, error)
}

// nextAttempt is when a delivery that failed its attempt-th attempt is
// tried again: the schedule's wait, or the endpoint's Retry-After when
// longer (bounded by MaxRetryAfter).
func nextAttempt(at time.Time, attempt int, retryAfter time.Duration) time.Time {
	wait := RetrySchedule[min(attempt, len(RetrySchedule))-1]
	if retryAfter > wait {
		wait = min(retryAfter, MaxRetryAfter)
	}
	return at.Add(wait)
}
