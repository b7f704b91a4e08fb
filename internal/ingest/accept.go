package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// KeyVendor returns the vendor an ingest key speaks for. A key of a vendor
// no longer set up for ingest is refused.
func (s *Service) KeyVendor(ctx context.Context, p auth.Principal) (VendorSetup, error) {
	if err := p.Require(auth.PermIngest); err != nil {
		return VendorSetup{}, err
	}
	if p.VendorID == "" {
		return VendorSetup{}, apperr.E(apperr.Forbidden, "this API key is not an ingest key of a vendor")
	}
	v, err := s.limits.vendor(ctx, s.now(), p.TenantID, p.VendorID, func() (VendorSetup, error) {
		ctx := context.WithoutCancel(ctx) // the read serves every request waiting for it
		return s.Store.IngestVendor(ctx, p.TenantID, p.VendorID)
	})
	if apperr.Is(err, apperr.NotFound) {
		return VendorSetup{}, apperr.E(apperr.Forbidden, "the key's vendor is not set up for ingest")
	}
	if err != nil {
		return VendorSetup{}, unavailable(err)
	}
	return v, nil
}

// Admit spends one request of v's rate budget and checks a declared body
// size against its payload limit, before the body is read: 429 with a
// Retry-After, or 413. contentLength is -1 when unknown. batch requests
// may carry up to MaxBatch payloads.
func (s *Service) Admit(v VendorSetup, contentLength int64, batch bool) error {
	if ok, wait := s.limits.allow(v, s.now()); !ok {
		s.refuse(v, "rate_limited")
		e := apperr.E(apperr.TooMany, "vendor %s sends more than %g requests per second", v.VendorKey, v.RatePerSecond)
		e.RetryAfter = wait
		return e
	}
	if limit := bodyLimit(v, batch); contentLength > limit {
		s.refuse(v, "too_large")
		return tooLarge(limit)
	}
	return nil
}

// bodyLimit is the largest body a request of v may have.
func bodyLimit(v VendorSetup, batch bool) int64 {
	if batch {
		return min(MaxBatchBytes, v.MaxPayloadBytes*MaxBatch)
	}
	return v.MaxPayloadBytes
}

// BodyLimit is the largest body a request of v may have, for readers that
// stop at it.
func BodyLimit(v VendorSetup, batch bool) int64 { return bodyLimit(v, batch) }

func tooLarge(limit int64) error {
	return apperr.E(apperr.TooLarge, "the body is larger than this vendor's limit of %d bytes", limit)
}

// Accept stores one event sent by vendor v (raw is the exact request
// body): RECEIVED with a new ingest id the first time its
// externalEventId is seen, DUPLICATE with the original id when it comes
// again with the same payload, a conflict naming the original when it comes
// with another payload. The answer comes only after the commit.
func (s *Service) Accept(ctx context.Context, v VendorSetup, raw []byte, ch Channel) (AcceptResult, error) {
	defer s.metrics().stage("accept", time.Now())
	if int64(len(raw)) > v.MaxPayloadBytes {
		s.refuse(v, "too_large")
		return AcceptResult{}, tooLarge(v.MaxPayloadBytes)
	}
	env, err := ParseEnvelope(raw)
	if err != nil {
		s.refuse(v, "invalid")
		return AcceptResult{}, err
	}
	if env.VendorID != v.VendorKey {
		s.refuse(v, "forbidden")
		return AcceptResult{}, apperr.E(apperr.Forbidden, "vendorId %q is not the vendor of this credential (%s)", env.VendorID, v.VendorKey)
	}
	ev := s.newEvent(v, env, raw, ch)
	prior, err := s.commit(ctx, []Event{ev})
	if err != nil {
		return AcceptResult{}, unavailable(err)
	}
	r := s.outcome(ev, prior[0])
	s.metrics().accepted(r)
	if r.Error == "conflict" {
		return AcceptResult{}, apperr.E(apperr.Conflict, "%s", r.Message).With("ingestId", r.IngestID)
	}
	return r, nil
}

// ParseBatch reads a batch body, {"events": [envelope, …]}, into its
// 1 to MaxBatch items, each the exact bytes of one envelope (parsed one
// by one later, so a bad item never stops the rest).
func ParseBatch(body []byte) ([]json.RawMessage, error) {
	var b struct {
		Events []json.RawMessage `json:"events"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return nil, apperr.Invalidf(`the body must be {"events": [envelope, …]}`)
	}
	if err := dec.Decode(&b); err != nil {
		return nil, apperr.Invalidf(`the body must be {"events": [envelope, …]}: %s`, strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, apperr.Invalidf(`the body must be one {"events": [envelope, …]} object with nothing after it`)
	}
	var v apperr.Validation
	v.Check(len(b.Events) > 0, "events", "must hold at least one envelope")
	v.Check(len(b.Events) <= MaxBatch, "events", "must hold at most %d envelopes", MaxBatch)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return b.Events, nil
}

func (s *Service) jobs(tenantID string) []jobargs.Args {
	if s.Consequences.Accepted == nil {
		return nil
	}
	return s.Consequences.Accepted(tenantID)
}

func (s *Service) newEvent(v VendorSetup, env Envelope, raw []byte, ch Channel) Event {
	now := s.now()
	id := s.ids.next(now)
	return Event{ID: id, TenantID: v.TenantID, VendorID: v.VendorID, VendorKey: v.VendorKey, ExternalEventID: env.ExternalEventID,
		EventType: env.EventType, SchemaVersion: env.SchemaVersion, OccurredAt: env.OccurredAt, ReceivedAt: now, Channel: ch,
		PayloadSHA256: payloadSHA256(env.Payload), RawRef: RawRef{Key: rawKey(v.VendorKey, now, id), SHA256: sha256Hex(raw)},
		RawSize: len(raw), Status: Received, Raw: raw}
}

// outcome is the answer for ev given the event already stored under its
// key (nil when ev is new).
func (s *Service) outcome(ev Event, prior *Event) AcceptResult {
	r := AcceptResult{ExternalEventID: ev.ExternalEventID}
	switch {
	case prior == nil:
		r.IngestID, r.Status, r.RawRef = ev.ID, Received, &ev.RawRef
		s.log().DebugContext(context.Background(), "ingest accepted", append(ev.logKeys(), "rawKey", ev.RawRef.Key, "status", Received)...)
	case isDuplicate(ev, prior):
		r.IngestID, r.Status, r.RawRef = prior.ID, Duplicate, &prior.RawRef
		s.log().DebugContext(context.Background(), "ingest duplicate", "ingestId", prior.ID, "vendorId", ev.VendorKey,
			"externalEventId", ev.ExternalEventID, "status", Duplicate)
	default:
		s.log().InfoContext(context.Background(), "ingest conflict: another payload under a stored externalEventId; nothing stored",
			"ingestId", prior.ID, "vendorId", ev.VendorKey, "externalEventId", ev.ExternalEventID)
		r.IngestID, r.Error = prior.ID, "conflict"
		r.Message = "externalEventId " + ev.ExternalEventID + " was accepted before as ingest " + prior.ID +
			" with a different payload; nothing was stored"
	}
	return r
}

// AcceptBatch stores up to MaxBatch events of vendor v in one commit, with
// a result per item in order; a bad item never stops the rest. body is
// {"events": [envelope, …]}.
func (s *Service) AcceptBatch(ctx context.Context, v VendorSetup, body []byte) ([]AcceptResult, error) {
	items, err := ParseBatch(body)
	if err != nil {
		return nil, err
	}
	defer s.metrics().stage("accept", time.Now())
	out := make([]AcceptResult, len(items))
	var evs []Event
	var at []int
	for i, raw := range items {
		out[i].Index = i + 1
		if int64(len(raw)) > v.MaxPayloadBytes {
			out[i].Error, out[i].Message = "too_large", apperr.MessageOf(tooLarge(v.MaxPayloadBytes))
			continue
		}
		env, err := ParseEnvelope(raw)
		if err != nil {
			out[i].Error, out[i].Message = "invalid", apperr.MessageOf(err)
			for _, f := range apperr.FieldsOf(err) {
				out[i].Fields = append(out[i].Fields, FieldError{Field: f.Field, Message: f.Message})
			}
			continue
		}
		out[i].ExternalEventID = env.ExternalEventID
		if env.VendorID != v.VendorKey {
			out[i].Error, out[i].Message = "forbidden", "vendorId "+env.VendorID+" is not the vendor of this credential ("+v.VendorKey+")"
			continue
		}
		evs, at = append(evs, s.newEvent(v, env, raw, ChannelBatch)), append(at, i)
	}
	for _, r := range out {
		if r.Error != "" {
			s.refuse(v, r.Error)
		}
	}
	if len(evs) == 0 {
		return out, nil
	}
	prior, err := s.commit(ctx, evs)
	if err != nil {
		return nil, unavailable(err)
	}
	for k, i := range at {
		r := s.outcome(evs[k], prior[k])
		r.Index = i + 1
		out[i] = r
		s.metrics().accepted(r)
	}
	return out, nil
}
