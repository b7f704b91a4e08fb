package score

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
)

// MonthlySchedule is the schedule key of a tenant's monthly summary of
// month (YYYY-MM).
func MonthlySchedule(month string) string { return string(ReportMonthlySummary) + ":" + month }

// ScheduleMonthlySummaries renders, for every tenant with scores, the
// monthly summary of its last complete month (in its own time zone) unless
// it has it already. Run as often as wanted: each month's summary is made
// once, and the database refuses a second one made at the same moment by
// another replica.
func (s *Service) ScheduleMonthlySummaries(ctx context.Context) (int, error) {
	ts, err := s.Store.TenantsWithSignals(ctx)
	if err != nil {
		return 0, fmt.Errorf("score.ScheduleMonthlySummaries: %w", err)
	}
	made := 0
	for _, t := range ts {
		rs, err := s.reportSettings(ctx, t)
		if err != nil {
			return made, fmt.Errorf("score.ScheduleMonthlySummaries %s: %w", t, err)
		}
		loc, err := time.LoadLocation(rs.Timezone)
		if err != nil {
			loc = time.UTC // validation keeps unknown zones out; the summary still comes
		}
		m, err := MonthOf("", loc, s.now())
		if err != nil {
			return made, err
		}
		key := MonthlySchedule(m.Key)
		done, err := s.Store.ScheduledReportExists(ctx, t, key)
		if err != nil {
			return made, fmt.Errorf("score.ScheduleMonthlySummaries %s: %w", t, err)
		}
		if done {
			continue
		}
		_, err = s.CreateReport(ctx, auth.System(t), ReportRequest{Kind: ReportMonthlySummary, Period: m.Key, Schedule: key})
		if apperr.Is(err, apperr.Conflict) {
			continue // another replica made it first
		}
		if err != nil {
			return made, err
		}
		made++
	}
	return made, nil
}

// VerifyResult is one stored report checked against a fresh render.
type VerifyResult struct {
	Report   Report
	Rendered string // SHA-256 of the new render
	Stored   string // SHA-256 of the stored bytes
	Err      error
}

// OK reports whether the render, the stored bytes and the recorded
// SHA-256 all agree.
func (v VerifyResult) OK() bool {
	return v.Err == nil && v.Rendered == v.Stored && v.Stored == v.Report.SHA256
}

// VerifyReports re-renders every report the filter selects, across
// tenants (an operator's check, not a tenant's), calling each with the
// outcome as it goes.
func (s *Service) VerifyReports(ctx context.Context, f ReportFilter, each func(VerifyResult)) error {
	if s.Blobs == nil {
		return apperr.E(apperr.Unavailable, "reports need the blob store")
	}
	rs, err := s.Store.FindReports(ctx, f)
	if err != nil {
		return fmt.Errorf("score.VerifyReports: %w", err)
	}
	for _, r := range rs {
		v := VerifyResult{Report: r}
		out, err := Render(r.Context)
		if err != nil {
			v.Err = fmt.Errorf("render: %w", err)
		} else {
			v.Rendered = blob.SHA256(out)
		}
		rc, err := s.Blobs.Get(ctx, r.BlobKey)
		if err == nil {
			var b []byte
			b, err = io.ReadAll(rc)
			rc.Close()
			v.Stored = blob.SHA256(b)
		}
		if err != nil && v.Err == nil {
			v.Err = fmt.Errorf("stored output: %w", err)
		}
		each(v)
	}
	return nil
}
