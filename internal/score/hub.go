package score

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// HubSecretName is the tenant secret (Settings → Secrets) that signs hub
// deliveries: "whsec_" and the base64 key, as Standard Webhooks senders
// issue it. Several secrets separated by spaces are all accepted, for
// rotation.
const HubSecretName = "score-hub"

// HubTolerance is how far a delivery's timestamp may be from our clock.
const HubTolerance = stdwebhook.Tolerance

// errHub is every verification failure: the caller learns nothing about
// which part failed, or whether the organisation exists.
var errHub = apperr.E(apperr.Unauthorized, "the signature does not verify")

// VerifyHub checks a Standard Webhooks signature on the raw body before
// anything parses it (see internal/stdwebhook): any of secrets may match,
// and the timestamp must be within HubTolerance of now.
func VerifyHub(secrets []string, id, timestamp, signature string, body []byte, now time.Time) error {
	switch err := stdwebhook.Verify(secrets, id, timestamp, signature, body, now); {
	case err == nil:
		return nil
	case errors.Is(err, stdwebhook.ErrTimestamp):
		return apperr.E(apperr.Unauthorized, "%s", err.Error())
	}
	return errHub
}

// HubDelivery is what the hub endpoint receives: the headers and the raw
// body.
type HubDelivery struct {
	Tenant    string // the organisation's slug, from the path
	ID        string // webhook-id
	Timestamp string // webhook-timestamp
	Signature string // webhook-signature
	Body      []byte
}

// hubBody is the body of a delivery.
type hubBody struct {
	Source  string       `json:"source,omitempty"`
	Signals []Submission `json:"signals"`
}

// Hub verifies and submits a signed delivery of signals. Verification runs
// on the raw bytes before any parsing; any failure, an unknown
// organisation included, answers the same unauthorized error.
func (s *Service) Hub(ctx context.Context, d HubDelivery) ([]ItemResult, error) {
	t, err := s.Store.TenantBySlug(ctx, d.Tenant)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !t.IsActive) {
		return nil, errHub
	}
	if err != nil {
		return nil, fmt.Errorf("score.Hub: %w", err)
	}
	sec, err := s.Store.Secret(ctx, t.ID, HubSecretName)
	if apperr.Is(err, apperr.NotFound) {
		return nil, errHub
	}
	if err != nil {
		return nil, fmt.Errorf("score.Hub: %w", err)
	}
	if err := VerifyHub(strings.Fields(string(sec)), d.ID, d.Timestamp, d.Signature, d.Body, s.now()); err != nil {
		return nil, err
	}
	var b hubBody
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, apperr.Invalidf("the body must be {\"source\", \"signals\": [...]}: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if b.Source == "" {
		b.Source = "hub"
	}
	return s.Submit(ctx, auth.System(t.ID), b.Source, b.Signals)
}
