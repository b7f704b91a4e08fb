package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/itchyny/gojq"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// Mapping turns a vendor's payload of one event type into a canonical
// event's data with a jq expression. Each save is a new version; the
// newest applies. The expression gets the payload as input and must give
// exactly one JSON object.
type Mapping struct {
	ID            string            `json:"id"`
	TenantID      string            `json:"-"`
	VendorID      string            `json:"vendor_id" doc:"The registry vendor."`
	EventType     string            `json:"event_type" doc:"The vendor's eventType this mapping reads."`
	Version       int               `json:"version" doc:"1 for the first save, then 2, 3…"`
	TargetType    string            `json:"target_type" doc:"The canonical event type it produces, e.g. InventoryUpdated."`
	TargetVersion string            `json:"target_version" doc:"The canonical type's schema version, e.g. 1.0."`
	Expression    string            `json:"expression" doc:"A jq expression; its input is the payload."`
	Samples       []json.RawMessage `json:"samples" nullable:"false" doc:"Payloads the mapping was checked against when saved."`
	CreatedBy     string            `json:"created_by,omitempty"`
	CreatedAt     time.Time         `json:"created_at"`
}

// MappingInput is a mapping to save (or to try).
type MappingInput struct {
	VendorID      string            `json:"vendor_id" maxLength:"100" doc:"The registry vendor."`
	EventType     string            `json:"event_type" maxLength:"100" doc:"The vendor's eventType, e.g. inventory_update."`
	TargetType    string            `json:"target_type" maxLength:"100" doc:"The canonical event type, e.g. InventoryUpdated."`
	TargetVersion string            `json:"target_version,omitempty" maxLength:"32" doc:"The canonical type's version (default 1.0)."`
	Expression    string            `json:"expression" maxLength:"20000" doc:"A jq expression, e.g. {sku: .sku, warehouseId: .warehouse, quantityOnHand: .qty}."`
	Samples       []json.RawMessage `json:"samples,omitempty" maxItems:"20" doc:"Vendor payloads to check the mapping against before it is saved."`
}

// mapTimeout bounds one run of a mapping: a runaway expression fails the
// event (FAILED_NORMALIZE) instead of holding the worker.
const mapTimeout = 250 * time.Millisecond

// maxSampleBytes bounds one sample payload.
const maxSampleBytes = 256 << 10

// errNotDeterministic is what the clock and the environment answer inside a
// mapping: the same payload must always give the same canonical event.
var errNotDeterministic = errors.New("is not available in a mapping: the same payload must always give the same event")

// CompileMapping parses and compiles a jq expression. The clock and the
// server's environment are not reachable from it: a definition of now that
// fails shadows the built-in, and the environment is empty.
func CompileMapping(expr string) (*gojq.Code, error) {
	if _, err := gojq.Parse(expr); err != nil {
		return nil, fmt.Errorf("the expression does not parse: %v", err)
	}
	q, err := gojq.Parse(`def now: error("now ` + errNotDeterministic.Error() + `"); ` + expr)
	if err != nil {
		return nil, fmt.Errorf("the expression does not parse: %v", err)
	}
	code, err := gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil }))
	if err != nil {
		return nil, fmt.Errorf("the expression does not compile: %v", err)
	}
	return code, nil
}

// runMapping runs code on a payload (decoded with json.Number) within the
// time limit and returns the canonical data as compact JSON with sorted
// keys: the same input always gives the same bytes.
func runMapping(ctx context.Context, code *gojq.Code, payload any) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, mapTimeout)
	defer cancel()
	it := code.RunWithContext(ctx, payload)
	v, ok := it.Next()
	if !ok {
		return nil, errors.New("the mapping gave no output (it must give one JSON object)")
	}
	if err, isErr := v.(error); isErr {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("the mapping ran longer than %s", mapTimeout)
		}
		return nil, fmt.Errorf("the mapping failed: %v", err)
	}
	if _, isObj := v.(map[string]any); !isObj {
		return nil, fmt.Errorf("the mapping gave %s, not a JSON object", jqType(v))
	}
	if extra, more := it.Next(); more {
		if err, isErr := extra.(error); isErr {
			return nil, fmt.Errorf("the mapping failed: %v", err)
		}
		return nil, errors.New("the mapping gave more than one output (it must give exactly one JSON object)")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("the mapping's output is not JSON: %v", err)
	}
	return b, nil
}

func jqType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	default:
		return "a number"
	}
}

// decodePayload reads a payload as the schema validator and jq both take
// it: numbers stay json.Number, so they are never rounded.
func decodePayload(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// MappingPreview is what a mapping makes of a payload.
type MappingPreview struct {
	Data          json.RawMessage `json:"data,omitempty" doc:"The canonical data the mapping gives."`
	Valid         bool            `json:"valid" doc:"The payload and the data pass their schemas and the mapping ran."`
	PayloadErrors []string        `json:"payload_errors,omitempty" doc:"Where the payload breaks the vendor's schema."`
	MappingError  string          `json:"mapping_error,omitempty"`
	DataErrors    []string        `json:"data_errors,omitempty" doc:"Where the data breaks the canonical schema."`
}

// checkMapping validates a mapping input and compiles it with the schemas
// it refers to.
func (s *Service) checkMapping(ctx context.Context, tenantID string, in *MappingInput) (*gojq.Code, *rules, error) {
	in.VendorID, in.EventType, in.TargetType = strings.TrimSpace(in.VendorID), strings.TrimSpace(in.EventType), strings.TrimSpace(in.TargetType)
	in.TargetVersion = strings.TrimSpace(in.TargetVersion)
	if in.TargetVersion == "" {
		in.TargetVersion = "1.0"
	}
	var v apperr.Validation
	v.Check(in.VendorID != "", "vendor_id", "is required")
	v.Check(in.EventType != "" && isToken(in.EventType), "event_type", "is required: letters, digits, '.', '_', ':' and '-'")
	v.Check(in.TargetType != "", "target_type", "is required, e.g. %s", strings.Join(CanonicalTypes(), ", "))
	code, err := CompileMapping(in.Expression)
	if strings.TrimSpace(in.Expression) == "" {
		v.Add("expression", "is required")
	} else if err != nil {
		v.Add("expression", "%s", err.Error())
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	if _, err := s.Store.IngestVendor(ctx, tenantID, in.VendorID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil, apperr.Invalidf("vendor %s is not set up for ingest", in.VendorID)
		}
		return nil, nil, err
	}
	r, err := s.loadRules(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := r.canonical(in.TargetType, in.TargetVersion); !ok {
		var fv apperr.Validation
		fv.Add("target_type", "there is no canonical type %s version %s (upload its schema first, or use one of %s)",
			in.TargetType, in.TargetVersion, strings.Join(CanonicalTypes(), ", "))
		return nil, nil, fv.Err()
	}
	return code, r, nil
}

// preview runs a compiled mapping on one payload with the schemas that
// would apply to an event of in's vendor and type at schemaVersion.
func (s *Service) preview(ctx context.Context, r *rules, code *gojq.Code, in MappingInput, schemaVersion string, payload []byte) MappingPreview {
	var out MappingPreview
	v, err := decodePayload(payload)
	if err != nil {
		out.MappingError = "the payload is not JSON: " + err.Error()
		return out
	}
	if vs, ok := r.vendorSchema(in.VendorID, in.EventType, schemaVersion); ok {
		if sch, err := s.compiled.schema(vs); err == nil {
			if err := sch.Validate(v); err != nil {
				out.PayloadErrors = validationMessages(err)
			}
		}
	}
	data, err := runMapping(ctx, code, v)
	if err != nil {
		out.MappingError = err.Error()
		return out
	}
	out.Data = data
	cs, _ := r.canonical(in.TargetType, in.TargetVersion)
	sch, err := s.compiled.schema(cs)
	if err != nil {
		out.DataErrors = []string{err.Error()}
		return out
	}
	dv, _ := decodePayload(data) // cannot fail: runMapping marshalled it
	if err := sch.Validate(dv); err != nil {
		out.DataErrors = validationMessages(err)
	}
	out.Valid = len(out.PayloadErrors) == 0 && len(out.DataErrors) == 0
	return out
}

// SaveMapping stores a mapping as the next version for its vendor and
// event type, after running it on every sample: a sample the mapping
// fails on, or whose result breaks the canonical schema, is refused (422
// naming the sample and the problem).
func (s *Service) SaveMapping(ctx context.Context, p auth.Principal, in MappingInput) (Mapping, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return Mapping{}, err
	}
	code, r, err := s.checkMapping(ctx, p.TenantID, &in)
	if err != nil {
		return Mapping{}, err
	}
	var v apperr.Validation
	samples := make([]json.RawMessage, 0, len(in.Samples))
	for i, smp := range in.Samples {
		field := fmt.Sprintf("samples[%d]", i)
		var c bytes.Buffer
		if len(smp) > maxSampleBytes || json.Compact(&c, smp) != nil || !bytes.HasPrefix(c.Bytes(), []byte("{")) {
			v.Add(field, "must be a JSON object of at most %d bytes", maxSampleBytes)
			continue
		}
		pv := s.preview(ctx, r, code, in, "", c.Bytes())
		switch {
		case len(pv.PayloadErrors) > 0:
			v.Add(field, "breaks the vendor's schema: %s", strings.Join(pv.PayloadErrors, "; "))
		case pv.MappingError != "":
			v.Add(field, "%s", pv.MappingError)
		case len(pv.DataErrors) > 0:
			v.Add(field, "maps to data that breaks %s %s: %s", in.TargetType, in.TargetVersion, strings.Join(pv.DataErrors, "; "))
		}
		samples = append(samples, c.Bytes())
	}
	if err := v.Err(); err != nil {
		return Mapping{}, err
	}
	m := Mapping{ID: ident.New(), TenantID: p.TenantID, VendorID: in.VendorID, EventType: in.EventType, TargetType: in.TargetType,
		TargetVersion: in.TargetVersion, Expression: in.Expression, Samples: samples, CreatedBy: p.Label, CreatedAt: s.now()}
	m, err = s.Store.SaveMapping(ctx, m, func(saved Mapping) audit.Event {
		return audit.Record(p, "ingest_mapping.save", "ingest_mapping", saved.ID, nil, map[string]any{"vendor_id": saved.VendorID,
			"event_type": saved.EventType, "version": saved.Version, "target_type": saved.TargetType, "expression": saved.Expression})
	})
	if err != nil {
		return Mapping{}, fmt.Errorf("ingest.SaveMapping: %w", err)
	}
	return m, nil
}

// PreviewMapping runs a mapping that is not saved on one payload ("try
// it"): a broken expression is refused (422), anything else is answered
// with what the mapping made of the payload and what the schemas say.
func (s *Service) PreviewMapping(ctx context.Context, p auth.Principal, in MappingInput, schemaVersion string, payload json.RawMessage) (MappingPreview, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return MappingPreview{}, err
	}
	code, r, err := s.checkMapping(ctx, p.TenantID, &in)
	if err != nil {
		return MappingPreview{}, err
	}
	if len(payload) > maxSampleBytes {
		return MappingPreview{}, apperr.Invalidf("the payload is larger than %d bytes", maxSampleBytes)
	}
	return s.preview(ctx, r, code, in, schemaVersion, payload), nil
}

// Mappings lists the tenant's mappings, every version, newest first.
func (s *Service) Mappings(ctx context.Context, p auth.Principal) ([]Mapping, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	return s.Store.ListEventMappings(ctx, p.TenantID)
}

// Mapping returns one mapping version.
func (s *Service) Mapping(ctx context.Context, p auth.Principal, id string) (Mapping, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Mapping{}, err
	}
	return s.Store.IngestMapping(ctx, p.TenantID, id)
}

func (c *compiled) mapping(m Mapping) (*gojq.Code, error) {
	if v, ok := c.m.Load("m:" + m.ID); ok {
		return v.(*gojq.Code), nil
	}
	code, err := CompileMapping(m.Expression)
	if err != nil {
		return nil, err
	}
	c.m.Store("m:"+m.ID, code)
	return code, nil
}
