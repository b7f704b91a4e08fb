package score

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// RecentSignals is how many signals a scorecard lists.
const RecentSignals = 10

// reportSettings reads the tenant's report settings, filling what it
// never set: the tenant's name as legal name, en-US, USD, UTC.
func (s *Service) reportSettings(ctx context.Context, tenantID string) (ReportSettings, error) {
	var rs ReportSettings
	if s.ReportSettings != nil {
		var err error
		if rs, err = s.ReportSettings(ctx, tenantID); err != nil {
			return ReportSettings{}, err
		}
	}
	if rs.LegalName == "" {
		name, err := s.Store.TenantName(ctx, tenantID)
		if err != nil {
			return ReportSettings{}, err
		}
		rs.LegalName = name
	}
	if rs.Locale == "" {
		rs.Locale = "en-US"
	}
	if rs.Currency == "" {
		rs.Currency = "USD"
	}
	if rs.Timezone == "" {
		rs.Timezone = "UTC"
	}
	return rs, nil
}

// renderContext freezes what a report shows now, as text in the tenant's
// locale and zone.
func (s *Service) renderContext(ctx context.Context, tenantID string, req ReportRequest) (RenderContext, error) {
	rs, err := s.reportSettings(ctx, tenantID)
	if err != nil {
		return RenderContext{}, err
	}
	loc, err := time.LoadLocation(rs.Timezone)
	if err != nil {
		return RenderContext{}, apperr.Invalidf("the report time zone %q is not known", rs.Timezone)
	}
	l := LookupLocale(rs.Locale)
	rule, err := s.ActiveRule(ctx, tenantID)
	if err != nil {
		return RenderContext{}, err
	}
	now := s.now()
	c := RenderContext{Kind: req.Kind, Tenant: rs.LegalName, Timezone: loc.String(), GeneratedAt: l.Moment(now, loc),
		RuleVersion: rule.Version, Rows: [][]string{}, Locale: l.Tag, Currency: rs.Currency, Delimiter: string(l.Delimiter),
		Created: now.In(loc).Truncate(time.Second).Format(time.RFC3339)}
	if req.Kind.PDF() {
		c.Header = []string{}
		c.Vars = map[string]string{"legal_name": rs.LegalName, "generated": c.GeneratedAt, "timezone": c.Timezone,
			"currency": rs.Currency, "rule_version": strconv.Itoa(rule.Version), "locale": l.Tag}
		c.Charts, c.Tables = map[string]Chart{}, map[string][][]string{}
	}
	switch req.Kind {
	case ReportPortfolio:
		vs, err := s.Store.ListVendorScores(ctx, tenantID)
		if err != nil {
			return RenderContext{}, err
		}
		c.Header = []string{"vendor", "score", "band", "signals", "top contributor", "top contributor points", "computed"}
		for _, v := range vs {
			top, pts := "", ""
			if len(v.Contributors) > 0 {
				top, pts = v.Contributors[0].Label, l.Number(v.Contributors[0].Points, 1)
			}
			c.Rows = append(c.Rows, []string{v.VendorName, l.Score(v.Score), v.Band.Label(), strconv.Itoa(v.Signals), top, pts, l.Moment(v.ComputedAt, loc)})
		}
	case ReportBandChanges:
		evs, err := s.Store.TenantBandEvents(ctx, tenantID, now.Add(-ReportWindow))
		if err != nil {
			return RenderContext{}, err
		}
		c.Header = []string{"when", "vendor", "from", "to", "score", "previous score"}
		for _, e := range evs {
			// The vendor's name as the event froze it.
			c.Rows = append(c.Rows, []string{l.Moment(e.CreatedAt, loc), e.Payload.Vendor, e.Payload.From, e.Payload.To, l.Score(e.Score), l.payloadScore(e.Payload.Previous)})
		}
	case ReportScorecard:
		if err := s.scorecard(ctx, &c, tenantID, req.VendorID, rule.Definition, l, loc, now); err != nil {
			return RenderContext{}, err
		}
	case ReportMonthlySummary:
		if err := s.monthlySummary(ctx, &c, tenantID, req.Period, l, loc, now); err != nil {
			return RenderContext{}, err
		}
	}
	return c, nil
}

// payloadScore rewrites a score a band event froze as "72.5" in l.
func (l Locale) payloadScore(s string) string {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s // "no data" stays as written
	}
	return l.Number(v, 1)
}

// value writes a signal's value with as many decimals as it has.
func (l Locale) value(v *float64) string {
	if v == nil {
		return "none"
	}
	s := strconv.FormatFloat(*v, 'f', -1, 64)
	dec := 0
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			dec = len(s) - 1 - i
			break
		}
	}
	return l.Number(*v, dec)
}

func tenths(v float64) *int {
	t := int(v*10 + 0.5)
	return &t
}

// scorecard freezes one vendor's score, trend, contributors and recent
// signals.
func (s *Service) scorecard(ctx context.Context, c *RenderContext, tenantID, vendorID string, d RuleDefinition, l Locale, loc *time.Location, now time.Time) error {
	v, err := s.Store.Vendor(ctx, tenantID, vendorID)
	if err != nil {
		return err
	}
	c.VendorID = v.ID
	vs, err := s.Store.VendorScore(ctx, tenantID, vendorID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	from := now.Add(-d.Window())
	c.Vars["vendor"] = v.Name
	c.Vars["score"] = l.Score(vs.Score)
	c.Vars["band"] = vs.Band.Label()
	c.Vars["signals"] = strconv.Itoa(vs.Signals)
	c.Vars["period_from"] = l.Day(from, loc)
	c.Vars["period_to"] = l.Day(now, loc)

	hist, err := s.Store.ScoreHistory(ctx, tenantID, vendorID, from)
	if err != nil {
		return err
	}
	// One point a day: the score the vendor had at the end of it.
	var pts []ChartPoint
	var last *int
	k := 0
	for day := startOfDay(from, loc); !day.After(now); day = day.AddDate(0, 0, 1) {
		end := day.AddDate(0, 0, 1)
		for ; k < len(hist) && hist[k].ComputedAt.Before(end); k++ {
			if hist[k].Score == nil {
				last = nil
			} else {
				last = tenths(*hist[k].Score)
			}
		}
		pts = append(pts, ChartPoint{Label: l.Day(day, loc), Tenths: last})
	}
	c.Charts["trend"] = Chart{Points: pts}

	rows := [][]string{}
	for _, ct := range vs.Contributors {
		rows = append(rows, []string{ct.Label, ct.Category.Label(), strconv.Itoa(ct.Signals), l.Number(ct.Points, 1), l.Share(ct.Share)})
	}
	c.Tables["contributors"] = rows
	sigs, _, err := s.Store.ListSignals(ctx, tenantID, SignalFilter{VendorID: vendorID, Limit: RecentSignals})
	if err != nil {
		return err
	}
	rows = [][]string{}
	for _, sg := range sigs {
		label := sg.Code
		if def, ok := Lookup(sg.Code); ok {
			label = def.Label
		}
		rows = append(rows, []string{l.Moment(sg.ObservedAt, loc), label, l.value(sg.Value), sg.Source})
	}
	c.Tables["signals"] = rows
	return nil
}

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Month is a calendar month in a zone.
type Month struct {
	From, To time.Time // To is the first moment of the next month
	Key      string    // YYYY-MM
}

// MonthOf returns the month key (YYYY-MM) names in loc; an empty key is
// the last complete month before now.
func MonthOf(key string, loc *time.Location, now time.Time) (Month, error) {
	var from time.Time
	if key == "" {
		y, m, _ := now.In(loc).Date()
		from = time.Date(y, m, 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0)
	} else {
		t, err := time.ParseInLocation("2006-01", key, loc)
		if err != nil {
			return Month{}, apperr.Invalidf("period must be a month YYYY-MM")
		}
		from = t
	}
	if from.After(now) {
		return Month{}, apperr.Invalidf("period %s has not started", key)
	}
	return Month{From: from, To: from.AddDate(0, 1, 0), Key: from.Format("2006-01")}, nil
}

var monthNames = map[string][12]string{
	"de-DE": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	"fr-FR": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

// MonthName names the month of t in l.
func (l Locale) MonthName(t time.Time) string {
	if n, ok := monthNames[l.Tag]; ok {
		return n[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("January 2006")
}

// monthlySummary freezes a month of the tenant's portfolio: the band
// distribution, every vendor's score, the band changes and the signals
// of the month.
func (s *Service) monthlySummary(ctx context.Context, c *RenderContext, tenantID, period string, l Locale, loc *time.Location, now time.Time) error {
	m, err := MonthOf(period, loc, now)
	if err != nil {
		return err
	}
	c.Period = m.Key
	end := m.To
	if end.After(now) {
		end = now
	}
	c.Vars["period_label"] = l.MonthName(m.From)
	c.Vars["period_from"] = l.Day(m.From, loc)
	c.Vars["period_to"] = l.Day(end.Add(-time.Second), loc)

	vs, err := s.Store.ListVendorScores(ctx, tenantID)
	if err != nil {
		return err
	}
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if (a.Score == nil) != (b.Score == nil) {
			return a.Score != nil
		}
		if a.Score != nil && *a.Score != *b.Score {
			return *a.Score > *b.Score
		}
		if a.VendorName != b.VendorName {
			return a.VendorName < b.VendorName
		}
		return a.VendorID < b.VendorID
	})
	counts := map[Band]int{}
	var total float64
	scored := 0
	rows := [][]string{}
	for _, v := range vs {
		counts[v.Band]++
		if v.Score != nil {
			total += *v.Score
			scored++
		}
		top := ""
		if len(v.Contributors) > 0 {
			top = v.Contributors[0].Label + " (" + l.Share(v.Contributors[0].Share) + ")"
		}
		rows = append(rows, []string{v.VendorName, l.Score(v.Score), v.Band.Label(), strconv.Itoa(v.Signals), top})
	}
	c.Tables["vendors"] = rows
	c.Vars["vendors"] = strconv.Itoa(scored)
	c.Vars["average"] = "no data"
	if scored > 0 {
		avg := total / float64(scored)
		c.Vars["average"] = l.Score(&avg)
	}
	var bars []ChartPoint
	for _, b := range append(append([]Band{}, Bands...), NoData) {
		n := counts[b]
		t := n * 10
		bars = append(bars, ChartPoint{Label: b.Label(), Tenths: &t, Text: strconv.Itoa(n)})
	}
	c.Charts["bands"] = Chart{Points: bars}

	evs, err := s.Store.TenantBandEvents(ctx, tenantID, m.From)
	if err != nil {
		return err
	}
	rows = [][]string{}
	for _, e := range evs {
		if !e.CreatedAt.Before(m.To) {
			continue
		}
		rows = append(rows, []string{l.Moment(e.CreatedAt, loc), e.Payload.Vendor, e.Payload.From, e.Payload.To, l.Score(e.Score)})
	}
	c.Tables["band_changes"] = rows
	c.Vars["band_changes"] = strconv.Itoa(len(rows))
	n, err := s.Store.CountSignals(ctx, tenantID, m.From, m.To)
	if err != nil {
		return fmt.Errorf("signals of %s: %w", m.Key, err)
	}
	c.Vars["signals"] = l.Number(float64(n), 0)
	return nil
}
