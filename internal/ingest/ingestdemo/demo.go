// Package ingestdemo loads the ingest module's demo: two suppliers set up
// to send events, with their payload schemas and the mappings to the
// canonical types, and a day of their events sent through the accept path
// as a vendor would send them — in batches, some sent twice, a few that
// break the schema or the mapping, and one vendor whose payload changes
// partway through. The events are then normalized, archived and measured
// by the product itself, so the demo shows the event record, raw archive,
// quarantine, drift and data quality as they come out of it. The schemas
// and mappings ship in the binary.
package ingestdemo

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/registry"
)

//go:embed data/*
var data embed.FS

// Feed is one event type a demo vendor sends: its schema and mapping are
// data/<File>.schema.json and data/<File>.jq.
type Feed struct {
	EventType     string
	SchemaVersion string
	Target        string // canonical type
	File          string
}

// Vendor is a demo vendor sending events, by its registry name.
type Vendor struct {
	Name  string
	Key   string // the envelopes' vendorId
	Feeds []Feed
}

// Vendors are the demo's two suppliers (the contracts demo's vendors).
var Vendors = []Vendor{
	{Name: "Midwest Fastener Supply", Key: "midwest-fastener", Feeds: []Feed{
		{"inventory.snapshot", "2", "InventoryUpdated", "midwest_inventory"},
		{"price.change", "1", "PriceUpdated", "midwest_price"},
		{"order.status", "1", "OrderUpdated", "midwest_order"}}},
	{Name: "Allied Safety & Janitorial", Key: "allied-safety", Feeds: []Feed{
		{"StockLevel", "2024-06", "InventoryUpdated", "allied_stock"},
		{"ShipmentNotice", "2024-06", "ShipmentUpdated", "allied_shipment"}}},
}

// batchSize is how many events one demo batch request carries.
const batchSize = 50

// Result says what Load did; Loaded is false when a demo vendor was
// already set up for ingest and nothing was touched.
type Result struct {
	Loaded     bool
	Vendors    int
	Events     int // stored (each once)
	Duplicates int // sent again, answered DUPLICATE
	Conflicts  int // sent again with another payload, refused
	Counts     map[ingest.Status]int
	Drifts     int
}

// String summarises the result for the operator.
func (r Result) String() string {
	if !r.Loaded {
		return "the demo vendors are already set up for ingest; nothing loaded"
	}
	return fmt.Sprintf("%d vendors sent %d events (%d sent twice, answered DUPLICATE; %d sent again with another payload, refused as conflicts): "+
		"%d normalized, %d quarantined, %d failed to normalize; %d payload drifts", r.Vendors, r.Events, r.Duplicates, r.Conflicts,
		r.Counts[ingest.Normalized], r.Counts[ingest.Quarantined], r.Counts[ingest.FailedNormalize], r.Drifts)
}

// Load sets up the demo vendors found in the registry by name, sends their
// events as of now and normalizes them. Running it again does nothing.
func Load(ctx context.Context, s *ingest.Service, reg *registry.Service, p auth.Principal, now time.Time) (Result, error) {
	res := Result{Counts: map[ingest.Status]int{}}
	all, err := reg.AllVendors(ctx, p, false)
	if err != nil {
		return res, fmt.Errorf("ingestdemo: %w", err)
	}
	ids := map[string]string{}
	for _, v := range all {
		ids[strings.ToLower(v.Name)] = v.ID
	}
	var found []Vendor
	for _, v := range Vendors {
		id, ok := ids[strings.ToLower(v.Name)]
		if !ok {
			continue
		}
		if _, err := s.Store.IngestVendor(ctx, p.TenantID, id); err == nil {
			return Result{}, nil
		} else if !apperr.Is(err, apperr.NotFound) {
			return res, fmt.Errorf("ingestdemo: %w", err)
		}
		found = append(found, v)
	}
	for _, v := range found {
		if err := send(ctx, s, p, ids[strings.ToLower(v.Name)], v, now, &res); err != nil {
			return res, fmt.Errorf("ingestdemo: %s: %w", v.Name, err)
		}
	}
	res.Loaded, res.Vendors = true, len(found)
	if _, err := s.Normalize(ctx, p.TenantID); err != nil {
		return res, fmt.Errorf("ingestdemo: normalize: %w", err)
	}
	if _, err := s.Archive(ctx, p.TenantID); err != nil {
		return res, fmt.Errorf("ingestdemo: archive: %w", err)
	}
	for _, v := range found {
		id := ids[strings.ToLower(v.Name)]
		counts, err := s.Store.CountIngestEvents(ctx, p.TenantID, id)
		if err != nil {
			return res, fmt.Errorf("ingestdemo: %w", err)
		}
		for st, n := range counts {
			res.Counts[st] += n
		}
		ds, err := s.Store.ListDrifts(ctx, p.TenantID, id, false)
		if err != nil {
			return res, fmt.Errorf("ingestdemo: %w", err)
		}
		res.Drifts += len(ds)
	}
	return res, nil
}

// send sets vendor v (registry id) up with its schemas and mappings and
// sends its events: in batches, then every tenth one again on its own.
func send(ctx context.Context, s *ingest.Service, p auth.Principal, id string, v Vendor, now time.Time, res *Result) error {
	setup, err := s.Configure(ctx, p, id, ingest.VendorSettings{VendorKey: v.Key})
	if err != nil {
		return err
	}
	evs := Events(v.Key, now)
	for _, f := range v.Feeds {
		schema, err := data.ReadFile("data/" + f.File + ".schema.json")
		if err != nil {
			return err
		}
		if _, err := s.UploadSchema(ctx, p, ingest.SchemaInput{Kind: ingest.SchemaVendor, VendorID: id, EventType: f.EventType,
			SchemaVersion: f.SchemaVersion, Schema: schema}); err != nil {
			return fmt.Errorf("schema %s: %w", f.EventType, err)
		}
		expr, err := data.ReadFile("data/" + f.File + ".jq")
		if err != nil {
			return err
		}
		if _, err := s.SaveMapping(ctx, p, ingest.MappingInput{VendorID: id, EventType: f.EventType, TargetType: f.Target,
			Expression: string(expr), Samples: samples(evs, f.EventType)}); err != nil {
			return fmt.Errorf("mapping %s: %w", f.EventType, err)
		}
	}
	ingestIDs := make([]string, len(evs))
	for from := 0; from < len(evs); from += batchSize {
		part := evs[from:min(from+batchSize, len(evs))]
		body, err := json.Marshal(map[string]any{"events": envelopes(part)})
		if err != nil {
			return err
		}
		out, err := s.AcceptBatch(ctx, setup, body)
		if err != nil {
			return err
		}
		for i, r := range out {
			if r.Status != ingest.Received {
				return fmt.Errorf("event %s: %s %s %s", part[i].ExternalEventID, r.Status, r.Error, r.Message)
			}
			ingestIDs[from+i] = r.IngestID
		}
		res.Events += len(part)
	}
	for i, e := range evs {
		if i%10 != 9 {
			continue
		}
		r, err := s.Accept(ctx, setup, e.Raw, ingest.ChannelAPI)
		if err != nil {
			return err
		}
		if r.Status != ingest.Duplicate || r.IngestID != ingestIDs[i] {
			return fmt.Errorf("event %s sent again: %s %s, want DUPLICATE %s", e.ExternalEventID, r.Status, r.IngestID, ingestIDs[i])
		}
		res.Duplicates++
	}
	// The vendor's system sends its first event again with a corrected
	// payload under the same id: refused, nothing stored.
	raw, err := withPayload(evs[0].Raw, `{"corrected":true}`)
	if err != nil {
		return err
	}
	if _, err := s.Accept(ctx, setup, raw, ingest.ChannelAPI); !apperr.Is(err, apperr.Conflict) {
		return fmt.Errorf("event %s sent with another payload: %v, want a conflict", evs[0].ExternalEventID, err)
	}
	res.Conflicts++
	return nil
}

// withPayload is an envelope's bytes with another payload.
func withPayload(raw []byte, payload string) ([]byte, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, err
	}
	env["payload"] = json.RawMessage(payload)
	return json.Marshal(env)
}

// envelopes are events' exact bytes, as a batch carries them.
func envelopes(evs []Event) []json.RawMessage {
	out := make([]json.RawMessage, len(evs))
	for i, e := range evs {
		out[i] = e.Raw
	}
	return out
}

// samples are the first two payloads of an event type, which its mapping
// is checked against when saved.
func samples(evs []Event, eventType string) []json.RawMessage {
	var out []json.RawMessage
	for _, e := range evs {
		if e.EventType == eventType && len(out) < 2 {
			out = append(out, e.Payload)
		}
	}
	return out
}
