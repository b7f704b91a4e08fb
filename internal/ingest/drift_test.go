package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/app/consequence"
	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// driftFixture is a fixture whose drifts plan real admin notifications.
func driftFixture(t *testing.T, db *sqlstore.DB) *fixture {
	t.Helper()
	f := newFixture(t, db)
	n := dispatch.Notices{BaseURL: "https://vs.example", Now: func() time.Time { return f.now }}
	f.svc.Consequences.Drifted = n.IngestDrift
	f.setUpRules(t)
	return f
}

// send accepts one inventory_update payload per element and normalizes
// them (which learns the profile).
func (f *fixture) send(t *testing.T, prefix string, payloads ...string) {
	t.Helper()
	for i, p := range payloads {
		f.mustAccept(t, envelope("vendorA", fmt.Sprintf("%s-%d", prefix, i), p))
	}
	if _, err := f.svc.Normalize(context.Background(), f.vendor.TenantID); err != nil {
		t.Fatal(err)
	}
}

func repeat(n int, fn func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fn(i)
	}
	return out
}

// withLot is the base payload, with the optional lot on every other event.
func withLot(extra string) func(i int) string {
	return func(i int) string {
		lot := ""
		if i%2 == 0 {
			lot = `,"lot":"L1"`
		}
		return `{"sku":"ABC-001","qty":12,"warehouse":"ROA"` + lot + extra + `}`
	}
}

func (f *fixture) planJobs(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.WritePool().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'notify.plan'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type driftKey struct {
	Path     string
	Kind     ingest.DriftKind
	Breaking bool
}

func (f *fixture) driftKeys(t *testing.T) []driftKey {
	t.Helper()
	ds, err := f.svc.Drifts(context.Background(), f.admin, f.vendor.VendorID, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []driftKey
	for _, d := range ds {
		out = append(out, driftKey{d.Path, d.Kind, d.Breaking})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func TestDriftEachKindOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := driftFixture(t, db)
		f.send(t, "base", repeat(40, withLot(""))...)
		if got := f.driftKeys(t); len(got) != 0 {
			t.Fatalf("drifts of a steady payload: %v", got)
		}
		// Five events with a new field, three with qty a string (the
		// schema quarantines them; they still count), three without the
		// warehouse, then twenty without the optional lot.
		f.send(t, "color", repeat(5, withLot(`,"color":"red"`))...)
		f.send(t, "retype", repeat(3, func(i int) string { return `{"sku":"ABC-001","qty":"12","warehouse":"ROA"}` })...)
		f.send(t, "removed", repeat(3, func(i int) string { return `{"sku":"ABC-001","qty":12}` })...)
		f.send(t, "nolot", repeat(20, func(i int) string { return `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}` })...)
		wantDrifts := []driftKey{
			{"/color", ingest.DriftNewField, false},
			{"/lot", ingest.DriftPresenceChange, false},
			{"/qty", ingest.DriftRetypedField, true},
			{"/warehouse", ingest.DriftRemovedField, true},
		}
		if diff := cmp.Diff(wantDrifts, f.driftKeys(t)); diff != "" {
			t.Errorf("drifts (-want +got):\n%s", diff)
		}
		if n := f.planJobs(t); n != 4 {
			t.Errorf("notify.plan jobs = %d, want one per drift (4)", n)
		}
		ps, err := f.svc.Profiles(context.Background(), f.admin, f.vendor.VendorID)
		if err != nil || len(ps) != 1 {
			t.Fatalf("Profiles = %v, %v", ps, err)
		}
		if ps[0].Window != ingest.ProfileWindow || ps[0].Events != 71 {
			t.Errorf("profile window %d events %d, want %d and 71", ps[0].Window, ps[0].Events, ingest.ProfileWindow)
		}
		var paths []string
		for _, fp := range ps[0].Fields {
			paths = append(paths, fmt.Sprintf("%s %s %.2f", fp.Path, strings.Join(fp.Types, "/"), fp.Presence))
		}
		// Of the last 64 (the first 7 base events rolled out): color on
		// 5, lot on 16 of the 33 base and 3 of the 5 color events (19), qty
		// a string on 3, the warehouse missing on 3.
		want := []string{"/color string 0.08", "/lot string 0.30", "/qty number/string 1.00", "/sku string 1.00", "/warehouse string 0.95"}
		if diff := cmp.Diff(want, paths); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	})
}

func TestDriftStormCapAndAcknowledge(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := driftFixture(t, db)
		ctx := context.Background()
		base := `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`
		f.send(t, "base", repeat(16, func(int) string { return base })...)
		// One event with 30 new fields opens DriftCap drifts, not 30.
		var extra strings.Builder
		for i := range 30 {
			fmt.Fprintf(&extra, `,"f%02d":%d`, i, i)
		}
		storm := strings.TrimSuffix(base, "}") + extra.String() + "}"
		f.send(t, "storm", storm)
		ds, err := f.svc.Drifts(ctx, f.admin, f.vendor.VendorID, true)
		if err != nil || len(ds) != ingest.DriftCap {
			t.Fatalf("open drifts = %d, %v; want the cap %d", len(ds), err, ingest.DriftCap)
		}
		if n := f.planJobs(t); n != ingest.DriftCap {
			t.Errorf("notify.plan jobs = %d, want %d", n, ingest.DriftCap)
		}
		// Within the hour nothing more opens; an hour later it does.
		f.send(t, "later", strings.TrimSuffix(base, "}")+`,"late1":true}`)
		if ds, _ := f.svc.Drifts(ctx, f.admin, f.vendor.VendorID, true); len(ds) != ingest.DriftCap {
			t.Errorf("open drifts within the hour = %d, want %d", len(ds), ingest.DriftCap)
		}
		f.now = f.now.Add(61 * time.Minute)
		f.send(t, "hour", strings.TrimSuffix(base, "}")+`,"late2":true}`)
		ds, _ = f.svc.Drifts(ctx, f.admin, f.vendor.VendorID, true)
		if len(ds) != ingest.DriftCap+1 || ds[0].Path != "/late2" || ds[0].Breaking {
			t.Fatalf("after an hour: %d open, newest %+v", len(ds), ds[0])
		}

		t.Run("acknowledge closes it once", func(t *testing.T) {
			got, err := f.svc.AcknowledgeDrift(ctx, f.admin, f.vendor.VendorID, ds[0].ID)
			if err != nil || got.AcknowledgedAt == nil || got.AcknowledgedBy == "" {
				t.Fatalf("AcknowledgeDrift = %+v, %v", got, err)
			}
			if _, err := f.svc.AcknowledgeDrift(ctx, f.admin, f.vendor.VendorID, ds[0].ID); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("second acknowledge: %v, want conflict", err)
			}
			if _, err := f.svc.AcknowledgeDrift(ctx, f.admin, "other-vendor", ds[1].ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("acknowledge under another vendor: %v, want not found", err)
			}
			open, _ := f.svc.Drifts(ctx, f.admin, f.vendor.VendorID, true)
			all, _ := f.svc.Drifts(ctx, f.admin, f.vendor.VendorID, false)
			if len(open) != ingest.DriftCap || len(all) != ingest.DriftCap+1 {
				t.Errorf("open %d all %d", len(open), len(all))
			}
		})
	})
}

func TestQualityScore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.setUpRules(t)
		ctx := context.Background()
		at := func(id, occurred, payload string) {
			f.mustAccept(t, []byte(fmt.Sprintf(`{"vendorId":"vendorA","externalEventId":%q,"eventType":"inventory_update",`+
				`"occurredAt":%q,"payload":%s}`, id, occurred, payload)))
		}
		good := `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`
		bad := `{"sku":"ABC-001","qty":"12","warehouse":"ROA"}`
		now := f.now
		// Ten days ago: one good, on-time event (only in the 30 days).
		f.now = now.AddDate(0, 0, -10)
		at("old", f.now.Format(time.RFC3339), good)
		f.now = now
		for i := range 6 {
			at(fmt.Sprintf("ok-%d", i), now.Add(-time.Minute).Format(time.RFC3339), good)
		}
		at("q-1", now.Format(time.RFC3339), bad)
		at("q-2", now.Format(time.RFC3339), bad)
		at("late", now.Add(-49*time.Hour).Format(time.RFC3339), good)
		at("future", now.Add(time.Hour).Format(time.RFC3339), good)
		if _, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil {
			t.Fatal(err)
		}
		qs, err := f.svc.VendorQuality(ctx, f.admin, f.vendor.VendorID)
		if err != nil || len(qs) != 2 {
			t.Fatalf("VendorQuality = %v, %v", qs, err)
		}
		type part struct {
			Days                                                   int
			Counts                                                 ingest.QualityCounts
			Valid, Quarantined, Timely, Validity, Timeliness, Stab float64
			Score                                                  int
		}
		var got []part
		for _, q := range qs {
			got = append(got, part{q.Days, q.Counts, q.ValidPct, q.QuarantinedPct, q.TimelyPct, q.Validity, q.Timeliness, q.Stability, q.Score})
		}
		want := []part{
			// 7 days: 10 events, 8 normalized, 2 quarantined, 1 late, 1
			// future. valid 80%, timely 80%: 0.6×80 + 0.25×80 + 15 = 83.
			{7, ingest.QualityCounts{Events: 10, Normalized: 8, Quarantined: 2, Late: 1, Future: 1}, 80, 20, 80, 48, 20, 15, 83},
			// 30 days: 11 events, 9 normalized: valid 9/11 = 81.82%, timely
			// 9/11: 0.85×81.818 + 15 = 84.55 → 85.
			{30, ingest.QualityCounts{Events: 11, Normalized: 9, Quarantined: 2, Late: 1, Future: 1}, 81.82, 18.18, 81.82, 49.09, 20.45, 15, 85},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("quality (-want +got):\n%s", diff)
		}
	})
}

func TestScoreQualityDrifts(t *testing.T) {
	for _, c := range []struct {
		drifts, score int
		stability     float64
	}{{0, 100, 15}, {1, 99, 13.5}, {4, 94, 9}, {10, 85, 0}, {25, 85, 0}} {
		q := ingest.ScoreQuality(ingest.QualityCounts{Drifts: c.drifts})
		if q.Score != c.score || q.Stability != c.stability {
			t.Errorf("%d drifts: score %d stability %v, want %d and %v", c.drifts, q.Score, q.Stability, c.score, c.stability)
		}
	}
}

// TestMeasureSignals: the vendor's 7-day quality goes out as the score
// signals of the consequence table, once per vendor and hour.
func TestMeasureSignals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := driftFixture(t, db)
		f.svc.Consequences.Measured = consequence.Declare(dispatch.Notices{}).Ingest.Measured
		f.send(t, "a", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`, `{"sku":"ABC-001","qty":"x","warehouse":"ROA"}`)
		f.send(t, "b", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`) // the same hour: no new measure
		got := f.signals(t)
		// The envelopes' occurredAt (2026-01-30) is long before now: all
		// late. valid 50%, timely 0%: 30 + 0 + 15 = 45.
		want := []string{"data_quality_score 45", "event_quarantine_rate 0.5", "schema_drift_count 0"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("signals (-want +got):\n%s", diff)
		}
		f.now = f.now.Add(time.Hour)
		f.send(t, "c", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`)
		if n := len(f.signals(t)); n != 6 {
			t.Errorf("signals after an hour = %d, want 6", n)
		}
	})
}

func (f *fixture) signals(t *testing.T) []string {
	t.Helper()
	rows, err := f.db.WritePool().Query(`SELECT args FROM river_job WHERE kind = 'score.signal'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		var a jobargs.ScoreSignal
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
		if a.Signal.Source != "ingest" || a.Signal.VendorID != f.vendor.VendorID {
			t.Errorf("signal %+v", a.Signal)
		}
		out = append(out, fmt.Sprintf("%s %g", a.Signal.Code, a.Signal.Value))
	}
	sort.Strings(out)
	return out
}
