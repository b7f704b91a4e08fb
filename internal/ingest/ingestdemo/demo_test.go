package ingestdemo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/app/consequence"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/ingest/ingestdemo"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestDemoSendsThroughTheAcceptPath loads the demo into a tenant holding
// the two suppliers and checks what the product made of the events: every
// one stored once and archived, the resends answered DUPLICATE, the broken
// ones quarantined or failed with their reasons, Midwest's payload change a
// drift, and each vendor's quarantine rate, drift count and data quality
// queued as score signals. A second load does nothing.
func TestDemoSendsThroughTheAcceptPath(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := jobs.New(db, jobs.Config{}); err != nil {
			t.Fatal(err)
		}
		bs, err := blob.Open(ctx, "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		as := &auth.Service{Store: db, Keys: db.Keys}
		b, err := as.CreateTenant(ctx, "demo", "Demo", "admin@demo.test")
		if err != nil {
			t.Fatal(err)
		}
		p := auth.System(b.Tenant.ID)
		reg := &registry.Service{Store: db}
		vendorIDs := map[string]string{}
		for _, v := range ingestdemo.Vendors {
			rv, err := reg.CreateVendor(ctx, p, registry.Vendor{Name: v.Name, Tier: registry.Tier2})
			if err != nil {
				t.Fatal(err)
			}
			vendorIDs[rv.ID] = v.Key
		}
		svc := &ingest.Service{Store: db, Auth: as, Blobs: bs,
			Consequences: consequence.Declare(dispatch.Notices{BaseURL: "https://vs.example"}).Ingest}
		res, err := ingestdemo.Load(ctx, svc, reg, p, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		t.Log(res)
		want := ingestdemo.Result{Loaded: true, Vendors: 2, Events: 351, Duplicates: 35, Conflicts: 2, Drifts: res.Drifts,
			Counts: map[ingest.Status]int{ingest.Received: 0, ingest.Normalized: 346, ingest.Quarantined: 3, ingest.FailedNormalize: 2}}
		if diff := cmp.Diff(want, res); diff != "" {
			t.Errorf("result (-want +got):\n%s", diff)
		}
		evs, _, err := svc.Events(ctx, p, ingest.Filter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var reasons []string
		for _, e := range evs {
			if e.ArchivedAt == nil {
				t.Errorf("event %s not archived", e.ID)
			}
			if e.Status != ingest.Normalized {
				reasons = append(reasons, fmt.Sprintf("%s %s %s", e.EventType, e.Status, e.Reason))
			}
		}
		sort.Strings(reasons)
		wantReasons := []string{"ReturnAuthorization QUARANTINED unknown_event_type", "StockLevel FAILED_NORMALIZE mapping_error",
			"StockLevel QUARANTINED schema_invalid", "order.status QUARANTINED canonical_invalid", "price.change FAILED_NORMALIZE mapping_error"}
		if diff := cmp.Diff(wantReasons, reasons); diff != "" {
			t.Errorf("events set aside (-want +got):\n%s", diff)
		}
		drifts := map[string]bool{}
		for id, key := range vendorIDs {
			ds, err := svc.Drifts(ctx, p, id, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				drifts[fmt.Sprintf("%s %s %s %s", key, d.EventType, d.Path, d.Kind)] = true
			}
		}
		for _, d := range []string{"midwest-fastener inventory.snapshot /bin new_field", "midwest-fastener inventory.snapshot /allocated removed_field"} {
			if !drifts[d] {
				t.Errorf("no drift %q among %v", d, drifts)
			}
		}
		signals := map[string]float64{}
		for _, a := range queuedSignals(t, db) {
			signals[vendorIDs[a.Signal.VendorID]+" "+a.Signal.Code] = a.Signal.Value
		}
		for _, k := range []string{"midwest-fastener", "allied-safety"} {
			for _, code := range []string{"event_quarantine_rate", "schema_drift_count", "data_quality_score"} {
				if _, ok := signals[k+" "+code]; !ok {
					t.Errorf("no %s signal of %s among %v", code, k, signals)
				}
			}
		}
		if got := signals["midwest-fastener schema_drift_count"]; got < 2 {
			t.Errorf("Midwest's drift count signal = %g, want its drifts counted", got)
		}
		if got := signals["allied-safety event_quarantine_rate"]; got != 2.0/161 {
			t.Errorf("Allied's quarantine rate = %g, want 2 of 161", got)
		}
		again, err := ingestdemo.Load(ctx, svc, reg, p, time.Now())
		if err != nil || again.Loaded {
			t.Errorf("second load = %v, %v; want nothing loaded", again, err)
		}
	})
}

// queuedSignals are the score signal jobs queued so far.
func queuedSignals(t *testing.T, db *sqlstore.DB) []jobargs.ScoreSignal {
	t.Helper()
	rows, err := db.WritePool().Query(`SELECT args FROM river_job WHERE kind = 'score.signal'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []jobargs.ScoreSignal
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		var a jobargs.ScoreSignal
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}
