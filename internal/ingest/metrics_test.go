package ingest_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// series flattens a registry's counters (and histogram counts) into
// "name{label=value,…} value" lines, leaving out the process's own.
func series(t *testing.T, m *obs.Metrics) []string {
	t.Helper()
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fams {
		if !strings.HasPrefix(f.GetName(), "vendorsync_ingest_") {
			continue
		}
		for _, mt := range f.Metric {
			var ls []string
			for _, l := range mt.Label {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			v := mt.GetCounter().GetValue()
			if h := mt.GetHistogram(); h != nil {
				v = float64(h.GetSampleCount())
			}
			out = append(out, fmt.Sprintf("%s{%s} %g", f.GetName(), strings.Join(ls, ","), v))
		}
	}
	sort.Strings(out)
	return out
}

func TestIngestMetrics(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		m := obs.NewMetrics()
		f.svc.Metrics = &m.Ingest
		f.setUpRules(t)
		ctx := context.Background()
		f.mustAccept(t, envelope("vendorA", "m-1", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`))
		f.mustAccept(t, envelope("vendorA", "m-1", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`)) // duplicate
		f.mustAccept(t, envelope("vendorA", "m-2", `{"sku":"ABC-001","qty":"x","warehouse":"ROA"}`))
		if _, err := f.accept(t, envelope("vendorA", "m-1", `{"sku":"other"}`)); err == nil {
			t.Fatal("a changed payload was accepted")
		}
		if _, err := f.accept(t, []byte(`{"vendorId":"vendorA"}`)); err == nil {
			t.Fatal("a bad envelope was accepted")
		}
		// Refused before the body is read: over the payload limit, then
		// over the rate (a burst of 1); and a delivery whose signature
		// does not verify.
		v, err := f.svc.Configure(ctx, f.admin, f.vendor.VendorID, ingest.VendorSettings{VendorKey: "vendorA", RatePerSecond: 1, Burst: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Admit(v, v.MaxPayloadBytes+1, false); !apperr.Is(err, apperr.TooLarge) {
			t.Fatalf("Admit over the payload limit: %v", err)
		}
		if err := f.svc.Admit(v, 10, false); !apperr.Is(err, apperr.TooMany) {
			t.Fatalf("Admit over the rate: %v", err)
		}
		if _, err := f.svc.Hook(ctx, v, ingest.Delivery{ID: "msg_1", Timestamp: "1", Signature: "v1,AAAA", Body: []byte(`{}`)}); err == nil {
			t.Fatal("an unsigned delivery was accepted")
		}
		if _, err := f.svc.Normalize(ctx, f.vendor.TenantID); err != nil {
			t.Fatal(err)
		}
		want := []string{
			"vendorsync_ingest_accepted_total{} 2",
			"vendorsync_ingest_duplicate_total{} 1",
			"vendorsync_ingest_failed_validation_total{reason=conflict} 1",
			"vendorsync_ingest_failed_validation_total{reason=invalid} 1",
			"vendorsync_ingest_failed_validation_total{reason=rate_limited} 1",
			"vendorsync_ingest_failed_validation_total{reason=signature} 1",
			"vendorsync_ingest_failed_validation_total{reason=too_large} 1",
			"vendorsync_ingest_normalize_failed_total{reason=schema_invalid,status=QUARANTINED} 1",
			"vendorsync_ingest_normalize_success_total{} 1",
			"vendorsync_ingest_stage_duration_seconds{stage=accept} 5",
			"vendorsync_ingest_stage_duration_seconds{stage=normalize} 1",
		}
		if diff := cmp.Diff(want, series(t, m)); diff != "" {
			t.Errorf("ingest series (-want +got):\n%s", diff)
		}
	})
}
