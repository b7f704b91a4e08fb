package ingest_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// inventorySchema is vendor A's inventory_update payload, version 1.
const inventorySchema = `{"type":"object","required":["sku","qty","warehouse"],"properties":{
	"sku":{"type":"string"},"qty":{"type":"integer"},"warehouse":{"type":"string"}}}`

const inventoryMapping = `{sku: .sku, warehouseId: .warehouse, quantityOnHand: .qty}`

// setUpRules uploads vendor A's inventory schema and mapping.
func (f *fixture) setUpRules(t testing.TB) ingest.Mapping {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.UploadSchema(ctx, f.admin, ingest.SchemaInput{Kind: ingest.SchemaVendor, VendorID: f.vendor.VendorID,
		EventType: "inventory_update", SchemaVersion: "1", Schema: json.RawMessage(inventorySchema)}); err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.SaveMapping(ctx, f.admin, ingest.MappingInput{VendorID: f.vendor.VendorID, EventType: "inventory_update",
		TargetType: "InventoryUpdated", Expression: inventoryMapping,
		Samples: []json.RawMessage{json.RawMessage(`{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) mustAccept(t testing.TB, body []byte) string {
	t.Helper()
	r, err := f.accept(t, body)
	if err != nil {
		t.Fatal(err)
	}
	return r.IngestID
}

func (f *fixture) event(t testing.TB, id string) ingest.Event {
	t.Helper()
	e, err := f.svc.Event(context.Background(), f.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestNormalizeOutcomes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		good := f.mustAccept(t, envelope("vendorA", "inv-1", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`))
		bad := f.mustAccept(t, envelope("vendorA", "inv-2", `{"sku":"ABC-001","qty":"twelve","warehouse":"ROA"}`))
		unknown := f.mustAccept(t, []byte(`{"vendorId":"vendorA","externalEventId":"p-1","eventType":"price_change",`+
			`"occurredAt":"2026-01-30T20:15:12Z","payload":{"sku":"A"}}`))
		noSchema := f.mustAccept(t, []byte(`{"vendorId":"vendorA","externalEventId":"inv-3","eventType":"inventory_update",`+
			`"schemaVersion":"2","occurredAt":"2026-01-30T20:15:12Z","payload":{"sku":"A","qty":1,"warehouse":"W"}}`))
		negative := f.mustAccept(t, envelope("vendorA", "inv-4", `{"sku":"","qty":3,"warehouse":"ROA"}`))
		n, err := f.svc.Normalize(ctx, f.vendor.TenantID)
		if err != nil || n != 5 {
			t.Fatalf("Normalize = %d, %v; want 5", n, err)
		}
		for _, c := range []struct {
			id, reason string
			status     ingest.Status
			msg        string
		}{
			{good, "", ingest.Normalized, ""},
			{bad, ingest.ReasonSchemaInvalid, ingest.Quarantined, "/qty"},
			{unknown, ingest.ReasonUnknownEventType, ingest.Quarantined, "price_change"},
			{noSchema, ingest.ReasonNoSchema, ingest.Quarantined, `"2"`},
			{negative, ingest.ReasonCanonicalInvalid, ingest.Quarantined, "/sku"},
		} {
			e := f.event(t, c.id)
			if e.Status != c.status || e.Reason != c.reason || !strings.Contains(strings.Join(e.Errors, "\n"), c.msg) {
				t.Errorf("%s: status %s reason %q errors %q; want %s %q containing %q", e.ExternalEventID, e.Status, e.Reason, e.Errors,
					c.status, c.reason, c.msg)
			}
		}
		ne, err := f.svc.Normalized(ctx, f.admin, good)
		if err != nil {
			t.Fatal(err)
		}
		ev := f.event(t, good)
		want := fmt.Sprintf(`{"ingestId":%q,"vendorId":"vendorA","externalEventId":"inv-1","eventType":"InventoryUpdated",`+
			`"schemaVersion":"1.0","occurredAt":"2026-01-30T20:15:12Z","data":{"quantityOnHand":12,"sku":"ABC-001","warehouseId":"ROA"},`+
			`"rawRef":{"key":%q,"sha256":%q}}`, good, ev.RawRef.Key, ev.RawRef.SHA256)
		if string(ne.Body) != want {
			t.Errorf("normalized\n got %s\nwant %s", ne.Body, want)
		}
		if ne.Revision != 1 || ne.ArchivedAt == nil || ne.BlobKey != "normalized/InventoryUpdated/"+f.now.Format("2006/01/02")+"/"+good+".json" {
			t.Errorf("normalized record %+v", ne)
		}
		rc, err := f.blobs.Get(ctx, ne.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != want {
			t.Errorf("archived %s", b)
		}
		q, _, err := f.svc.Quarantine(ctx, f.admin, ingest.Filter{Reason: ingest.ReasonSchemaInvalid})
		if err != nil || len(q) != 1 || q[0].ID != bad {
			t.Errorf("quarantine by reason = %v, %v", q, err)
		}
		evs, _, err := f.svc.NormalizedEvents(ctx, f.admin, ingest.NormalizedFilter{EventType: "InventoryUpdated"})
		if err != nil || len(evs) != 1 || evs[0].IngestID != good {
			t.Errorf("normalized events = %v, %v", evs, err)
		}
	})
}

func TestMappingChecks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		in := func(expr string, samples ...string) ingest.MappingInput {
			m := ingest.MappingInput{VendorID: f.vendor.VendorID, EventType: "inventory_update", TargetType: "InventoryUpdated", Expression: expr}
			for _, s := range samples {
				m.Samples = append(m.Samples, json.RawMessage(s))
			}
			return m
		}
		for _, c := range []struct {
			name, field string
			in          ingest.MappingInput
		}{
			{"does not parse", "expression", in("{sku: .sku")},
			{"sample fails the canonical schema", "samples[0]", in(`{sku: .sku}`, `{"sku":"A","qty":1,"warehouse":"W"}`)},
			{"sample makes the mapping fail", "samples[1]", in(inventoryMapping+` | .quantityOnHand |= (. + "x")`, `{"sku":"A","qty":"1","warehouse":"W"}`, `{"sku":"A","qty":1,"warehouse":"W"}`)},
			{"clock", "samples[0]", in(`{sku: .sku, warehouseId: .warehouse, quantityOnHand: now}`, `{"sku":"A","qty":1,"warehouse":"W"}`)},
			{"unknown target", "target_type", ingest.MappingInput{VendorID: f.vendor.VendorID, EventType: "x", TargetType: "Nope", Expression: "."}},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.svc.SaveMapping(ctx, f.admin, c.in)
				fields := apperr.FieldsOf(err)
				if !apperr.Is(err, apperr.Invalid) || len(fields) == 0 || fields[len(fields)-1].Field != c.field {
					t.Fatalf("err = %v (%+v), want invalid naming %s", err, fields, c.field)
				}
			})
		}
		p, err := f.svc.PreviewMapping(ctx, f.admin, in(inventoryMapping), "", json.RawMessage(`{"sku":"A","qty":1.5,"warehouse":"W"}`))
		if err != nil || !p.Valid || string(p.Data) != `{"quantityOnHand":1.5,"sku":"A","warehouseId":"W"}` {
			t.Errorf("preview = %+v %s, %v", p, p.Data, err)
		}
		p, err = f.svc.PreviewMapping(ctx, f.admin, in(`{sku: 5}`), "", json.RawMessage(`{}`))
		if err != nil || p.Valid || len(p.DataErrors) == 0 {
			t.Errorf("preview of invalid data = %+v, %v", p, err)
		}
	})
}

func TestSchemaUploadChecks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		up := func(kind ingest.SchemaKind, typ, schema string) (ingest.Schema, error) {
			vid := f.vendor.VendorID
			if kind == ingest.SchemaCanonical {
				vid = ""
			}
			return f.svc.UploadSchema(ctx, f.admin, ingest.SchemaInput{Kind: kind, VendorID: vid, EventType: typ, SchemaVersion: "1",
				Schema: json.RawMessage(schema)})
		}
		for name, c := range map[string]struct {
			kind        ingest.SchemaKind
			typ, schema string
		}{
			"not JSON":            {ingest.SchemaVendor, "a", `{"type":`},
			"not a schema":        {ingest.SchemaVendor, "a", `{"type":"thing"}`},
			"reads a local file":  {ingest.SchemaVendor, "a", `{"$ref":"file:///etc/passwd"}`},
			"reads the network":   {ingest.SchemaVendor, "a", `{"$ref":"https://example.com/s.json"}`},
			"replaces a built-in": {ingest.SchemaCanonical, "InventoryUpdated", `{"type":"object"}`},
		} {
			if _, err := up(c.kind, c.typ, c.schema); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		a, err := up(ingest.SchemaVendor, "a", `{"type":"object"}`)
		if err != nil {
			t.Fatal(err)
		}
		b, err := up(ingest.SchemaVendor, "a", `{"type": "object", "required": ["x"]}`)
		if err != nil || a.Revision != 1 || b.Revision != 2 || string(b.Body) != `{"type":"object","required":["x"]}` {
			t.Fatalf("revisions %d %d %s, %v", a.Revision, b.Revision, b.Body, err)
		}
	})
}

func sum(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) }

func TestReplayDeterministicAndRevisesInPlace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		m := f.setUpRules(t)
		var ids []string
		for i := range 30 {
			ids = append(ids, f.mustAccept(t, envelope("vendorA", fmt.Sprintf("inv-%d", i), fmt.Sprintf(`{"sku":"S-%d","qty":%d,"warehouse":"ROA"}`, i, i))))
		}
		quarantined := f.mustAccept(t, []byte(`{"vendorId":"vendorA","externalEventId":"inv-v2","eventType":"inventory_update",`+
			`"schemaVersion":"2","occurredAt":"2026-01-30T20:15:12Z","payload":{"sku":"A","qty":1,"warehouse":"W"}}`))
		if _, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil {
			t.Fatal(err)
		}
		before := map[string]string{}
		for _, id := range ids {
			ne, err := f.svc.Normalized(ctx, f.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			before[id] = sum(ne.Body)
		}
		var seen []int
		res, err := f.svc.ReplayTenant(ctx, f.vendor.TenantID, ingest.Selection{VendorID: f.vendor.VendorID}, func(done, total int) { seen = append(seen, done, total) })
		if err != nil || res.Selected != 31 || res.Normalized != 30 || res.Quarantined != 1 || len(seen) != 2 || seen[0] != 31 || seen[1] != 31 {
			t.Fatalf("replay = %+v progress %v, %v", res, seen, err)
		}
		for _, id := range ids {
			ne, _ := f.svc.Normalized(ctx, f.admin, id)
			if sum(ne.Body) != before[id] || ne.Revision != 1 || ne.MappingID != m.ID {
				t.Fatalf("%s after replay: hash %s (was %s), revision %d", id, sum(ne.Body), before[id], ne.Revision)
			}
		}
		// A new mapping version changes the output: a replay revises each
		// event in place and archives the revision under its own key.
		if _, err := f.svc.SaveMapping(ctx, f.admin, ingest.MappingInput{VendorID: f.vendor.VendorID, EventType: "inventory_update",
			TargetType: "InventoryUpdated", Expression: inventoryMapping + ` + {unitOfMeasure: "EA"}`}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Replay(ctx, f.admin, ingest.Selection{IngestID: ids[3]}); err != nil {
			t.Fatal(err)
		}
		ne, _ := f.svc.Normalized(ctx, f.admin, ids[3])
		if ne.Revision != 2 || ne.MappingVersion != 2 || !strings.Contains(string(ne.Body), `"unitOfMeasure":"EA"`) || ne.ArchivedAt == nil {
			t.Fatalf("revised %+v %s", ne, ne.Body)
		}
		if ok, _ := f.blobs.Exists(ctx, ingest.NormalizedKey("InventoryUpdated", ids[3], 2)); !ok {
			t.Error("revision 2 not archived")
		}
		if _, err := f.svc.Replay(ctx, f.admin, ingest.Selection{IngestID: ids[3]}); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.svc.Normalized(ctx, f.admin, ids[3]); again.Revision != 2 || sum(again.Body) != sum(ne.Body) {
			t.Errorf("second replay: revision %d", again.Revision)
		}
		// Fixing what quarantined an event, then replaying by status.
		if _, err := f.svc.UploadSchema(ctx, f.admin, ingest.SchemaInput{Kind: ingest.SchemaVendor, VendorID: f.vendor.VendorID,
			EventType: "inventory_update", SchemaVersion: "2", Schema: json.RawMessage(inventorySchema)}); err != nil {
			t.Fatal(err)
		}
		res, err = f.svc.Replay(ctx, f.admin, ingest.Selection{Status: ingest.Quarantined})
		if err != nil || res.Selected != 1 || res.Normalized != 1 || f.event(t, quarantined).Status != ingest.Normalized {
			t.Fatalf("replay of quarantined = %+v, %v", res, err)
		}
		if _, err := f.svc.Replay(ctx, f.admin, ingest.Selection{}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("empty selection: %v", err)
		}
		if _, err := f.svc.Replay(ctx, f.admin, ingest.Selection{IngestID: "01HZZZZZZZZZZZZZZZZZZZZZZZ"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown id: %v", err)
		}
	})
}

// TestJobsAndSweepsLeaveARunningPassAlone: normalize and archive jobs and
// the sweeps that start while a pass over the same tenant runs leave its
// events to it, so each event is normalized, learned and archived once,
// and nothing waits when they are all done.
func TestJobsAndSweepsLeaveARunningPassAlone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		v, err := f.svc.KeyVendor(ctx, f.sender)
		if err != nil {
			t.Fatal(err)
		}
		const events = 1500
		for b := range events / 500 {
			items := make([]string, 500)
			for i := range items {
				items[i] = string(envelope("vendorA", fmt.Sprintf("pass-%d-%d", b, i), `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`))
			}
			if _, err := f.svc.AcceptBatch(ctx, v, []byte(`{"events":[`+strings.Join(items, ",")+`]}`)); err != nil {
				t.Fatal(err)
			}
		}
		var normalized, archived atomic.Int64
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				var n, a int
				var err1, err2 error
				if i%2 == 0 {
					n, err1 = f.svc.NormalizeWaiting(ctx, f.vendor.TenantID)
					a, err2 = f.svc.ArchiveWaiting(ctx, f.vendor.TenantID)
				} else {
					n, err1 = f.svc.NormalizeAll(ctx)
					a, err2 = f.svc.ArchiveAll(ctx)
				}
				if err := errors.Join(err1, err2); err != nil {
					t.Error(err)
				}
				normalized.Add(int64(n))
				archived.Add(int64(a))
			})
		}
		wg.Wait()
		// The normalizer archives the raw bytes of the events it takes; the
		// archiver takes what it has not (writing the same bytes again
		// under a key is a no-op).
		if normalized.Load() != events || archived.Load() > events {
			t.Errorf("normalized %d and archived %d events, want each of the %d normalized once", normalized.Load(), archived.Load(), events)
		}
		if left, err := db.UnarchivedEvents(ctx, f.vendor.TenantID, 10); err != nil || len(left) != 0 {
			t.Errorf("%d events left unarchived, %v", len(left), err)
		}
		ps, err := f.svc.Profiles(ctx, f.admin, f.vendor.VendorID)
		if err != nil || len(ps) != 1 {
			t.Fatalf("profiles = %d, %v; want one", len(ps), err)
		}
		if ps[0].Events != events {
			t.Errorf("the profile learned %d events, want %d", ps[0].Events, events)
		}
		if n, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil || n != 0 {
			t.Errorf("Normalize afterwards = %d, %v; want nothing left", n, err)
		}
		if n, err := f.svc.Archive(ctx, f.vendor.TenantID); err != nil || n != 0 {
			t.Errorf("Archive afterwards = %d, %v; want nothing left", n, err)
		}
	})
}

// TestNormalizeAfterUnstoredArchive: a pass archives the normalized bytes
// of newly received events before it stores them. When a pass stopped in
// between, the next finds their key taken: by the same bytes (the rules
// did not change), and the event is stored as revision 1; by other bytes
// (they did), which are never overwritten, and the event is stored as
// revision 2 under its own key. Either way it is stored archived.
func TestNormalizeAfterUnstoredArchive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.setUpRules(t)
		same := f.mustAccept(t, envelope("vendorA", "inv-same", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`))
		other := f.mustAccept(t, envelope("vendorA", "inv-other", `{"sku":"ABC-002","qty":7,"warehouse":"ROA"}`))
		// What the stopped pass archived for each, with today's rules
		// (same) and with earlier ones (other).
		ev := f.event(t, same)
		sameBody := fmt.Sprintf(`{"ingestId":%q,"vendorId":"vendorA","externalEventId":"inv-same","eventType":"InventoryUpdated",`+
			`"schemaVersion":"1.0","occurredAt":"2026-01-30T20:15:12Z","data":{"quantityOnHand":12,"sku":"ABC-001","warehouseId":"ROA"},`+
			`"rawRef":{"key":%q,"sha256":%q}}`, same, ev.RawRef.Key, ev.RawRef.SHA256)
		earlier := `{"stale":true}`
		for key, body := range map[string]string{ingest.NormalizedKey("InventoryUpdated", same, 1): sameBody,
			ingest.NormalizedKey("InventoryUpdated", other, 1): earlier} {
			if _, err := f.blobs.Put(ctx, key, strings.NewReader(body)); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil || n != 2 {
			t.Fatalf("Normalize = %d, %v; want 2", n, err)
		}
		for id, rev := range map[string]int{same: 1, other: 2} {
			ne, err := f.svc.Normalized(ctx, f.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if ne.Revision != rev || ne.ArchivedAt == nil || ne.BlobKey != ingest.NormalizedKey("InventoryUpdated", id, rev) {
				t.Errorf("%s: revision %d archived %v key %s; want revision %d, archived", id, ne.Revision, ne.ArchivedAt, ne.BlobKey, rev)
				continue
			}
			rc, err := f.blobs.Get(ctx, ne.BlobKey)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if string(b) != string(ne.Body) {
				t.Errorf("%s: archived %s, stored %s", id, b, ne.Body)
			}
		}
		rc, err := f.blobs.Get(ctx, ingest.NormalizedKey("InventoryUpdated", other, 1))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != earlier {
			t.Errorf("the first key of %s holds %s; want the earlier bytes left alone", other, b)
		}
		if left, err := db.UnarchivedNormalized(ctx, f.vendor.TenantID, 10); err != nil || len(left) != 0 {
			t.Errorf("%d normalized events left unarchived, %v", len(left), err)
		}
	})
}
