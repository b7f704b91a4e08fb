package contract

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// ExceptionCount is how many of the tenant's exceptions have one status and
// severity.
type ExceptionCount struct {
	Status   ExceptionStatus
	Severity Severity
	N        int
}

// Overview is what the contracts dashboard shows: exceptions by status and
// severity, contracts ending soon or ended, and the latest runs.
type Overview struct {
	Counts []ExceptionCount
	// Open counts open exceptions by severity; MissingMapping those whose
	// line has no ERP item yet.
	Open           SeverityCounts
	OpenTotal      int
	MissingMapping int
	// EndingSoon are active contracts whose end date is within
	// EndingWithinDays from today; Ended those already past it.
	EndingSoon, Ended int
	EndingWithinDays  int
	Contracts         int
	RecentRuns        []Run
}

// endingWithinDays is the horizon of "contracts ending soon".
const endingWithinDays = 30

// Overview summarises the tenant's contracts for its dashboard, with today
// in the tenant's time zone.
func (s *ReconciliationService) Overview(ctx context.Context, p auth.Principal, today time.Time) (Overview, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Overview{}, err
	}
	o := Overview{EndingWithinDays: endingWithinDays}
	var err error
	if o.Counts, err = s.Store.ExceptionCounts(ctx, p.TenantID); err != nil {
		return Overview{}, err
	}
	for _, c := range o.Counts {
		if c.Status == ExceptionOpen {
			o.Open.add(c.Severity, c.N)
			o.OpenTotal += c.N
		}
	}
	if o.MissingMapping, err = s.Store.OpenExceptionsOfRule(ctx, p.TenantID, RuleMissingMapping); err != nil {
		return Overview{}, err
	}
	ends, err := s.Store.ContractEnds(ctx, p.TenantID)
	if err != nil {
		return Overview{}, err
	}
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	horizon := day.AddDate(0, 0, endingWithinDays)
	for _, end := range ends {
		o.Contracts++
		switch {
		case end == nil:
		case end.Before(day):
			o.Ended++
		case !end.After(horizon):
			o.EndingSoon++
		}
	}
	if o.RecentRuns, _, err = s.Store.ListRuns(ctx, p.TenantID, RunFilter{Limit: 5}); err != nil {
		return Overview{}, err
	}
	return o, nil
}

// StatusTotals are the exceptions per status, in workflow order, for the
// dashboard's chart.
func (o Overview) StatusTotals() []StatusTotal {
	out := []StatusTotal{{Status: ExceptionOpen}, {Status: ExceptionResolved}, {Status: ExceptionOverridden}}
	for _, c := range o.Counts {
		for i := range out {
			if out[i].Status == c.Status {
				out[i].N += c.N
				out[i].add(c.Severity, c.N)
			}
		}
	}
	return out
}

// SeverityCounts are counts by severity.
type SeverityCounts struct{ High, Medium, Low int }

func (c *SeverityCounts) add(s Severity, n int) {
	switch s {
	case SeverityHigh:
		c.High += n
	case SeverityMedium:
		c.Medium += n
	default:
		c.Low += n
	}
}

// StatusTotal is one bar of the chart: a status and its count by severity.
type StatusTotal struct {
	Status ExceptionStatus
	N      int
	SeverityCounts
}
