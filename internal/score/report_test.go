package score_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestReportsByteIdentical renders the portfolio and band changes reports
// of two tenants in different time zones, then renames the tenant and the
// vendor, activates another rule and moves the tenant to another zone:
// every report re-rendered from its frozen context has the stored bytes,
// and neither tenant's report shows the other's vendors.
func TestReportsByteIdentical(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		blobs, err := blob.Open(ctx, "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		zones := map[string]string{f.admin.TenantID: "Europe/Berlin", f.other.TenantID: "America/New_York"}
		f.svc.Blobs = blobs
		f.svc.Location = func(_ context.Context, tenantID string) (*time.Location, error) {
			return time.LoadLocation(zones[tenantID])
		}
		other, err := f.reg.CreateVendor(ctx, f.other, registry.Vendor{Name: "Initech", Tier: registry.Tier3})
		if err != nil {
			t.Fatal(err)
		}
		feed := func(p, vendor string, tenant bool) {
			t.Helper()
			pr := f.admin
			if !tenant {
				pr = f.other
			}
			if _, err := f.svc.Submit(ctx, pr, "rest", []score.Submission{
				f.sub(p+"-1", "security_incident_count", 5, score.VendorRef{ID: vendor}),
				f.sub(p+"-2", "contract_expired", 1, score.VendorRef{ID: vendor}),
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Rescore(ctx, pr.TenantID, vendor); err != nil {
				t.Fatal(err)
			}
		}
		feed("a", f.acme.ID, true)
		feed("b", other.ID, false)

		type made struct {
			r   score.Report
			out []byte
		}
		var reports []made
		for _, p := range []struct {
			admin bool
		}{{true}, {false}} {
			pr := f.admin
			if !p.admin {
				pr = f.other
			}
			for _, kind := range []score.ReportKind{score.ReportPortfolio, score.ReportBandChanges} {
				r, err := f.svc.CreateReport(ctx, pr, kind)
				if err != nil {
					t.Fatal(err)
				}
				_, out, err := f.svc.ReportOutput(ctx, pr, r.ID)
				if err != nil || sum(out) != r.SHA256 {
					t.Fatalf("stored output: %v (sha %s vs %s)", err, sum(out), r.SHA256)
				}
				reports = append(reports, made{r, out})
			}
		}
		a, b := string(reports[0].out)+string(reports[1].out), string(reports[2].out)+string(reports[3].out)
		if !strings.Contains(a, "Acme Parts") || !strings.Contains(a, "Tenant 0") || !strings.Contains(a, "Europe/Berlin") ||
			strings.Contains(a, "Initech") || strings.Contains(a, "Tenant 1") {
			t.Errorf("tenant A's reports:\n%s", a)
		}
		if !strings.Contains(b, "Initech") || !strings.Contains(b, "America/New_York") || strings.Contains(b, "Acme") {
			t.Errorf("tenant B's reports:\n%s", b)
		}
		if !strings.Contains(string(reports[1].out), "Acme Parts,No data,Critical,100.0") {
			t.Errorf("band changes report:\n%s", reports[1].out)
		}

		// Everything the reports showed changes.
		q := `UPDATE tenants SET name = 'Renamed GmbH' WHERE id = ?`
		if db.Dialect == sqlstore.Postgres {
			q = strings.ReplaceAll(q, "?", "$1")
		}
		if _, err := db.WritePool().Exec(q, f.admin.TenantID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reg.UpdateVendor(ctx, f.admin, f.acme.ID, func(v *registry.Vendor) { v.Name = "Acme Renamed" }); err != nil {
			t.Fatal(err)
		}
		d := score.DefaultRule()
		d.Bands = score.Thresholds{Medium: 10, High: 20, Critical: 30}
		rule, err := f.svc.CreateRule(ctx, f.admin, d, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ActivateRule(ctx, f.admin, rule.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RescoreTenant(ctx, f.admin.TenantID); err != nil {
			t.Fatal(err)
		}
		zones[f.admin.TenantID], zones[f.other.TenantID] = "Asia/Tokyo", "UTC"

		for _, m := range reports {
			p := f.admin
			if m.r.TenantID != f.admin.TenantID {
				p = f.other
			}
			v, err := f.svc.VerifyReport(ctx, p, m.r.ID)
			if err != nil {
				t.Fatal(err)
			}
			again, err := score.Render(m.r.Context)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Identical || sum(again) != sum(m.out) {
				t.Errorf("%s of %s re-rendered differently: %+v", m.r.Kind, p.TenantID, v)
			}
		}
		// A new report shows the new names.
		r, err := f.svc.CreateReport(ctx, f.admin, score.ReportPortfolio)
		if err != nil {
			t.Fatal(err)
		}
		_, out, _ := f.svc.ReportOutput(ctx, f.admin, r.ID)
		if !strings.Contains(string(out), "Renamed GmbH") || !strings.Contains(string(out), "Acme Renamed") || !strings.Contains(string(out), "Asia/Tokyo") {
			t.Errorf("new report:\n%s", out)
		}
		if _, _, err := f.svc.ReportOutput(ctx, f.other, r.ID); err == nil {
			t.Error("tenant B read tenant A's report")
		}
	})
}
