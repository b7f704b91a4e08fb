package ingest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// BenchmarkNormalizeOne is the CPU cost of normalizing one of the load
// tool's 1 KiB events (parse, validate, map, validate, encode) and taking
// its payload's shape for the drift profile, without the database.
func BenchmarkNormalizeOne(b *testing.B) {
	r := &rules{
		mappings: map[[2]string]Mapping{{"v", "inventory_update"}: {ID: "m1", VendorID: "v", EventType: "inventory_update", Version: 1,
			TargetType: "InventoryUpdated", TargetVersion: "1.0", Expression: `{sku: .sku, warehouseId: .warehouse, quantityOnHand: .quantity}`}},
		vendor: map[[3]string]Schema{{"v", "inventory_update", "1"}: {ID: "s1", Kind: SchemaVendor, VendorID: "v",
			EventType: "inventory_update", SchemaVersion: "1", Body: []byte(`{"type":"object","required":["sku","quantity","warehouse"],` +
				`"properties":{"sku":{"type":"string"},"quantity":{"type":"integer"},"warehouse":{"type":"string"},"pad":{"type":"string"}}}`)}},
		vendorLatest: map[[2]string]Schema{}, canon: map[[2]string]Schema{},
	}
	raw := []byte(`{"vendorId":"vendorA","externalEventId":"bench-1","eventType":"inventory_update","schemaVersion":"1",` +
		`"occurredAt":"2026-01-30T20:15:12Z","payload":{"sku":"SKU-1","warehouse":"MAIN","quantity":1,"pad":"` +
		strings.Repeat("x", 800) + `"}}`)
	now := time.Now().UTC()
	s := &Service{}
	ev := Event{ID: s.ids.next(now), VendorID: "v", VendorKey: "vendorA", Raw: raw, Status: Received,
		RawRef: RawRef{Key: "raw/vendorA/k.json", SHA256: sha256Hex(raw)}}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		o := s.normalizeOne(ctx, r, ev, now)
		if o.Status != Normalized {
			b.Fatalf("%s %s %v", o.Status, o.Reason, o.Errors)
		}
		if _, _, ok := learnedShape(ev, o); !ok {
			b.Fatal("no shape")
		}
	}
}
