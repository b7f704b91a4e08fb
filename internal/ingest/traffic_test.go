package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func TestVendorTrafficByHour(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.setUpRules(t)
		ctx := context.Background()
		// A mapping that fails on large quantities gives FAILED_NORMALIZE.
		if _, err := f.svc.SaveMapping(ctx, f.admin, ingest.MappingInput{VendorID: f.vendor.VendorID, EventType: "inventory_update",
			TargetType: "InventoryUpdated", Expression: `{sku: .sku, warehouseId: .warehouse, quantityOnHand: (if .qty > 1000 then error("too many") else .qty end)}`,
			Samples: []json.RawMessage{json.RawMessage(`{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`)}}); err != nil {
			t.Fatal(err)
		}
		good := `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`
		bad := `{"sku":"ABC-001","qty":"12","warehouse":"ROA"}`
		failing := `{"sku":"ABC-001","qty":5000,"warehouse":"ROA"}`
		now := time.Date(2026, 3, 10, 14, 25, 0, 0, time.UTC)
		since := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
		n := 0
		at := func(received time.Time, payload string) {
			f.now = received
			n++
			f.mustAccept(t, envelope("vendorA", fmt.Sprintf("e-%d", n), payload))
		}
		at(since.Add(-time.Second), good) // before the window
		at(since, good)
		at(since.Add(59*time.Minute), bad)
		at(time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC), good)
		at(time.Date(2026, 3, 10, 9, 59, 59, 900e6, time.UTC), failing)
		at(time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC), bad)
		at(time.Date(2026, 3, 10, 14, 20, 0, 0, time.UTC), good)
		at(time.Date(2026, 3, 10, 14, 21, 0, 0, time.UTC), good)
		f.now = now
		if _, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil {
			t.Fatal(err)
		}
		tr, err := f.svc.VendorTraffic(ctx, f.admin, f.vendor.VendorID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Hours) != ingest.TrafficHours || !tr.Since.Equal(since) {
			t.Fatalf("traffic since %s over %d hours", tr.Since, len(tr.Hours))
		}
		got := map[string]ingest.HourCounts{}
		for i, h := range tr.Hours {
			if want := since.Add(time.Duration(i) * time.Hour); !h.Hour.Equal(want) {
				t.Errorf("hour %d is %s, want %s", i, h.Hour, want)
			}
			if h.Events > 0 {
				h.Hour = time.Time{}
				got[tr.Hours[i].Hour.Format("Jan 2 15h")] = h
			}
		}
		want := map[string]ingest.HourCounts{
			"Mar 9 15h":  {Events: 2, Quarantined: 1},
			"Mar 10 09h": {Events: 2, Failed: 1},
			"Mar 10 10h": {Events: 1, Quarantined: 1},
			"Mar 10 14h": {Events: 2},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("hours (-want +got):\n%s", diff)
		}
		if w := (ingest.HourCounts{Hour: since, Events: 7, Quarantined: 2, Failed: 1}); tr.Total != w {
			t.Errorf("total = %+v, want %+v", tr.Total, w)
		}
	})
}
