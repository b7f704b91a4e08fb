package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/ingest"
)

// The ingest rules API: schemas and mappings, the quarantine, replay and
// the normalized events.

// ingestSchemaListIn filters the schema list.
type ingestSchemaListIn struct {
	Kind          string `query:"kind" enum:"vendor,canonical" doc:"Only vendor or canonical schemas."`
	VendorID      string `query:"vendor_id" maxLength:"100" doc:"Only this registry vendor's schemas."`
	EventType     string `query:"event_type" maxLength:"100" doc:"Only this event type."`
	SchemaVersion string `query:"schema_version" maxLength:"32" doc:"Only this schema version."`
}

type ingestSchemasOut struct {
	Body []ingest.Schema `nullable:"false"`
}

func (s *Server) apiListIngestSchemas(ctx context.Context, in *ingestSchemaListIn) (*ingestSchemasOut, error) {
	all, err := s.Ingest.Schemas(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	out := []ingest.Schema{}
	for _, sc := range all {
		if (in.Kind == "" || string(sc.Kind) == in.Kind) && (in.VendorID == "" || sc.VendorID == in.VendorID) &&
			(in.EventType == "" || sc.EventType == in.EventType) && (in.SchemaVersion == "" || sc.SchemaVersion == in.SchemaVersion) {
			out = append(out, sc)
		}
	}
	return &ingestSchemasOut{Body: out}, nil
}

type ingestSchemaUploadIn struct {
	Body strictBody[ingest.SchemaInput]
}

type ingestSchemaOut struct {
	Status int
	Body   ingest.Schema
}

func (s *Server) apiUploadIngestSchema(ctx context.Context, in *ingestSchemaUploadIn) (*ingestSchemaOut, error) {
	sc, err := s.Ingest.UploadSchema(ctx, principal(ctx), in.Body.Value)
	if err != nil {
		return nil, err
	}
	return &ingestSchemaOut{Status: http.StatusCreated, Body: sc}, nil
}

func (s *Server) apiGetIngestSchema(ctx context.Context, in *IDPath) (*ingestSchemaOut, error) {
	sc, err := s.Ingest.Schema(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &ingestSchemaOut{Status: http.StatusOK, Body: sc}, nil
}

// IngestCanonicalType is a canonical event type and the versions it has
// schemas for.
type IngestCanonicalType struct {
	Name     string   `json:"name" doc:"The type, e.g. InventoryUpdated."`
	Versions []string `json:"versions" nullable:"false" doc:"Its schema versions."`
	Builtin  bool     `json:"builtin" doc:"Shipped with VendorSync (its schema cannot be replaced)."`
}

type ingestCanonicalTypesOut struct {
	Body []IngestCanonicalType `nullable:"false"`
}

// canonicalTypes lists the canonical types of schemas, builtin first.
func canonicalTypes(schemas []ingest.Schema) []IngestCanonicalType {
	var out []IngestCanonicalType
	idx := map[string]int{}
	for _, sc := range schemas {
		if sc.Kind != ingest.SchemaCanonical {
			continue
		}
		i, ok := idx[sc.EventType]
		if !ok {
			i = len(out)
			idx[sc.EventType] = i
			out = append(out, IngestCanonicalType{Name: sc.EventType, Versions: []string{}, Builtin: sc.Builtin})
		}
		if !slices.Contains(out[i].Versions, sc.SchemaVersion) {
			out[i].Versions = append(out[i].Versions, sc.SchemaVersion)
		}
	}
	slices.SortStableFunc(out, func(a, b IngestCanonicalType) int {
		if a.Builtin != b.Builtin {
			if a.Builtin {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	for i := range out {
		slices.Sort(out[i].Versions)
	}
	return out
}

func (s *Server) apiListCanonicalTypes(ctx context.Context, _ *struct{}) (*ingestCanonicalTypesOut, error) {
	all, err := s.Ingest.Schemas(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	out := canonicalTypes(all)
	if out == nil {
		out = []IngestCanonicalType{}
	}
	return &ingestCanonicalTypesOut{Body: out}, nil
}

// ingestMappingListIn filters the mapping list.
type ingestMappingListIn struct {
	VendorID  string `query:"vendor_id" maxLength:"100" doc:"Only this registry vendor's mappings."`
	EventType string `query:"event_type" maxLength:"100" doc:"Only mappings of this vendor eventType."`
}

type ingestMappingsOut struct {
	Body []ingest.Mapping `nullable:"false"`
}

func (s *Server) apiListIngestMappings(ctx context.Context, in *ingestMappingListIn) (*ingestMappingsOut, error) {
	all, err := s.Ingest.Mappings(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	out := []ingest.Mapping{}
	for _, m := range all {
		if (in.VendorID == "" || m.VendorID == in.VendorID) && (in.EventType == "" || m.EventType == in.EventType) {
			out = append(out, m)
		}
	}
	return &ingestMappingsOut{Body: out}, nil
}

type ingestMappingSaveIn struct {
	Body strictBody[ingest.MappingInput]
}

type ingestMappingOut struct {
	Status int
	Body   ingest.Mapping
}

func (s *Server) apiSaveIngestMapping(ctx context.Context, in *ingestMappingSaveIn) (*ingestMappingOut, error) {
	m, err := s.Ingest.SaveMapping(ctx, principal(ctx), in.Body.Value)
	if err != nil {
		return nil, err
	}
	return &ingestMappingOut{Status: http.StatusCreated, Body: m}, nil
}

func (s *Server) apiGetIngestMapping(ctx context.Context, in *IDPath) (*ingestMappingOut, error) {
	m, err := s.Ingest.Mapping(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &ingestMappingOut{Status: http.StatusOK, Body: m}, nil
}

// IngestMappingTrial is a mapping run on one payload without saving it.
type IngestMappingTrial struct {
	VendorID      string          `json:"vendor_id" maxLength:"100" doc:"The registry vendor."`
	EventType     string          `json:"event_type" maxLength:"100" doc:"The vendor's eventType."`
	SchemaVersion string          `json:"schema_version,omitempty" maxLength:"32" doc:"The envelope's schemaVersion whose vendor schema the payload is checked against."`
	TargetType    string          `json:"target_type" maxLength:"100" doc:"The canonical event type, e.g. InventoryUpdated."`
	TargetVersion string          `json:"target_version,omitempty" maxLength:"32" doc:"The canonical type's version (default 1.0)."`
	Expression    string          `json:"expression" maxLength:"20000" doc:"The jq expression to try."`
	Payload       json.RawMessage `json:"payload,omitempty" doc:"The vendor payload, as JSON."`
	PayloadText   string          `json:"payload_text,omitempty" maxLength:"262144" doc:"The vendor payload as text (as typed in a form), used when payload is absent; text that is not JSON is reported, not refused."`
}

func (t IngestMappingTrial) input() (ingest.MappingInput, json.RawMessage) {
	payload := t.Payload
	if len(payload) == 0 {
		payload = json.RawMessage(t.PayloadText)
	}
	return ingest.MappingInput{VendorID: t.VendorID, EventType: t.EventType, TargetType: t.TargetType,
		TargetVersion: t.TargetVersion, Expression: t.Expression}, payload
}

type ingestTrialIn struct {
	Body strictBody[IngestMappingTrial]
}

type ingestTrialOut struct {
	Body ingest.MappingPreview
}

func (s *Server) apiTryIngestMapping(ctx context.Context, in *ingestTrialIn) (*ingestTrialOut, error) {
	m, payload := in.Body.Value.input()
	pv, err := s.Ingest.PreviewMapping(ctx, principal(ctx), m, strings.TrimSpace(in.Body.Value.SchemaVersion), payload)
	if err != nil {
		return nil, err
	}
	return &ingestTrialOut{Body: pv}, nil
}

// ingestQuarantineIn filters the quarantine.
type ingestQuarantineIn struct {
	PageQuery
	VendorID  string    `query:"vendor_id" maxLength:"100" doc:"Only this registry vendor's events."`
	EventType string    `query:"event_type" maxLength:"100" doc:"Only this vendor eventType."`
	Reason    string    `query:"reason" enum:"unknown_event_type,no_schema,schema_invalid,no_canonical_schema,canonical_invalid,mapping_error,invalid_envelope" doc:"Only events set aside for this reason."`
	Status    string    `query:"status" enum:"QUARANTINED,FAILED_NORMALIZE" doc:"Only QUARANTINED or only FAILED_NORMALIZE (default both)."`
	Since     time.Time `query:"since" doc:"Received at or after (RFC 3339)."`
	Until     time.Time `query:"until" doc:"Received before (RFC 3339)."`
}

func (in ingestQuarantineIn) filter() ingest.Filter {
	return ingest.Filter{VendorID: in.VendorID, EventType: in.EventType, Reason: in.Reason, Status: ingest.Status(in.Status),
		Since: timePtr(in.Since), Until: timePtr(in.Until), Cursor: in.Cursor, Limit: in.Limit}
}

// IngestQuarantined is a quarantined or failed event with where to read
// its raw bytes.
type IngestQuarantined struct {
	ingest.Event
	RawURL string `json:"raw_url" doc:"The exact bytes received."`
}

func quarantined(evs []ingest.Event) []IngestQuarantined {
	out := make([]IngestQuarantined, len(evs))
	for i, e := range evs {
		if e.Errors == nil {
			e.Errors = []string{}
		}
		out[i] = IngestQuarantined{Event: e, RawURL: "/api/v1/ingest/events/" + e.ID + "/raw"}
	}
	return out
}

func (s *Server) apiListQuarantine(ctx context.Context, in *ingestQuarantineIn) (*PageOut[IngestQuarantined], error) {
	evs, next, err := s.Ingest.Quarantine(ctx, principal(ctx), in.filter())
	if err != nil {
		return nil, err
	}
	return pageOf(quarantined(evs), next), nil
}

type ingestReplayIn struct {
	Body strictBody[ingest.Selection]
}

type ingestReplayOut struct {
	Body ingest.ReplayResult
}

func (s *Server) apiReplayIngest(ctx context.Context, in *ingestReplayIn) (*ingestReplayOut, error) {
	res, err := s.Ingest.Replay(ctx, principal(ctx), in.Body.Value)
	if err != nil {
		return nil, err
	}
	return &ingestReplayOut{Body: res}, nil
}

type ingestHistoryOut struct {
	Body ingest.NormalizedHistory
}

func (s *Server) apiGetNormalizedEvent(ctx context.Context, in *IDPath) (*ingestHistoryOut, error) {
	h, err := s.Ingest.NormalizedWithRevisions(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &ingestHistoryOut{Body: h}, nil
}

// normalizedListIn filters the normalized events.
type normalizedListIn struct {
	PageQuery
	Type     string    `query:"type" maxLength:"100" doc:"Only this canonical event type, e.g. InventoryUpdated."`
	VendorID string    `query:"vendor_id" maxLength:"100" doc:"Only this registry vendor's events."`
	Since    time.Time `query:"since" doc:"Occurred at or after (RFC 3339)."`
	Until    time.Time `query:"until" doc:"Occurred before (RFC 3339)."`
}

func (s *Server) apiListNormalizedEvents(ctx context.Context, in *normalizedListIn) (*PageOut[ingest.NormalizedEvent], error) {
	evs, next, err := s.Ingest.NormalizedEvents(ctx, principal(ctx), ingest.NormalizedFilter{EventType: in.Type, VendorID: in.VendorID,
		Since: timePtr(in.Since), Until: timePtr(in.Until), Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(evs, next), nil
}

var (
	docListIngestSchemas = readDoc("List ingest schemas", "Every revision of the organisation's JSON Schemas (vendor payloads per vendor, "+
		"eventType and schemaVersion; canonical types of its own), newest first, then the canonical types shipped with VendorSync.")
	docUploadIngestSchema = createDoc("Upload a schema", "A JSON Schema (2020-12 unless its $schema says otherwise) of a vendor's payload of "+
		"one eventType at one schemaVersion, or of a canonical type of your own. Uploading the same key again adds a revision; the newest "+
		"applies to events normalized or replayed from now on. 422 names each bad field; a schema that does not compile is refused with "+
		"the compiler's message. $ref may only point inside the document.")
	docGetIngestSchema   = readDoc("Get a schema", "One schema revision; shipped canonical schemas have ids builtin:<Type>-<version>.")
	docListCanonicalType = readDoc("List canonical event types", "The canonical types mappings may produce, with their schema versions: "+
		"the shipped ones (InventoryUpdated, OrderUpdated, ShipmentUpdated, PriceUpdated) and the organisation's own.")
	docListIngestMappings = readDoc("List mappings", "Every version of the organisation's mappings, newest first.")
	docGetIngestMapping   = readDoc("Get a mapping", "One mapping version, with the sample payloads it was checked against.")
	docSaveIngestMapping  = createDoc("Save a mapping", "A jq expression that turns a vendor's payload of one eventType into a canonical "+
		"event's data, saved as the next version (the newest applies). It is first run on every sample payload: a sample that breaks the "+
		"vendor's schema, makes the expression fail, or maps to data that breaks the canonical schema is refused with 422 naming samples[i].")
	docTryIngestMapping = huma.Operation{Summary: "Try a mapping", SkipValidateBody: true, Description: "Runs a mapping expression " +
		"on one payload without saving anything and answers what it gives: the canonical data, or the mapping's error, and where the " +
		"payload or the data break their schemas (valid says whether all is well). A payload that is not JSON is reported the same way. " +
		"An expression that does not parse or compile, or a missing field, is 422 naming it."}
	docListQuarantine = readDoc("List the quarantine", "Events normalization set aside (QUARANTINED and FAILED_NORMALIZE), newest first, "+
		"by vendor, eventType, reason and time received, each with the validator's messages and a link to its raw bytes. Fix the schema "+
		"or the mapping, then replay.")
	docReplayIngest = huma.Operation{Summary: "Replay events", SkipValidateBody: true, Description: "Normalizes the selected events again " +
		"with today's schemas and mappings, and answers how many were selected and what became of them. Select by ingest_id, vendor_id, " +
		"event_type, schema_version, status, quarantine (QUARANTINED or FAILED_NORMALIZE), reason and a since/until window of receipt; " +
		"at least one is required. A replay revises a normalized event in place: its revision goes up only when its bytes change, so " +
		"replaying with the same mapping changes nothing. More than 20,000 events replay in the background instead: the answer then " +
		"carries the replay as job (counts 0); follow its progress at GET /api/v1/ingest/replays/{id} or cancel it."}
	docGetNormalizedEvent = readDoc("Get an event's normalized output", "The canonical event made from an ingest event (404 until it is "+
		"NORMALIZED), with each archived revision, newest first.")
	docListNormalizedEvents = readDoc("List normalized events", "Canonical events in ingest order, by canonical type, vendor and time "+
		"occurred, each exactly as downstream consumers receive it (event) with its revision and SHA-256.")
)
