package score_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// reportFixture is two tenants with opposite report settings: A writes
// German reports in euros in Berlin, B American ones in dollars in New
// York, under different legal names, each with its own scored vendor.
type reportFixture struct {
	*fixture
	initech  registry.Vendor
	mu       sync.Mutex
	settings map[string]score.ReportSettings
}

func (f *reportFixture) set(tenantID string, change func(*score.ReportSettings)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.settings[tenantID]
	change(&s)
	f.settings[tenantID] = s
}

func newReportFixture(t *testing.T, db *sqlstore.DB) *reportFixture {
	t.Helper()
	ctx := context.Background()
	f := &reportFixture{fixture: newFixture(t, db)}
	blobs, err := blob.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.settings = map[string]score.ReportSettings{
		f.admin.TenantID: {LegalName: "Müller Beschaffung GmbH", Locale: "de-DE", Currency: "EUR", Timezone: "Europe/Berlin"},
		f.other.TenantID: {LegalName: "Hudson Procurement LLC", Locale: "en-US", Currency: "USD", Timezone: "America/New_York"},
	}
	f.svc.Blobs = blobs
	f.svc.ReportSettings = func(_ context.Context, tenantID string) (score.ReportSettings, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.settings[tenantID], nil
	}
	if f.initech, err = f.reg.CreateVendor(ctx, f.other, registry.Vendor{Name: "Initech", Tier: registry.Tier3}); err != nil {
		t.Fatal(err)
	}
	feed := func(p string, vendor string, admin bool) {
		t.Helper()
		pr := f.admin
		if !admin {
			pr = f.other
		}
		if _, err := f.svc.Submit(ctx, pr, "rest", []score.Submission{
			f.sub(p+"-1", "security_incident_count", 5, score.VendorRef{ID: vendor}),
			f.sub(p+"-2", "contract_expired", 1, score.VendorRef{ID: vendor}),
			f.sub(p+"-3", "on_time_delivery_rate", 0.875, score.VendorRef{ID: vendor}),
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Rescore(ctx, pr.TenantID, vendor); err != nil {
			t.Fatal(err)
		}
	}
	feed("a", f.acme.ID, true)
	feed("b", f.initech.ID, false)
	return f
}

type made struct {
	r   score.Report
	out []byte
}

// allReports renders the four reports of tenant p.
func (f *reportFixture) allReports(t *testing.T, admin bool) []made {
	t.Helper()
	ctx := context.Background()
	p, vendor := f.admin, f.acme.ID
	if !admin {
		p, vendor = f.other, f.initech.ID
	}
	month := f.now.Format("2006-01")
	var out []made
	for _, req := range []score.ReportRequest{{Kind: score.ReportScorecard, VendorID: vendor}, {Kind: score.ReportMonthlySummary, Period: month},
		{Kind: score.ReportPortfolio}, {Kind: score.ReportBandChanges}} {
		r, err := f.svc.CreateReport(ctx, p, req)
		if err != nil {
			t.Fatalf("%s: %v", req.Kind, err)
		}
		_, b, err := f.svc.ReportOutput(ctx, p, r.ID)
		if err != nil || sum(b) != r.SHA256 {
			t.Fatalf("stored %s: %v (sha %s vs %s)", req.Kind, err, sum(b), r.SHA256)
		}
		out = append(out, made{r, b})
	}
	return out
}

// text is what a reader sees of a report: the CSV, or a PDF's text and
// document information as poppler extracts them.
func text(t *testing.T, m made) string {
	t.Helper()
	if !m.r.Kind.PDF() {
		return string(m.out)
	}
	var all strings.Builder
	for _, tool := range [][]string{{"pdftotext", "-layout", "-", "-"}, {"pdfinfo", "-"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			t.Skipf("%s (poppler-utils) is not installed", tool[0])
		}
		cmd := exec.Command(tool[0], tool[1:]...)
		cmd.Stdin = bytes.NewReader(m.out)
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s of %s: %v", tool[0], m.r.Kind, err)
		}
		all.Write(b)
	}
	return all.String()
}

// TestReportsByteIdentical renders all four reports of two tenants, then
// renames the tenant (its legal name too) and the vendor, activates
// another rule and moves both tenants to another zone and locale: every
// report re-rendered from its frozen context has the stored bytes (same
// SHA-256), and new reports show the new names.
func TestReportsByteIdentical(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReportFixture(t, db)
		ctx := context.Background()
		reports := append(f.allReports(t, true), f.allReports(t, false)...)

		q := `UPDATE tenants SET name = 'Renamed GmbH' WHERE id = ?`
		if db.Dialect == sqlstore.Postgres {
			q = strings.ReplaceAll(q, "?", "$1")
		}
		if _, err := db.WritePool().Exec(q, f.admin.TenantID); err != nil {
			t.Fatal(err)
		}
		f.set(f.admin.TenantID, func(s *score.ReportSettings) {
			s.LegalName, s.Timezone, s.Locale, s.Currency = "Renamed Legal AG", "Asia/Tokyo", "en-US", "JPY"
		})
		f.set(f.other.TenantID, func(s *score.ReportSettings) { s.Timezone, s.Locale = "UTC", "de-DE" })
		if _, err := f.reg.UpdateVendor(ctx, f.admin, f.acme.ID, func(v *registry.Vendor) { v.Name = "Acme Renamed" }); err != nil {
			t.Fatal(err)
		}
		d := score.DefaultRule()
		d.Bands = score.Thresholds{Medium: 10, High: 20, Critical: 30}
		d.HalfLifeDays = 3
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

		for _, m := range reports {
			p := f.admin
			if m.r.TenantID != f.admin.TenantID {
				p = f.other
			}
			v, err := f.svc.VerifyReport(ctx, p, m.r.ID)
			if err != nil {
				t.Fatal(err)
			}
			stored, _, err := f.svc.ReportOutput(ctx, p, m.r.ID)
			if err != nil {
				t.Fatal(err)
			}
			again, err := score.Render(stored.Context)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Identical || sum(again) != m.r.SHA256 || sum(again) != sum(m.out) {
				t.Errorf("%s of %s re-rendered differently: %+v", m.r.Kind, p.TenantID, v)
			}
		}
		// New reports show the new names, zone and locale.
		for _, m := range f.allReports(t, true) {
			s := text(t, m)
			for _, want := range []string{"Renamed Legal AG", "Asia/Tokyo"} {
				if !strings.Contains(s, want) {
					t.Errorf("new %s lacks %q:\n%s", m.r.Kind, want, s)
				}
			}
			if (m.r.Kind == score.ReportScorecard || m.r.Kind == score.ReportPortfolio) && !strings.Contains(s, "Acme Renamed") {
				t.Errorf("new %s lacks the vendor's new name:\n%s", m.r.Kind, s)
			}
		}
		if _, _, err := f.svc.ReportOutput(ctx, f.other, reports[0].r.ID); err == nil {
			t.Error("tenant B read tenant A's report")
		}
	})
}

// TestReportsTwoTenants renders every report of two tenants whose legal
// names, vendors, locales, zones and currencies differ: each shows its
// own, formatted its own way, and nothing of the other.
func TestReportsTwoTenants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReportFixture(t, db)
		a, b := f.allReports(t, true), f.allReports(t, false)
		own := map[bool][]string{
			true:  {"Müller Beschaffung GmbH", "EUR", "Europe/Berlin", "de-DE"},
			false: {"Hudson Procurement LLC", "USD", "America/New_York", "en-US"},
		}
		vendor := map[bool]string{true: "Acme Parts", false: "Initech"}
		day := map[bool]*regexp.Regexp{true: regexp.MustCompile(`\b\d{2}\.\d{2}\.\d{4}\b`), false: regexp.MustCompile(`\b\d{2}/\d{2}/\d{4}\b`)}
		for _, side := range []bool{true, false} {
			ms := a
			if !side {
				ms = b
			}
			for _, m := range ms {
				s := text(t, m)
				for _, want := range own[side] {
					if want == "de-DE" || want == "en-US" {
						if m.r.Kind.PDF() {
							continue // the PDFs show the locale by their formats
						}
					}
					if !strings.Contains(s, want) {
						t.Errorf("%s of tenant %v lacks its %q:\n%s", m.r.Kind, side, want, s)
					}
				}
				for _, leak := range append(own[!side], vendor[!side]) {
					if strings.Contains(s, leak) || bytes.Contains(m.out, []byte(leak)) {
						t.Errorf("%s of tenant %v shows the other tenant's %q:\n%s", m.r.Kind, side, leak, s)
					}
				}
				if m.r.Kind != score.ReportBandChanges && m.r.Kind != score.ReportMonthlySummary && !strings.Contains(s, vendor[side]) {
					t.Errorf("%s of tenant %v lacks its vendor %q:\n%s", m.r.Kind, side, vendor[side], s)
				}
				if !day[side].MatchString(s) || day[!side].MatchString(s) {
					t.Errorf("%s of tenant %v writes dates the other's way:\n%s", m.r.Kind, side, s)
				}
			}
		}
		// Scores: a decimal comma in A, a point in B; CSV fields by ";" in A.
		sa, sb := text(t, a[0]), text(t, b[0])
		score := regexp.MustCompile(`\b\d{1,3}([.,])\d\b`)
		if m := score.FindStringSubmatch(sa); m == nil || m[1] != "," {
			t.Errorf("tenant A's scorecard score is not written with a decimal comma: %v\n%s", m, sa)
		}
		if m := score.FindStringSubmatch(sb); m == nil || m[1] != "." {
			t.Errorf("tenant B's scorecard score is not written with a decimal point: %v\n%s", m, sb)
		}
		if !strings.HasPrefix(string(a[2].out), "report;portfolio\n") || !strings.HasPrefix(string(b[2].out), "report,portfolio\n") {
			t.Errorf("CSV delimiters: A %q, B %q", a[2].out[:20], b[2].out[:20])
		}
		if !strings.Contains(string(a[3].out), "Acme Parts;No data;High;60,2;no data") {
			t.Errorf("band changes report of A:\n%s", a[3].out)
		}
	})
}

// TestScorecardPDF renders a scorecard twice from one context: the bytes
// are the same, and the text is what the scorecard is about.
func TestScorecardPDF(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReportFixture(t, db)
		card := f.allReports(t, true)[0]
		one, err := score.RenderPDF(card.r.Context)
		if err != nil {
			t.Fatal(err)
		}
		two, err := score.RenderPDF(card.r.Context)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(one, two) || !bytes.Equal(one, card.out) || !bytes.HasPrefix(one, []byte("%PDF-")) {
			t.Fatalf("two renders of one context differ (%s, %s, stored %s)", sum(one), sum(two), sum(card.out))
		}
		s := text(t, card)
		for _, want := range []string{"Müller Beschaffung GmbH", "Vendor scorecard: Acme Parts", "Score", "Band", "High", "60,2",
			"Score trend", "Top contributors", "Security incidents", "Recent signals", "Period", "EUR", "page 1", "Title:"} {
			if !strings.Contains(s, want) {
				t.Errorf("scorecard lacks %q:\n%s", want, s)
			}
		}
		if !regexp.MustCompile(`CreationDate:\s+\S`).MatchString(s) {
			t.Errorf("no creation date:\n%s", s)
		}
	})
}

// TestReportMissingVariable: a context without a variable, chart or
// table a template names, or without its creation date, does not render.
func TestReportMissingVariable(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newReportFixture(t, db)
		rs := f.allReports(t, false)
		for _, c := range []struct {
			name  string
			m     made
			drop  func(*score.RenderContext)
			error string
		}{
			{"vendor", rs[0], func(c *score.RenderContext) { delete(c.Vars, "vendor") }, `missing variable "vendor"`},
			{"legal name", rs[1], func(c *score.RenderContext) { delete(c.Vars, "legal_name") }, `missing variable "legal_name"`},
			{"period", rs[1], func(c *score.RenderContext) { delete(c.Vars, "period_label") }, `missing variable "period_label"`},
			{"table", rs[0], func(c *score.RenderContext) { delete(c.Tables, "contributors") }, `missing table "contributors"`},
			{"chart", rs[1], func(c *score.RenderContext) { delete(c.Charts, "bands") }, `missing chart "bands"`},
			{"created", rs[0], func(c *score.RenderContext) { c.Created = "" }, `creation date`},
			{"csv cell", rs[2], func(c *score.RenderContext) { c.Rows[0] = c.Rows[0][:2] }, `2 cells`},
		} {
			t.Run(c.name, func(t *testing.T) {
				ctx := c.m.r.Context
				// A deep enough copy: the maps and the first row are replaced.
				ctx.Vars, ctx.Tables, ctx.Charts = clone(ctx.Vars), clone(ctx.Tables), clone(ctx.Charts)
				ctx.Rows = append([][]string{}, ctx.Rows...)
				c.drop(&ctx)
				if _, err := score.Render(ctx); err == nil || !strings.Contains(err.Error(), c.error) {
					t.Errorf("render without %s: %v, want %q", c.name, err, c.error)
				}
			})
		}
	})
}

func clone[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
