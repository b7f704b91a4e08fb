package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/ingest"
)

// Subscriptions: a tenant's webhook endpoints for its normalized events.

var (
	docListSubscriptions = readDoc("List subscriptions", "The tenant's webhook endpoints that receive normalized events, "+
		"with their filters and whether they are enabled (never their secrets).")
	docCreateSubscription = createDoc("Create a subscription", "A webhook endpoint for normalized events: url, event_types "+
		"(canonical types; empty for all), vendor_id (optional), description, enabled. Deliveries are signed per Standard Webhooks "+
		"(webhook-id, webhook-timestamp, webhook-signature) with a whsec_ secret that is in the answer, once. Loopback and private "+
		"addresses are refused unless the server runs with --webhook-allow-private; link-local and metadata addresses always are.")
	docGetSubscription    = readDoc("Get a subscription", "One subscription, without its secret.")
	docUpdateSubscription = huma.Operation{Summary: "Update a subscription", SkipValidateBody: true, Description: "Replaces the " +
		"url, event_types, vendor_id, description and enabled flag (absent enabled keeps it). Enabling a subscription disabled after " +
		"a 410 Gone resumes its deliveries."}
	docRotateSubscriptionSecret = huma.Operation{Summary: "Rotate a subscription's secret", Description: "A new whsec_ secret, in " +
		"the answer once. The previous one keeps signing for 24 hours: each delivery carries both signatures, so the receiver can " +
		"switch without losing one."}
	docTestSubscription = huma.Operation{Summary: "Send a test event", Description: "Sends one signed test event " +
		"(type vendorsync.test, webhook-id test_…) to the endpoint now and answers the endpoint's status, latency and the start of its " +
		"response; nothing is queued or retried."}
	docListEventDeliveries = readDoc("List deliveries", "The delivery log, newest first: one delivery per revision of a normalized "+
		"event and subscription, with its status (pending, delivered, failed after 410 Gone, dead after 15 attempts over about a day, "+
		"superseded by a newer revision), attempts and next attempt. Filter by subscription_id, status, ingest_id and event_type.")
	docGetEventDelivery = readDoc("Get a delivery", "A delivery with every attempt: status code, latency, error and the start of the "+
		"response body.")
	docRedeliverEvent = huma.Operation{Summary: "Redeliver", Description: "Queues a delivered, failed or dead delivery again for a new " +
		"series of attempts, now, with the same webhook-id. A pending delivery is already queued, and a superseded one was replaced " +
		"by a newer revision (409)."}
)

type subscriptionsOut struct {
	Body []ingest.Subscription
}

func (s *Server) apiListSubscriptions(ctx context.Context, _ *struct{}) (*subscriptionsOut, error) {
	subs, err := s.Ingest.Subscriptions(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	if subs == nil {
		subs = []ingest.Subscription{}
	}
	return &subscriptionsOut{Body: subs}, nil
}

type subscriptionIn struct {
	Body strictBody[ingest.SubscriptionInput]
}

type subscriptionUpdateIn struct {
	IDPath
	Body strictBody[ingest.SubscriptionInput]
}

// subscriptionSecret is a subscription with its new secret, shown once.
type subscriptionSecret struct {
	Subscription ingest.Subscription `json:"subscription"`
	Secret       string              `json:"secret" doc:"The whsec_ signing secret. Shown once."`
}

type subscriptionSecretOut struct {
	Status int
	Body   subscriptionSecret
}

func (s *Server) apiCreateSubscription(ctx context.Context, in *subscriptionIn) (*subscriptionSecretOut, error) {
	sub, secret, err := s.Ingest.CreateSubscription(ctx, principal(ctx), in.Body.Value)
	if err != nil {
		return nil, err
	}
	return &subscriptionSecretOut{Status: http.StatusCreated, Body: subscriptionSecret{Subscription: sub, Secret: secret}}, nil
}

type subscriptionOut struct {
	Body ingest.Subscription
}

func (s *Server) apiGetSubscription(ctx context.Context, in *IDPath) (*subscriptionOut, error) {
	sub, err := s.Ingest.Subscription(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &subscriptionOut{Body: sub}, nil
}

func (s *Server) apiUpdateSubscription(ctx context.Context, in *subscriptionUpdateIn) (*subscriptionOut, error) {
	sub, err := s.Ingest.UpdateSubscription(ctx, principal(ctx), in.ID, in.Body.Value)
	if err != nil {
		return nil, err
	}
	return &subscriptionOut{Body: sub}, nil
}

func (s *Server) apiRotateSubscriptionSecret(ctx context.Context, in *IDPath) (*subscriptionSecretOut, error) {
	sub, secret, err := s.Ingest.RotateSecret(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &subscriptionSecretOut{Status: http.StatusOK, Body: subscriptionSecret{Subscription: sub, Secret: secret}}, nil
}

type testSendOut struct {
	Body ingest.SubscriptionTestResult
}

func (s *Server) apiTestSubscription(ctx context.Context, in *IDPath) (*testSendOut, error) {
	res, err := s.Ingest.TestSend(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &testSendOut{Body: res}, nil
}

type eventDeliveriesIn struct {
	PageQuery
	SubscriptionID string `query:"subscription_id" maxLength:"64" doc:"Only this subscription's deliveries."`
	Status         string `query:"status" enum:"pending,delivered,failed,dead,superseded" doc:"Only deliveries in this status."`
	IngestID       string `query:"ingest_id" maxLength:"26" doc:"Only this event's deliveries."`
	EventType      string `query:"event_type" maxLength:"100" doc:"Only this canonical event type."`
}

func (in eventDeliveriesIn) filter() ingest.DeliveryFilter {
	return ingest.DeliveryFilter{SubscriptionID: in.SubscriptionID, Status: ingest.DeliveryStatus(in.Status), IngestID: in.IngestID,
		EventType: in.EventType, Cursor: in.Cursor, Limit: in.Limit}
}

func (s *Server) apiListEventDeliveries(ctx context.Context, in *eventDeliveriesIn) (*PageOut[ingest.EventDelivery], error) {
	ds, next, err := s.Ingest.Deliveries(ctx, principal(ctx), in.filter())
	if err != nil {
		return nil, err
	}
	return pageOf(ds, next), nil
}

type eventDeliveryOut struct {
	Body ingest.DeliveryWithAttempts
}

func (s *Server) apiGetEventDelivery(ctx context.Context, in *IDPath) (*eventDeliveryOut, error) {
	d, err := s.Ingest.DeliveryDetail(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &eventDeliveryOut{Body: d}, nil
}

type eventRedeliverOut struct {
	Body ingest.EventDelivery
}

func (s *Server) apiRedeliverEvent(ctx context.Context, in *IDPath) (*eventRedeliverOut, error) {
	d, err := s.Ingest.Redeliver(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &eventRedeliverOut{Body: d}, nil
}
