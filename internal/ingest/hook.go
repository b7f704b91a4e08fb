package ingest

import (
	"context"
	"errors"
	"net/url"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// errHook is every verification failure of the signed endpoint: the
// sender learns nothing about which part failed, or whether the
// organisation or vendor exists.
var errHook = apperr.E(apperr.Unauthorized, "the signature does not verify")

// HookVendor finds the vendor a signed delivery is addressed to: the
// organisation's slug from the path and the vendor key from ?source=.
// An unknown one answers as a bad signature does.
func (s *Service) HookVendor(ctx context.Context, slug, source string) (VendorSetup, error) {
	return s.limits.hookVendor(s.now(), slug, source, func() (VendorSetup, error) {
		ctx := context.WithoutCancel(ctx) // the read serves every request waiting for it
		t, err := s.Store.TenantBySlug(ctx, slug)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !t.IsActive) {
			return VendorSetup{}, errHook
		}
		if err != nil {
			return VendorSetup{}, unavailable(err)
		}
		v, err := s.Store.IngestVendorByKey(ctx, t.ID, source)
		if apperr.Is(err, apperr.NotFound) {
			return VendorSetup{}, errHook
		}
		if err != nil {
			return VendorSetup{}, unavailable(err)
		}
		return v, nil
	})
}

// Delivery is a Standard Webhooks delivery: its headers and raw body.
type Delivery struct {
	ID        string // webhook-id
	Timestamp string // webhook-timestamp
	Signature string // webhook-signature
	Body      []byte
}

// Hook verifies a signed delivery to vendor v on its raw bytes, before
// anything parses them, against every active signing secret of the vendor
// (rotation), then accepts its body as one envelope.
func (s *Service) Hook(ctx context.Context, v VendorSetup, d Delivery) (AcceptResult, error) {
	secrets, err := s.limits.signingSecrets(s.now(), v.TenantID, v.VendorID, func() ([]string, error) {
		ctx := context.WithoutCancel(ctx) // the read serves every request waiting for it
		return s.Store.ActiveSigningSecretValues(ctx, v.TenantID, v.VendorID)
	})
	if err != nil {
		return AcceptResult{}, unavailable(err)
	}
	if err := stdwebhook.Verify(secrets, d.ID, d.Timestamp, d.Signature, d.Body, s.now()); err != nil {
		s.refuse(v, "signature")
		if errors.Is(err, stdwebhook.ErrTimestamp) {
			return AcceptResult{}, apperr.E(apperr.Unauthorized, "%s", err.Error())
		}
		return AcceptResult{}, errHook
	}
	return s.Accept(ctx, v, d.Body, ChannelWebhook)
}

// HookPath is the address (path and query) vendor v posts signed
// deliveries to.
func (s *Service) HookPath(ctx context.Context, v VendorSetup) (string, error) {
	t, err := s.Store.IngestTenant(ctx, v.TenantID)
	if err != nil {
		return "", err
	}
	return "/hooks/ingest/" + t.Slug + "?source=" + url.QueryEscape(v.VendorKey), nil
}
