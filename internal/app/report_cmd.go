package app

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/score"
)

// ReportCmd groups score report commands.
type ReportCmd struct {
	Verify ReportVerifyCmd `cmd:"" help:"Re-render stored score reports from their frozen context and compare SHA-256 with the stored output; exits non-zero on any mismatch."`
}

// ReportVerifyCmd re-renders stored reports.
type ReportVerifyCmd struct {
	Tenant string `help:"Only this organisation (its slug; default: all)."`
	ID     string `help:"Only this report."`
	Since  string `help:"Reports made at or after: an RFC 3339 time, a date (2026-01-30) or a duration back from now (720h)."`
	Until  string `help:"Reports made before: an RFC 3339 time, a date or a duration back from now."`
}

// Run verifies the selection, printing each mismatch and the counts.
func (c ReportVerifyCmd) Run(ctx context.Context, g *Globals) error {
	now := time.Now().UTC()
	var f score.ReportFilter
	for _, w := range []struct {
		flag, value string
		into        *time.Time
	}{{"--since", c.Since, &f.Since}, {"--until", c.Until, &f.Until}} {
		if w.value == "" {
			continue
		}
		t, err := parseSince(w.value, now)
		if err != nil {
			return apperr.Invalidf("%s must be an RFC 3339 time, a date or a duration such as 720h", w.flag)
		}
		*w.into = t
	}
	f.ID = c.ID
	e, blobs, done, err := g.openWithBlobs(ctx)
	if err != nil {
		return err
	}
	defer done()
	if c.Tenant != "" {
		t, err := e.db.TenantBySlug(ctx, c.Tenant)
		if err != nil {
			return fmt.Errorf("tenant %s: %w", c.Tenant, err)
		}
		f.TenantID = t.ID
	}
	svc := &score.Service{Store: e.db, Blobs: blobs}
	checked, bad := 0, 0
	err = svc.VerifyReports(ctx, f, func(v score.VerifyResult) {
		checked++
		if v.OK() {
			return
		}
		bad++
		if v.Err != nil {
			fmt.Fprintf(g.stdout, "MISMATCH %s %s (tenant %s): %v\n", v.Report.ID, v.Report.Kind, v.Report.TenantID, v.Err)
			return
		}
		fmt.Fprintf(g.stdout, "MISMATCH %s %s (tenant %s): recorded %s, stored %s, re-rendered %s\n", v.Report.ID, v.Report.Kind,
			v.Report.TenantID, v.Report.SHA256, v.Stored, v.Rendered)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "%d reports checked, %d identical, %d mismatched\n", checked, checked-bad, bad)
	if bad > 0 {
		return fmt.Errorf("%d report(s) do not re-render to their stored bytes", bad)
	}
	return nil
}
