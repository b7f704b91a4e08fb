package ingest

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// goneEvent is the audit row of a subscription the product disabled after
// its endpoint answered 410 Gone.
func goneEvent(sub Subscription, reason string) audit.Event {
	after := sub
	after.Enabled, after.DisabledReason = false, reason
	return audit.Record(auth.System(sub.TenantID), "ingest_subscription.disable", "ingest_subscription", sub.ID, sub, after)
}

// Deliveries pages through the tenant's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, p auth.Principal, f DeliveryFilter) ([]EventDelivery, string, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !slices.Contains(DeliveryStatuses, f.Status) {
		return nil, "", apperr.Invalidf("status must be one of pending, delivered, failed, dead, superseded")
	}
	return s.Store.ListDeliveries(ctx, p.TenantID, f)
}

// DeliveryWithAttempts is a delivery and every attempt at it, oldest first.
type DeliveryWithAttempts struct {
	EventDelivery
	AttemptLog []Attempt `json:"attempt_log" nullable:"false"`
}

// DeliveryDetail returns a delivery with its attempts.
func (s *Service) DeliveryDetail(ctx context.Context, p auth.Principal, id string) (DeliveryWithAttempts, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return DeliveryWithAttempts{}, err
	}
	d, err := s.Store.EventDelivery(ctx, p.TenantID, id)
	if err != nil {
		return DeliveryWithAttempts{}, err
	}
	as, err := s.Store.DeliveryAttempts(ctx, p.TenantID, id)
	if err != nil {
		return DeliveryWithAttempts{}, err
	}
	if as == nil {
		as = []Attempt{}
	}
	return DeliveryWithAttempts{EventDelivery: d, AttemptLog: as}, nil
}

// Redeliver queues a delivered, failed or dead delivery again for a new
// series of attempts starting now, with the same webhook-id (receivers
// deduplicate on it). A delivery still pending is already queued; a
// superseded one, or one whose event has a newer revision, is a conflict.
func (s *Service) Redeliver(ctx context.Context, p auth.Principal, id string) (EventDelivery, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return EventDelivery{}, err
	}
	d, err := s.Store.EventDelivery(ctx, p.TenantID, id)
	if err != nil {
		return EventDelivery{}, err
	}
	switch d.Status {
	case DeliveryPending:
		return EventDelivery{}, apperr.E(apperr.Conflict, "the delivery is already waiting for its next attempt")
	case DeliverySuperseded:
		return EventDelivery{}, apperr.E(apperr.Conflict, "the delivery was superseded by a newer revision of the event")
	}
	ev := audit.Record(p, "ingest_delivery.redeliver", "ingest_delivery", id, map[string]any{"status": d.Status},
		map[string]any{"status": DeliveryPending})
	return s.Store.Redeliver(ctx, p.TenantID, id, s.now(), ev, s.deliverJobs(p.TenantID))
}

// deliverJobs are the jobs that send a tenant's queued deliveries.
func (s *Service) deliverJobs(tenantID string) []jobargs.Args {
	if s.Consequences.Delivered == nil {
		return nil
	}
	return s.Consequences.Delivered(tenantID)
}

// SubscriptionTestResult is what a test send came to.
type SubscriptionTestResult struct {
	MessageID  string `json:"message_id"`
	StatusCode int    `json:"status_code" doc:"0 when no answer came."`
	LatencyMS  int64  `json:"latency_ms"`
	Error      string `json:"error,omitempty"`
	Response   string `json:"response,omitempty" doc:"The start of the response body (1 KiB at most)."`
	OK         bool   `json:"ok" doc:"The endpoint answered 2xx."`
}

// TestSend sends one signed test event to a subscription's endpoint now
// (enabled or not) and reports the answer; nothing is queued or retried.
func (s *Service) TestSend(ctx context.Context, p auth.Principal, id string) (SubscriptionTestResult, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return SubscriptionTestResult{}, err
	}
	sub, err := s.Store.Subscription(ctx, p.TenantID, id)
	if err != nil {
		return SubscriptionTestResult{}, err
	}
	at := s.now()
	secrets, err := s.Store.SubscriptionSecretValues(ctx, sub, at)
	if err != nil {
		return SubscriptionTestResult{}, err
	}
	msgID := "test_" + ident.New()
	body, err := json.Marshal(map[string]any{"type": "vendorsync.test", "subscriptionId": sub.ID, "timestamp": at.Format("2006-01-02T15:04:05Z07:00"),
		"data": map[string]any{"message": "A test event from VendorSync: the signature verifies with this subscription's secret."}})
	if err != nil {
		return SubscriptionTestResult{}, err
	}
	res := s.send(ctx, sub, msgID, body, secrets, at)
	return SubscriptionTestResult{MessageID: msgID, StatusCode: res.status, LatencyMS: res.latency.Milliseconds(), Error: res.err,
		Response: res.response, OK: res.status >= 200 && res.status < 300}, nil
}
