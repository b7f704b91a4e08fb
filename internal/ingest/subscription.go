package ingest

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// SecretOverlap is how long a rotated-out subscription secret keeps signing
// beside the new one, so a receiver can switch without losing deliveries.
const SecretOverlap = 24 * time.Hour

// Subscription is a tenant's webhook endpoint that receives its normalized
// events, signed per Standard Webhooks.
type Subscription struct {
	ID          string   `json:"id"`
	TenantID    string   `json:"-"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types" nullable:"false" doc:"Canonical event types delivered; empty means every type."`
	VendorID    string   `json:"vendor_id,omitempty" doc:"Only this registry vendor's events; empty means every vendor."`
	Enabled     bool     `json:"enabled"`
	// DisabledReason says why deliveries stopped when the product disabled
	// the subscription (the endpoint answered 410 Gone).
	DisabledReason     string     `json:"disabled_reason,omitempty"`
	SecretName         string     `json:"-"`
	SecretHint         string     `json:"secret_hint" doc:"The start of the signing secret, to tell secrets apart."`
	PreviousSecretName string     `json:"-"`
	PreviousExpiresAt  *time.Time `json:"previous_secret_expires_at,omitempty" doc:"Until when the rotated-out secret also signs."`
	CreatedBy          string     `json:"created_by"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// Matches says whether a normalized event goes to the subscription.
func (s Subscription) Matches(n NormalizedEvent) bool {
	if !s.Enabled || (s.VendorID != "" && s.VendorID != n.VendorID) {
		return false
	}
	return len(s.EventTypes) == 0 || slices.Contains(s.EventTypes, n.EventType)
}

// SubscriptionInput is what a tenant sets on a subscription.
type SubscriptionInput struct {
	URL         string   `json:"url" maxLength:"2000" doc:"https:// (or http://) endpoint that receives the events."`
	Description string   `json:"description,omitempty" maxLength:"500"`
	EventTypes  []string `json:"event_types,omitempty" maxItems:"50" doc:"Canonical event types to deliver, e.g. InventoryUpdated; empty for every type."`
	VendorID    string   `json:"vendor_id,omitempty" maxLength:"100" doc:"Only this registry vendor's events."`
	Enabled     *bool    `json:"enabled,omitempty" doc:"Deliver to it (default true)."`
}

var eventTypeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.\-]{0,99}$`)

// check normalizes and validates the input field by field, applying the
// outbound address policy to the URL's host unless receiver lets its
// host:port through.
func (in SubscriptionInput) check(ctx context.Context, allowPrivate bool, receiver func(hostport string) bool) (SubscriptionInput, error) {
	var v apperr.Validation
	in.URL = strings.TrimSpace(in.URL)
	in.Description = strings.TrimSpace(in.Description)
	in.VendorID = strings.TrimSpace(in.VendorID)
	u, err := url.Parse(in.URL)
	switch {
	case in.URL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "":
		v.Add("url", "must be an http:// or https:// URL")
	case u.User != nil:
		v.Add("url", "must not carry a user or password")
	case len(in.URL) > 2000:
		v.Add("url", "must be at most 2000 characters")
	case receiver(u.Host):
	default:
		if err := httpx.CheckTarget(ctx, u.Hostname(), allowPrivate); err != nil {
			msg := "the address is not allowed: link-local and cloud metadata addresses never are"
			if !allowPrivate {
				msg += "; loopback and private addresses only when the operator starts the server with --webhook-allow-private"
			}
			v.Add("url", "%s (%v)", msg, err)
		}
	}
	v.Check(len(in.Description) <= 500, "description", "must be at most 500 characters")
	v.Check(len(in.EventTypes) <= 50, "event_types", "at most 50 event types")
	var types []string
	for _, t := range in.EventTypes {
		t = strings.TrimSpace(t)
		if !eventTypeName.MatchString(t) {
			v.Add("event_types", "%q is not an event type name", t)
			continue
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	slices.Sort(types)
	in.EventTypes = types
	return in, v.Err()
}

// Subscriptions lists the tenant's subscriptions.
func (s *Service) Subscriptions(ctx context.Context, p auth.Principal) ([]Subscription, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return nil, err
	}
	return s.Store.ListSubscriptions(ctx, p.TenantID)
}

// Subscription returns one subscription.
func (s *Service) Subscription(ctx context.Context, p auth.Principal, id string) (Subscription, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return Subscription{}, err
	}
	return s.Store.Subscription(ctx, p.TenantID, id)
}

// checkVendor refuses a vendor filter naming no vendor of the tenant.
func (s *Service) checkVendor(ctx context.Context, tenantID, vendorID string) error {
	if vendorID == "" {
		return nil
	}
	if _, err := s.Store.Vendor(ctx, tenantID, vendorID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return &apperr.Error{Code: apperr.Invalid, Message: "validation failed",
				Fields: []apperr.FieldError{{Field: "vendor_id", Message: "no such vendor: " + vendorID}}}
		}
		return err
	}
	return nil
}

// newSecret generates a signing secret and its stored name.
func newSecret(subID string) (name, value, hint string) {
	value = stdwebhook.NewSecret()
	return "ingest-subscription/" + subID + "/" + ident.New(), value, value[:len(stdwebhook.SecretPrefix)+4] + "…"
}

// CreateSubscription creates a subscription with a fresh signing secret,
// returned once.
func (s *Service) CreateSubscription(ctx context.Context, p auth.Principal, in SubscriptionInput) (Subscription, string, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return Subscription{}, "", err
	}
	in, err := in.check(ctx, s.Webhooks.AllowPrivate, s.receiver)
	if err != nil {
		return Subscription{}, "", err
	}
	if err := s.checkVendor(ctx, p.TenantID, in.VendorID); err != nil {
		return Subscription{}, "", err
	}
	now := s.now()
	sub := Subscription{ID: ident.New(), TenantID: p.TenantID, URL: in.URL, Description: in.Description, EventTypes: in.EventTypes,
		VendorID: in.VendorID, Enabled: in.Enabled == nil || *in.Enabled, CreatedBy: p.Label, CreatedAt: now, UpdatedAt: now}
	if sub.EventTypes == nil {
		sub.EventTypes = []string{}
	}
	name, value, hint := newSecret(sub.ID)
	sub.SecretName, sub.SecretHint = name, hint
	ev := audit.Record(p, "ingest_subscription.create", "ingest_subscription", sub.ID, nil, sub)
	if err := s.Store.CreateSubscription(ctx, sub, []byte(value), ev); err != nil {
		return Subscription{}, "", fmt.Errorf("ingest.CreateSubscription: %w", err)
	}
	return sub, value, nil
}

// UpdateSubscription changes a subscription's endpoint, filters and
// enabled flag; enabling clears why it was disabled.
func (s *Service) UpdateSubscription(ctx context.Context, p auth.Principal, id string, in SubscriptionInput) (Subscription, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return Subscription{}, err
	}
	before, err := s.Store.Subscription(ctx, p.TenantID, id)
	if err != nil {
		return Subscription{}, err
	}
	if in, err = in.check(ctx, s.Webhooks.AllowPrivate, s.receiver); err != nil {
		return Subscription{}, err
	}
	if err := s.checkVendor(ctx, p.TenantID, in.VendorID); err != nil {
		return Subscription{}, err
	}
	sub := before
	sub.URL, sub.Description, sub.EventTypes, sub.VendorID = in.URL, in.Description, in.EventTypes, in.VendorID
	if sub.EventTypes == nil {
		sub.EventTypes = []string{}
	}
	if in.Enabled != nil {
		sub.Enabled = *in.Enabled
	}
	if sub.Enabled {
		sub.DisabledReason = ""
	}
	sub.UpdatedAt = s.now()
	ev := audit.Record(p, "ingest_subscription.update", "ingest_subscription", sub.ID, before, sub)
	if err := s.Store.UpdateSubscription(ctx, sub, ev); err != nil {
		return Subscription{}, err
	}
	s.forgetClient(sub.ID)
	return sub, nil
}

// RotateSecret gives a subscription a new signing secret, returned once.
// The previous one keeps signing beside it for SecretOverlap (deliveries
// carry both signatures), so the receiver can switch without a gap; a
// secret rotated out earlier stops at once.
func (s *Service) RotateSecret(ctx context.Context, p auth.Principal, id string) (Subscription, string, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return Subscription{}, "", err
	}
	before, err := s.Store.Subscription(ctx, p.TenantID, id)
	if err != nil {
		return Subscription{}, "", err
	}
	now := s.now()
	name, value, hint := newSecret(id)
	sub := before
	expires := now.Add(SecretOverlap)
	sub.PreviousSecretName, sub.PreviousExpiresAt = before.SecretName, &expires
	sub.SecretName, sub.SecretHint, sub.UpdatedAt = name, hint, now
	ev := audit.Record(p, "ingest_subscription.rotate_secret", "ingest_subscription", id,
		map[string]any{"secret_hint": before.SecretHint}, map[string]any{"secret_hint": hint, "previous_expires_at": expires})
	if err := s.Store.RotateSubscriptionSecret(ctx, sub, before.PreviousSecretName, []byte(value), ev); err != nil {
		return Subscription{}, "", err
	}
	return sub, value, nil
}
