package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
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

// TestRepeatsCountedPerHour: events resent under a stored key are counted
// in the hour they were resent, as duplicates or conflicts, whether they
// come alone, in a batch (even twice in one), at once or through another
// replica, and the counts outlive the process that took them.
func TestRepeatsCountedPerHour(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		good := `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`
		other := `{"sku":"ABC-001","qty":13,"warehouse":"ROA"}`
		hourA := time.Now().UTC().Truncate(time.Hour).Add(-5 * time.Hour)
		hourB, hourC := hourA.Add(2*time.Hour), hourA.Add(4*time.Hour)
		f.now = hourA.Add(10 * time.Minute)
		f.mustAccept(t, envelope("vendorA", "e-1", good))
		f.mustAccept(t, envelope("vendorA", "e-2", good))

		f.now = hourB.Add(30 * time.Minute)
		for range 2 {
			if r, err := f.accept(t, envelope("vendorA", "e-1", good)); err != nil || r.Status != ingest.Duplicate {
				t.Fatalf("resend = %+v, %v", r, err)
			}
		}
		if _, err := f.accept(t, envelope("vendorA", "e-2", other)); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("resend with another payload: %v, want a conflict", err)
		}
		batch := fmt.Sprintf(`{"events":[%s,%s,%s]}`, envelope("vendorA", "e-1", good), envelope("vendorA", "e-3", good),
			envelope("vendorA", "e-3", good))
		rs, err := f.svc.AcceptBatch(ctx, f.vendor, []byte(batch))
		if err != nil || rs[0].Status != ingest.Duplicate || rs[1].Status != ingest.Received || rs[2].Status != ingest.Duplicate {
			t.Fatalf("batch = %+v, %v", rs, err)
		}
		replica := &ingest.Service{Store: db, Now: func() time.Time { return hourB.Add(40 * time.Minute) }}
		if r, err := replica.Accept(ctx, f.vendor, envelope("vendorA", "e-2", good), ingest.ChannelAPI); err != nil || r.Status != ingest.Duplicate {
			t.Fatalf("resend through another replica = %+v, %v", r, err)
		}

		f.now = hourC.Add(59 * time.Minute)
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				if r, err := f.accept(t, envelope("vendorA", "e-1", good)); err != nil || r.Status != ingest.Duplicate {
					t.Errorf("concurrent resend = %+v, %v", r, err)
				}
			})
		}
		wg.Wait()

		restarted := &ingest.Service{Store: db, Now: func() time.Time { return hourC.Add(time.Hour) }}
		tr, err := restarted.VendorTraffic(ctx, f.admin, f.vendor.VendorID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]ingest.HourCounts{}
		for _, h := range tr.Hours {
			if at := h.Hour; h != (ingest.HourCounts{Hour: at}) {
				h.Hour = time.Time{}
				got[at.Sub(hourA).String()] = h
			}
		}
		want := map[string]ingest.HourCounts{
			"0s":     {Events: 2},
			"2h0m0s": {Events: 1, Duplicates: 5, Conflicts: 1},
			"4h0m0s": {Duplicates: 16},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("hours from %s (-want +got):\n%s", hourA, diff)
		}
		if tr.Total.Duplicates != 21 || tr.Total.Conflicts != 1 || tr.Total.Events != 3 {
			t.Errorf("total = %+v", tr.Total)
		}
	})
}

// TestRefusalsCountedPerHour: requests refused before anything is stored
// are tallied per vendor and hour, written by FlushRefusals (once each),
// and every replica's tally adds up.
func TestRefusalsCountedPerHour(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		hour := time.Now().UTC().Truncate(time.Hour).Add(-3 * time.Hour)
		f.now = hour.Add(5 * time.Minute)
		v, err := f.svc.Configure(ctx, f.admin, f.vendor.VendorID, ingest.VendorSettings{VendorKey: "vendorA", RatePerSecond: 1, Burst: 1})
		if err != nil {
			t.Fatal(err)
		}
		refused := func(what string, err error) {
			t.Helper()
			if err == nil {
				t.Fatalf("%s was not refused", what)
			}
		}
		_, err = f.svc.Accept(ctx, v, []byte(`{"vendorId":"vendorA"}`), ingest.ChannelAPI)
		refused("a bad envelope", err)
		_, err = f.svc.Accept(ctx, v, envelope("vendorB", "x-1", `{}`), ingest.ChannelAPI)
		refused("another vendor's event", err)
		refused("a body over the limit", f.svc.Admit(v, v.MaxPayloadBytes+1, false)) // spends the burst
		refused("a request over the rate", f.svc.Admit(v, 10, false))
		_, err = f.svc.Hook(ctx, v, ingest.Delivery{ID: "msg_1", Timestamp: "1", Signature: "v1,AAAA", Body: envelope("vendorA", "x-2", `{}`)})
		refused("an unsigned delivery", err)
		rs, err := f.svc.AcceptBatch(ctx, v, []byte(`{"events":[{"vendorId":"vendorA"}]}`))
		if err != nil || rs[0].Error != "invalid" {
			t.Fatalf("batch = %+v, %v", rs, err)
		}
		replica := &ingest.Service{Store: db, Now: func() time.Time { return hour.Add(50 * time.Minute) }}
		_, err = replica.Accept(ctx, v, []byte(`not json`), ingest.ChannelAPI)
		refused("a bad body on another replica", err)

		traffic := func() ingest.HourCounts {
			t.Helper()
			tr, err := (&ingest.Service{Store: db}).VendorTraffic(ctx, f.admin, f.vendor.VendorID)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tr.Hours {
				if h.Hour.Equal(hour) {
					return h
				}
			}
			t.Fatalf("no hour %s in %+v", hour, tr.Hours)
			return ingest.HourCounts{}
		}
		if h := traffic(); h.Refused != 0 {
			t.Errorf("refused before any flush = %d, want 0", h.Refused)
		}
		for range 2 { // the second flush has nothing left to add
			for _, s := range []*ingest.Service{f.svc, replica} {
				if err := s.FlushRefusals(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		if h := traffic(); h.Refused != 7 {
			t.Errorf("refused = %d, want 7 (6 here, 1 on the replica)", h.Refused)
		}
	})
}
