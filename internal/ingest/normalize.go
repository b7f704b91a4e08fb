package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/oklog/ulid/v2"
)

// Reasons an event is quarantined or failed, machine-readable.
const (
	ReasonUnknownEventType = "unknown_event_type"  // no mapping for the vendor's eventType
	ReasonNoSchema         = "no_schema"           // no schema for the vendor's eventType and schemaVersion
	ReasonSchemaInvalid    = "schema_invalid"      // the payload breaks the vendor's schema
	ReasonNoCanonical      = "no_canonical_schema" // the mapping's canonical type has no schema
	ReasonCanonicalInvalid = "canonical_invalid"   // the mapped data breaks the canonical schema
	ReasonMappingError     = "mapping_error"       // the mapping failed, timed out or gave no single object
	ReasonBadEnvelope      = "invalid_envelope"    // the stored bytes no longer read as an envelope
)

// Reasons lists every reason, for filters.
var Reasons = []string{ReasonUnknownEventType, ReasonNoSchema, ReasonSchemaInvalid, ReasonNoCanonical, ReasonCanonicalInvalid,
	ReasonMappingError, ReasonBadEnvelope}

// NormalizedEvent is the canonical event made from an ingest event. Body
// is exactly what downstream consumers get (the seed's output shape);
// a replay that changes it revises it in place with the next revision.
type NormalizedEvent struct {
	IngestID       string          `json:"ingestId"`
	TenantID       string          `json:"-"`
	VendorID       string          `json:"vendor_id" doc:"The registry vendor."`
	EventType      string          `json:"eventType" doc:"The canonical event type."`
	SchemaVersion  string          `json:"schemaVersion"`
	OccurredAt     time.Time       `json:"occurredAt"`
	MappingID      string          `json:"mapping_id"`
	MappingVersion int             `json:"mapping_version"`
	Revision       int             `json:"revision" doc:"1 when first normalized; a replay that changes the event adds one."`
	Body           json.RawMessage `json:"event" doc:"The normalized event: ingestId, vendorId, externalEventId, eventType, schemaVersion, occurredAt, data, rawRef."`
	SHA256         string          `json:"sha256" doc:"SHA-256 of the event's bytes."`
	NormalizedAt   time.Time       `json:"normalizedAt"`
	ArchivedAt     *time.Time      `json:"archivedAt,omitempty"`
	BlobKey        string          `json:"blobKey" doc:"Where this revision is archived: normalized/<eventType>/YYYY/MM/DD/<ingestId>.json (revision 1) or <ingestId>.r<revision>.json."`
}

// NormalizedKey is the blob key of a revision of a normalized event, dated
// by the day its ingest event was received (its ULID's time). The blob
// store is write-once, so a later revision gets a key of its own.
func NormalizedKey(eventType, ingestID string, revision int) string {
	day := "0000/00/00"
	if id, err := ulid.ParseStrict(ingestID); err == nil {
		day = ulid.Time(id.Time()).UTC().Format("2006/01/02")
	}
	name := ingestID
	if revision > 1 {
		name = fmt.Sprintf("%s.r%d", ingestID, revision)
	}
	return "normalized/" + eventType + "/" + day + "/" + name + ".json"
}

// Outcome is what normalizing one event came to.
type Outcome struct {
	EventID    string
	Status     Status
	Reason     string
	Errors     []string
	Normalized *NormalizedEvent // when Status is Normalized
	At         time.Time
	// RawArchived says that the pass normalizing the event also archived
	// its raw bytes (flushed to disk): the outcome records the event
	// archived at At as well.
	RawArchived bool
	// eventType and shape are the envelope's eventType and its payload's
	// shape (see payloadShape), taken from the decoding done to validate
	// it, so that learning the profile of a newly received event decodes
	// nothing again; shape is nil when normalizing stopped before the
	// payload was decoded.
	eventType string
	shape     map[string]bool
}

// normalizedDoc is the normalized event's wire shape, in the seed's field
// order.
type normalizedDoc struct {
	IngestID        string          `json:"ingestId"`
	VendorID        string          `json:"vendorId"`
	ExternalEventID string          `json:"externalEventId"`
	EventType       string          `json:"eventType"`
	SchemaVersion   string          `json:"schemaVersion"`
	OccurredAt      string          `json:"occurredAt"`
	Data            json.RawMessage `json:"data"`
	RawRef          RawRef          `json:"rawRef"`
}

// rules are a tenant's schemas and mappings, newest applying, loaded once
// per run.
type rules struct {
	mappings     map[[2]string]Mapping // vendor, eventType
	vendor       map[[3]string]Schema  // vendor, eventType, schemaVersion
	vendorLatest map[[2]string]Schema  // vendor, eventType: the last uploaded
	canon        map[[2]string]Schema  // type, version (tenant-defined)
}

func (s *Service) loadRules(ctx context.Context, tenantID string) (*rules, error) {
	schemas, err := s.Store.ListSchemas(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("ingest rules: %w", err)
	}
	maps, err := s.Store.ListEventMappings(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("ingest rules: %w", err)
	}
	r := &rules{mappings: map[[2]string]Mapping{}, vendor: map[[3]string]Schema{}, vendorLatest: map[[2]string]Schema{},
		canon: map[[2]string]Schema{}}
	// Both lists are newest first: the first seen of a key applies.
	for _, sc := range schemas {
		switch sc.Kind {
		case SchemaVendor:
			if _, ok := r.vendor[[3]string{sc.VendorID, sc.EventType, sc.SchemaVersion}]; !ok {
				r.vendor[[3]string{sc.VendorID, sc.EventType, sc.SchemaVersion}] = sc
			}
			if _, ok := r.vendorLatest[[2]string{sc.VendorID, sc.EventType}]; !ok {
				r.vendorLatest[[2]string{sc.VendorID, sc.EventType}] = sc
			}
		case SchemaCanonical:
			if _, ok := r.canon[[2]string{sc.EventType, sc.SchemaVersion}]; !ok {
				r.canon[[2]string{sc.EventType, sc.SchemaVersion}] = sc
			}
		}
	}
	for _, m := range maps {
		if _, ok := r.mappings[[2]string{m.VendorID, m.EventType}]; !ok {
			r.mappings[[2]string{m.VendorID, m.EventType}] = m
		}
	}
	return r, nil
}

// vendorSchema is the schema of a vendor's event type at a schemaVersion;
// an envelope without one is checked against the last uploaded.
func (r *rules) vendorSchema(vendorID, eventType, version string) (Schema, bool) {
	if version == "" {
		sc, ok := r.vendorLatest[[2]string{vendorID, eventType}]
		return sc, ok
	}
	sc, ok := r.vendor[[3]string{vendorID, eventType, version}]
	return sc, ok
}

// canonical is the schema of a canonical type: shipped, or the tenant's.
func (r *rules) canonical(typ, version string) (Schema, bool) {
	if sc, ok := builtinSchemas[[2]string{typ, version}]; ok {
		return sc, true
	}
	sc, ok := r.canon[[2]string{typ, version}]
	return sc, ok
}

// normalizeOne validates an event's payload, maps it and validates the
// result. It reads only the event's stored bytes and the rules, so the
// same bytes and mapping version give byte-identical output.
func (s *Service) normalizeOne(ctx context.Context, r *rules, ev Event, at time.Time) Outcome {
	out := Outcome{EventID: ev.ID, At: at}
	quarantine := func(reason string, msgs ...string) Outcome {
		out.Status, out.Reason, out.Errors = Quarantined, reason, msgs
		return out
	}
	env, err := ParseEnvelope(ev.Raw)
	if err != nil {
		return quarantine(ReasonBadEnvelope, err.Error())
	}
	m, ok := r.mappings[[2]string{ev.VendorID, env.EventType}]
	if !ok {
		return quarantine(ReasonUnknownEventType, fmt.Sprintf("no mapping for eventType %s of vendor %s", env.EventType, env.VendorID))
	}
	vs, ok := r.vendorSchema(ev.VendorID, env.EventType, env.SchemaVersion)
	if !ok {
		return quarantine(ReasonNoSchema, fmt.Sprintf("no schema for eventType %s schemaVersion %q of vendor %s", env.EventType, env.SchemaVersion, env.VendorID))
	}
	payload, err := decodePayload(env.Payload)
	if err != nil {
		return quarantine(ReasonBadEnvelope, "the payload is not JSON: "+err.Error())
	}
	if ev.Status == Received {
		// Before the mapping and validators see the payload, which they
		// are not meant to change.
		out.eventType, out.shape = env.EventType, shapeOf(payload)
	}
	sch, err := s.compiled.schema(vs)
	if err != nil {
		return quarantine(ReasonNoSchema, err.Error())
	}
	if err := sch.Validate(payload); err != nil {
		return quarantine(ReasonSchemaInvalid, validationMessages(err)...)
	}
	code, err := s.compiled.mapping(m)
	if err != nil {
		out.Status, out.Reason, out.Errors = FailedNormalize, ReasonMappingError, []string{err.Error()}
		return out
	}
	data, err := runMapping(ctx, code, payload)
	if err != nil {
		out.Status, out.Reason, out.Errors = FailedNormalize, ReasonMappingError, []string{err.Error()}
		return out
	}
	cs, ok := r.canonical(m.TargetType, m.TargetVersion)
	if !ok {
		return quarantine(ReasonNoCanonical, fmt.Sprintf("no schema for canonical type %s version %s", m.TargetType, m.TargetVersion))
	}
	csch, err := s.compiled.schema(cs)
	if err != nil {
		return quarantine(ReasonNoCanonical, err.Error())
	}
	dv, err := decodePayload(data)
	if err != nil {
		out.Status, out.Reason, out.Errors = FailedNormalize, ReasonMappingError, []string{err.Error()}
		return out
	}
	if err := csch.Validate(dv); err != nil {
		return quarantine(ReasonCanonicalInvalid, validationMessages(err)...)
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	doc := normalizedDoc{IngestID: ev.ID, VendorID: env.VendorID, ExternalEventID: env.ExternalEventID, EventType: m.TargetType,
		SchemaVersion: m.TargetVersion, OccurredAt: env.OccurredAt.UTC().Format(time.RFC3339Nano), Data: data,
		RawRef: RawRef{Key: ev.RawRef.Key, SHA256: ev.RawRef.SHA256}}
	if err := enc.Encode(doc); err != nil {
		out.Status, out.Reason, out.Errors = FailedNormalize, ReasonMappingError, []string{err.Error()}
		return out
	}
	b := bytes.TrimSuffix(body.Bytes(), []byte("\n"))
	out.Status = Normalized
	out.Normalized = &NormalizedEvent{IngestID: ev.ID, TenantID: ev.TenantID, VendorID: ev.VendorID, EventType: m.TargetType,
		SchemaVersion: m.TargetVersion, OccurredAt: env.OccurredAt, MappingID: m.ID, MappingVersion: m.Version, Body: b,
		SHA256: sha256Hex(b), NormalizedAt: at}
	return out
}

// normalizeBatch is how many events one round of normalization takes;
// their outcomes are written in chunks (see inChunks).
const normalizeBatch = 500

// Normalize normalizes the tenant's RECEIVED events until none is left,
// archiving the normalized events meanwhile, and returns how many it took.
// Accepts only enqueue it: its trouble never reaches a sender.
func (s *Service) Normalize(ctx context.Context, tenantID string) (int, error) {
	return s.normalizing.pass(tenantID, false, func(done func() bool) (int, error) { return s.normalize(ctx, tenantID, done) })
}

// NormalizeWaiting normalizes the tenant's RECEIVED events as Normalize
// does, unless a pass over them is under way in this process: that pass
// then looks once more before it stops, and NormalizeWaiting returns 0 at
// once. Jobs and the sweep use it.
func (s *Service) NormalizeWaiting(ctx context.Context, tenantID string) (int, error) {
	return s.normalizing.pass(tenantID, true, func(done func() bool) (int, error) { return s.normalize(ctx, tenantID, done) })
}

// normalize is a pass over the tenant's RECEIVED events; done says
// whether a pass that found none left may stop.
func (s *Service) normalize(ctx context.Context, tenantID string, done func() bool) (int, error) {
	r, err := s.loadRules(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	arch := s.archiveBehind(ctx, tenantID)
	n := 0
	// learned are the vendors learned about since the last measure, which
	// waits until the pass has caught up with the events waiting.
	learned := map[string]string{}
	defer func() { s.measure(ctx, tenantID, learned) }()
	pa := pause{pass: "normalize"}
	for {
		s.acceptsFirst(ctx, tenantID, &pa)
		evs, err := s.Store.ReceivedEvents(ctx, tenantID, normalizeBatch)
		if err != nil {
			arch.stop()
			return n, fmt.Errorf("ingest.Normalize %s: %w", tenantID, err)
		}
		if len(evs) == 0 {
			if done() {
				break
			}
			continue
		}
		vendors, err := s.apply(ctx, r, tenantID, evs)
		if err != nil {
			arch.stop()
			return n, err
		}
		maps.Copy(learned, vendors)
		if len(evs) < normalizeBatch {
			s.measure(ctx, tenantID, learned)
			clear(learned)
		}
		arch.kick()
		n += len(evs)
	}
	if err := arch.stop(); err != nil {
		return n, err
	}
	_, err = s.ArchiveNormalized(ctx, tenantID)
	return n, err
}

// archiver archives a tenant's normalized events in the background while
// more are normalized, so that writing and flushing files overlaps with
// normalizing.
type archiver struct {
	kicks chan struct{}
	done  chan error
}

// archiveBehind starts an archiver for tenantID.
func (s *Service) archiveBehind(ctx context.Context, tenantID string) *archiver {
	a := &archiver{kicks: make(chan struct{}, 1), done: make(chan error, 1)}
	go func() {
		var first error
		for range a.kicks {
			if first != nil {
				continue
			}
			if _, err := s.ArchiveNormalized(ctx, tenantID); err != nil {
				first = err
			}
		}
		a.done <- first
	}()
	return a
}

// kick asks for a round of archiving; kicks while one runs make one more.
func (a *archiver) kick() {
	select {
	case a.kicks <- struct{}{}:
	default:
	}
}

// stop waits for the archiver to finish and returns its first error.
func (a *archiver) stop() error {
	close(a.kicks)
	return <-a.done
}

// apply normalizes events, archives the raw bytes of those not archived
// yet and the normalized bytes of those newly received, stores the
// outcomes in chunks (see inChunks), then learns their payloads; it
// returns the vendors learned about.
func (s *Service) apply(ctx context.Context, r *rules, tenantID string, evs []Event) (map[string]string, error) {
	defer s.metrics().stage("normalize", time.Now())
	at := s.now()
	outs := make([]Outcome, len(evs))
	for i, ev := range evs {
		outs[i] = s.normalizeOne(ctx, r, ev, at)
		if outs[i].Status != Normalized {
			s.log().InfoContext(ctx, "ingest event not normalized", append(ev.logKeys(), "status", outs[i].Status, "reason", outs[i].Reason)...)
		}
	}
	s.archiveOutcomes(ctx, evs, outs)
	saved := 0
	err := s.inChunks(len(outs), func(from, to int) error {
		if err := s.Store.SaveOutcomes(ctx, tenantID, outs[from:to], s.deliverJobs(tenantID)); err != nil {
			return fmt.Errorf("ingest normalize %s: %w", tenantID, err)
		}
		saved = to
		return nil
	})
	// What is stored is counted and learned, even when a later chunk
	// failed: the next pass does not see those events again.
	for _, o := range outs[:saved] {
		s.metrics().outcome(o)
	}
	return s.learn(ctx, tenantID, evs[:saved], outs[:saved]), err
}

// NormalizeAll normalizes every tenant's waiting events (the periodic
// sweep).
func (s *Service) NormalizeAll(ctx context.Context) (int, error) {
	ts, err := s.Store.TenantsWithReceived(ctx)
	if err != nil {
		return 0, fmt.Errorf("ingest.NormalizeAll: %w", err)
	}
	n := 0
	for _, t := range ts {
		k, err := s.NormalizeWaiting(ctx, t)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// ArchiveNormalized writes the tenant's normalized events not archived yet
// to the blob store (write-once, each revision under its own key).
func (s *Service) ArchiveNormalized(ctx context.Context, tenantID string) (int, error) {
	n := 0
	for {
		evs, err := s.Store.UnarchivedNormalized(ctx, tenantID, archiveBatch)
		if err != nil || len(evs) == 0 {
			return n, err
		}
		errs := eachAtOnce(len(evs), func(i int) error {
			_, err := s.Blobs.Put(ctx, evs[i].BlobKey, bytes.NewReader(evs[i].Body))
			return err
		})
		var done []NormalizedEvent
		var first error
		for i, ne := range evs {
			if errs[i] == nil {
				done = append(done, ne)
				continue
			}
			s.log().ErrorContext(ctx, "ingest normalized archive failed", append(normalizedLogKeys(ne), "key", ne.BlobKey, "err", errs[i].Error())...)
			if first == nil {
				first = fmt.Errorf("ingest archive normalized %s: %w", ne.IngestID, errs[i])
			}
		}
		if first != nil {
			if len(done) > 0 && s.Blobs.Sync(ctx) == nil {
				_ = s.markNormalizedChunks(ctx, tenantID, done) // the failure is what is reported; the rest is retried
			}
			return n, first
		}
		// Recorded as archived only once the bytes are on disk.
		if err := s.Blobs.Sync(ctx); err != nil {
			return n, fmt.Errorf("ingest archive normalized: %w", err)
		}
		if err := s.markNormalizedChunks(ctx, tenantID, done); err != nil {
			return n, err
		}
		n += len(done)
	}
}

// markNormalizedChunks records that these revisions are archived, in
// chunks (see inChunks).
func (s *Service) markNormalizedChunks(ctx context.Context, tenantID string, evs []NormalizedEvent) error {
	at := s.now()
	return s.inChunks(len(evs), func(from, to int) error {
		return s.Store.MarkNormalizedArchived(ctx, tenantID, evs[from:to], at)
	})
}
