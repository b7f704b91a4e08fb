package score_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestScheduleMonthlySummaries: the schedule makes each tenant's summary
// of its last month once, however often it runs, in the tenant's own
// settings.
func TestScheduleMonthlySummaries(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReportFixture(t, db)
		ctx := context.Background()
		for i, want := range []int{2, 0, 0} {
			n, err := f.svc.ScheduleMonthlySummaries(ctx)
			if err != nil || n != want {
				t.Fatalf("run %d: made %d (%v), want %d", i, n, err, want)
			}
		}
		for _, p := range []struct {
			admin bool
			name  string
		}{{true, "Müller Beschaffung GmbH"}, {false, "Hudson Procurement LLC"}} {
			pr := f.admin
			if !p.admin {
				pr = f.other
			}
			rs, err := f.svc.Reports(ctx, pr)
			if err != nil || len(rs) != 1 || rs[0].Kind != score.ReportMonthlySummary || !strings.HasPrefix(rs[0].Schedule, "monthly_summary:") ||
				rs[0].Context.Vars["legal_name"] != p.name {
				t.Fatalf("reports of %s: %v %+v", p.name, err, rs)
			}
		}
	})
}

// TestVerifyReports re-renders every stored report across tenants: all
// identical, until a stored context is edited behind the product's back.
func TestVerifyReports(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReportFixture(t, db)
		ctx := context.Background()
		f.allReports(t, true)
		f.allReports(t, false)
		check := func() (ok, bad int) {
			t.Helper()
			if err := f.svc.VerifyReports(ctx, score.ReportFilter{}, func(v score.VerifyResult) {
				if v.OK() {
					ok++
				} else {
					bad++
				}
			}); err != nil {
				t.Fatal(err)
			}
			return ok, bad
		}
		if ok, bad := check(); ok != 8 || bad != 0 {
			t.Fatalf("intact: %d identical, %d mismatched", ok, bad)
		}
		q := `UPDATE score_reports SET render_context = replace(render_context, 'Acme Parts', 'Acme Forged') WHERE tenant_id = ?`
		if db.Dialect == sqlstore.Postgres {
			q = strings.ReplaceAll(q, "?", "$1")
		}
		if _, err := db.WritePool().Exec(q, f.admin.TenantID); err != nil {
			t.Fatal(err)
		}
		// The scorecard, the monthly summary, the portfolio and the band
		// changes of tenant A all name the vendor.
		if ok, bad := check(); ok != 4 || bad != 4 {
			t.Fatalf("edited: %d identical, %d mismatched", ok, bad)
		}
		n := 0
		if err := f.svc.VerifyReports(ctx, score.ReportFilter{TenantID: f.other.TenantID}, func(score.VerifyResult) { n++ }); err != nil || n != 4 {
			t.Fatalf("tenant filter: %d (%v)", n, err)
		}
	})
}
