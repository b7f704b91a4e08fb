package ingest

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// SchemaKind says what a schema describes.
type SchemaKind string

// Schema kinds: a vendor's payload, or a canonical event's data.
const (
	SchemaVendor    SchemaKind = "vendor"
	SchemaCanonical SchemaKind = "canonical"
)

// Schema is a JSON Schema (2020-12) of a vendor's payload of one event type
// at one schemaVersion, or of a canonical event type's data. Uploading the
// same key again adds a revision; the newest revision applies.
type Schema struct {
	ID            string          `json:"id"`
	TenantID      string          `json:"-"`
	Kind          SchemaKind      `json:"kind" enum:"vendor,canonical"`
	VendorID      string          `json:"vendor_id,omitempty" doc:"The registry vendor (vendor schemas)."`
	EventType     string          `json:"event_type" doc:"The vendor's eventType, or the canonical type's name."`
	SchemaVersion string          `json:"schema_version" doc:"The envelope's schemaVersion (vendor), or the canonical type's version."`
	Revision      int             `json:"revision" doc:"1 for the first upload of this key, then 2, 3…"`
	Builtin       bool            `json:"builtin,omitempty" doc:"Shipped with VendorSync (canonical types); cannot be replaced."`
	Body          json.RawMessage `json:"schema" doc:"The JSON Schema."`
	CreatedBy     string          `json:"created_by,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
}

// SchemaInput is an upload.
type SchemaInput struct {
	Kind          SchemaKind      `json:"kind" enum:"vendor,canonical" doc:"vendor: a vendor's payload; canonical: a canonical event type of your own."`
	VendorID      string          `json:"vendor_id,omitempty" maxLength:"100" doc:"The registry vendor (vendor schemas only)."`
	EventType     string          `json:"event_type" maxLength:"100" doc:"The vendor's eventType, or the canonical type's name (e.g. ReturnAuthorized)."`
	SchemaVersion string          `json:"schema_version" maxLength:"32" doc:"The schemaVersion the vendor's envelopes carry, or the canonical type's version (e.g. 1.0)."`
	Schema        json.RawMessage `json:"schema" doc:"A JSON Schema (2020-12 unless it says otherwise in $schema)."`
}

// maxSchemaBytes bounds an uploaded schema.
const maxSchemaBytes = 256 << 10

//go:embed canonical/*.json
var canonicalFS embed.FS

// builtinSchemas are the canonical event types shipped in the binary, by
// type and version.
var builtinSchemas = func() map[[2]string]Schema {
	out := map[[2]string]Schema{}
	ents, err := canonicalFS.ReadDir("canonical")
	if err != nil {
		panic(err)
	}
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".json")
		typ, version, _ := strings.Cut(name, "-")
		b, err := canonicalFS.ReadFile("canonical/" + e.Name())
		if err != nil {
			panic(err)
		}
		out[[2]string{typ, version}] = Schema{ID: "builtin:" + name, Kind: SchemaCanonical, EventType: typ, SchemaVersion: version,
			Revision: 1, Builtin: true, Body: b}
	}
	return out
}()

// CanonicalTypes lists the canonical event types shipped in the binary.
func CanonicalTypes() []string {
	var out []string
	for k := range builtinSchemas {
		if !slices.Contains(out, k[0]) {
			out = append(out, k[0])
		}
	}
	slices.Sort(out)
	return out
}

// BuiltinSchemas returns the shipped canonical schemas, by type.
func BuiltinSchemas() []Schema {
	var out []Schema
	for _, s := range builtinSchemas {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Schema) int {
		return strings.Compare(a.EventType+a.SchemaVersion, b.EventType+b.SchemaVersion)
	})
	return out
}

func isBuiltinType(name string) bool {
	for k := range builtinSchemas {
		if k[0] == name {
			return true
		}
	}
	return false
}

// noLoader refuses every $ref outside the uploaded document: a schema must
// never make the server read its files or the network.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("$ref to %s: schemas may only refer inside themselves", url)
}

// CompileSchema parses and compiles a JSON Schema (2020-12 by default),
// asserting formats; the error says what is wrong with it.
func CompileSchema(body []byte) (*jsonschema.Schema, error) {
	if len(body) > maxSchemaBytes {
		return nil, fmt.Errorf("is larger than %d bytes", maxSchemaBytes)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("is not JSON: %v", err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, fmt.Errorf("must be a JSON object")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	const loc = "mem:///schema.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("cannot be read: %v", err)
	}
	sch, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("is not a valid JSON Schema: %s", strings.ReplaceAll(err.Error(), loc, "schema"))
	}
	return sch, nil
}

// compiled caches compiled schemas and mappings by row id: rows never
// change, so each is compiled once.
type compiled struct{ m sync.Map }

func (c *compiled) schema(s Schema) (*jsonschema.Schema, error) {
	if v, ok := c.m.Load("s:" + s.ID); ok {
		return v.(*jsonschema.Schema), nil
	}
	sch, err := CompileSchema(s.Body)
	if err != nil {
		return nil, fmt.Errorf("schema %s %s %s: %w", s.Kind, s.EventType, s.SchemaVersion, err)
	}
	c.m.Store("s:"+s.ID, sch)
	return sch, nil
}

// validationMessages lists a validation error's messages as
// "<instance path>: <problem>", in a stable order.
func validationMessages(err error) []string {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{err.Error()}
	}
	var out []string
	var walk func(u *jsonschema.OutputUnit)
	walk = func(u *jsonschema.OutputUnit) {
		if u.Error != nil {
			loc := u.InstanceLocation
			if loc == "" {
				loc = "/"
			}
			out = append(out, loc+": "+u.Error.String())
		}
		for i := range u.Errors {
			walk(&u.Errors[i])
		}
	}
	walk(ve.BasicOutput())
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > 50 {
		out = append(out[:50], fmt.Sprintf("… and %d more", len(out)-50))
	}
	return out
}

// UploadSchema stores a schema as the next revision of its key, after
// checking that it compiles.
func (s *Service) UploadSchema(ctx context.Context, p auth.Principal, in SchemaInput) (Schema, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return Schema{}, err
	}
	in.VendorID, in.EventType, in.SchemaVersion = strings.TrimSpace(in.VendorID), strings.TrimSpace(in.EventType), strings.TrimSpace(in.SchemaVersion)
	var v apperr.Validation
	switch in.Kind {
	case SchemaVendor:
		v.Check(in.VendorID != "", "vendor_id", "is required for a vendor schema")
	case SchemaCanonical:
		v.Check(in.VendorID == "", "vendor_id", "must be empty for a canonical type")
		v.Check(!isBuiltinType(in.EventType), "event_type", "%s is shipped with VendorSync; name your own type differently", in.EventType)
	default:
		v.Add("kind", "must be vendor or canonical")
	}
	v.Check(in.EventType != "" && isToken(in.EventType) && len(in.EventType) <= maxEventType, "event_type",
		"is required: letters, digits, '.', '_', ':' and '-', at most %d", maxEventType)
	v.Check(in.SchemaVersion != "" && isToken(in.SchemaVersion) && len(in.SchemaVersion) <= maxSchemaVersion, "schema_version",
		"is required: letters, digits, '.', '_', ':' and '-', at most %d", maxSchemaVersion)
	var body bytes.Buffer
	if len(bytes.TrimSpace(in.Schema)) == 0 {
		v.Add("schema", "is required")
	} else if _, err := CompileSchema(in.Schema); err != nil {
		v.Add("schema", "%s", err.Error())
	} else if err := json.Compact(&body, in.Schema); err != nil {
		v.Add("schema", "is not JSON")
	}
	if err := v.Err(); err != nil {
		return Schema{}, err
	}
	if in.Kind == SchemaVendor {
		if _, err := s.Store.IngestVendor(ctx, p.TenantID, in.VendorID); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return Schema{}, apperr.Invalidf("vendor %s is not set up for ingest", in.VendorID)
			}
			return Schema{}, err
		}
	}
	sc := Schema{ID: ident.New(), TenantID: p.TenantID, Kind: in.Kind, VendorID: in.VendorID, EventType: in.EventType,
		SchemaVersion: in.SchemaVersion, Body: body.Bytes(), CreatedBy: p.Label, CreatedAt: s.now()}
	sc, err := s.Store.SaveSchema(ctx, sc, func(saved Schema) audit.Event {
		return audit.Record(p, "ingest_schema.upload", "ingest_schema", saved.ID, nil, map[string]any{"kind": saved.Kind,
			"vendor_id": saved.VendorID, "event_type": saved.EventType, "schema_version": saved.SchemaVersion, "revision": saved.Revision})
	})
	if err != nil {
		return Schema{}, fmt.Errorf("ingest.UploadSchema: %w", err)
	}
	return sc, nil
}

// Schemas lists the tenant's schemas (every revision, newest first), then
// the shipped canonical ones.
func (s *Service) Schemas(ctx context.Context, p auth.Principal) ([]Schema, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	out, err := s.Store.ListSchemas(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	return append(out, BuiltinSchemas()...), nil
}

// Schema returns one schema (a shipped one by its "builtin:" id).
func (s *Service) Schema(ctx context.Context, p auth.Principal, id string) (Schema, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Schema{}, err
	}
	for _, b := range builtinSchemas {
		if b.ID == id {
			return b, nil
		}
	}
	return s.Store.IngestSchema(ctx, p.TenantID, id)
}
