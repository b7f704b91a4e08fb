package score

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// ReportKind names a report.
type ReportKind string

// The reports: two CSV, two PDF.
const (
	ReportPortfolio      ReportKind = "portfolio"
	ReportBandChanges    ReportKind = "band_changes"
	ReportScorecard      ReportKind = "scorecard"
	ReportMonthlySummary ReportKind = "monthly_summary"
)

// ReportKinds lists every report kind.
var ReportKinds = []ReportKind{ReportScorecard, ReportMonthlySummary, ReportPortfolio, ReportBandChanges}

// PDF reports whether the report is a PDF (otherwise CSV).
func (k ReportKind) PDF() bool { return k == ReportScorecard || k == ReportMonthlySummary }

// Label names the kind in the UI.
func (k ReportKind) Label() string {
	switch k {
	case ReportScorecard:
		return "Vendor scorecard (PDF)"
	case ReportMonthlySummary:
		return "Monthly summary (PDF)"
	case ReportPortfolio:
		return "Portfolio (CSV)"
	case ReportBandChanges:
		return "Band changes (CSV)"
	}
	return string(k)
}

// Filename is the name a download of the report gets.
func (r Report) Filename() string {
	ext := ".csv"
	if r.Kind.PDF() {
		ext = ".pdf"
	}
	return string(r.Kind) + "-" + r.ID + ext
}

// ContentType is the media type of the report's output.
func (r Report) ContentType() string {
	if r.Kind.PDF() {
		return "application/pdf"
	}
	return "text/csv; charset=utf-8"
}

// RenderContext is everything a report shows, frozen as text when the
// report is created: rendering reads only it, so a report re-rendered
// months later — after the tenant, a vendor or the rule changed, in
// another time zone — gives the same bytes.
type RenderContext struct {
	Kind        ReportKind `json:"kind"`
	Tenant      string     `json:"tenant"`
	Timezone    string     `json:"timezone"`
	GeneratedAt string     `json:"generated_at"`
	RuleVersion int        `json:"rule_version"`
	Header      []string   `json:"header"`
	Rows        [][]string `json:"rows"`
	// Locale, Currency and Delimiter are the tenant's report settings
	// when the context was frozen; contexts older than them have none
	// and render as they always did.
	Locale    string `json:"locale,omitempty"`
	Currency  string `json:"currency,omitempty"`
	Delimiter string `json:"delimiter,omitempty"`
	// Created is the moment the report was made, RFC 3339 in the tenant's
	// zone: the PDF creation date.
	Created string `json:"created,omitempty"`
	// VendorID is the vendor of a scorecard; Period the month of a
	// monthly summary (YYYY-MM).
	VendorID string `json:"vendor_id,omitempty"`
	Period   string `json:"period,omitempty"`
	// Vars, Charts and Tables are what the PDF templates show, as text.
	Vars   map[string]string     `json:"vars,omitempty"`
	Charts map[string]Chart      `json:"charts,omitempty"`
	Tables map[string][][]string `json:"tables,omitempty"`
}

// Render writes the report from its context alone: PDF for the scorecard
// and the monthly summary, CSV otherwise.
func Render(c RenderContext) ([]byte, error) {
	if c.Kind.PDF() {
		return RenderPDF(c)
	}
	return RenderCSV(c)
}

// RenderCSV writes a CSV report: a title block, then the header and rows,
// CRLF-free, in the context's order, fields separated by the context's
// delimiter.
func RenderCSV(c RenderContext) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if c.Delimiter != "" {
		r := []rune(c.Delimiter)
		if len(r) != 1 {
			return nil, fmt.Errorf("render %s: bad delimiter %q", c.Kind, c.Delimiter)
		}
		w.Comma = r[0]
	}
	meta := [][]string{{"report", string(c.Kind)}, {"organisation", c.Tenant}, {"generated", c.GeneratedAt + " " + c.Timezone},
		{"scoring rule version", fmt.Sprint(c.RuleVersion)}}
	if c.Locale != "" {
		meta = append(meta, []string{"locale", c.Locale}, []string{"currency", c.Currency})
	}
	meta = append(meta, []string{})
	for _, r := range meta {
		if err := w.Write(r); err != nil {
			return nil, err
		}
	}
	if err := w.Write(c.Header); err != nil {
		return nil, err
	}
	for _, r := range c.Rows {
		if len(r) != len(c.Header) {
			return nil, fmt.Errorf("render %s: a row has %d cells for %d columns", c.Kind, len(r), len(c.Header))
		}
		if err := w.Write(r); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// Report is one rendered report.
type Report struct {
	ID       string        `json:"id"`
	TenantID string        `json:"-"`
	Kind     ReportKind    `json:"kind"`
	Context  RenderContext `json:"render_context"`
	BlobKey  string        `json:"-"`
	SHA256   string        `json:"sha256"`
	Size     int64         `json:"size"`
	// Schedule is the key of the schedule that made the report, if any.
	Schedule  string    `json:"schedule,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Blobs is where rendered reports are kept, write-once; *blob.Store
// implements it.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader) (blob.Object, error)
	Get(ctx context.Context, key string) (io.ReadCloser, error)
}

// ReportWindow is how far back the band changes report reads.
const ReportWindow = 90 * 24 * time.Hour

// ReportRequest asks for one report.
type ReportRequest struct {
	Kind ReportKind
	// VendorID is the vendor of a scorecard.
	VendorID string
	// Period is the month of a monthly summary, YYYY-MM in the tenant's
	// zone; empty is the last complete month.
	Period string
	// Schedule, when set, makes the report the one of a schedule: a
	// second report with the same key is refused (conflict).
	Schedule string
}

// CreateReport freezes the render context of a report now, renders it,
// stores the output in the blob store and the context with the output's
// SHA-256 in the database.
func (s *Service) CreateReport(ctx context.Context, p auth.Principal, req ReportRequest) (Report, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Report{}, err
	}
	if !slices.Contains(ReportKinds, req.Kind) {
		return Report{}, apperr.Invalidf("kind must be scorecard, monthly_summary, portfolio or band_changes")
	}
	if req.Kind == ReportScorecard && req.VendorID == "" {
		return Report{}, apperr.Invalidf("a scorecard needs the vendor_id")
	}
	if s.Blobs == nil {
		return Report{}, apperr.E(apperr.Unavailable, "reports need the blob store")
	}
	c, err := s.renderContext(ctx, p.TenantID, req)
	if err != nil {
		return Report{}, fmt.Errorf("score.CreateReport: %w", err)
	}
	out, err := Render(c)
	if err != nil {
		return Report{}, fmt.Errorf("score.CreateReport: %w", err)
	}
	now := s.now()
	sum := blob.SHA256(out)
	obj, err := s.Blobs.Put(ctx, blob.Key(p.TenantID, "score-report", now, sum), bytes.NewReader(out))
	if err != nil {
		return Report{}, fmt.Errorf("score.CreateReport: %w", err)
	}
	r := Report{ID: ident.New(), TenantID: p.TenantID, Kind: req.Kind, Context: c, BlobKey: obj.Key, SHA256: sum, Size: int64(len(out)),
		Schedule: req.Schedule, CreatedBy: p.Label, CreatedAt: now}
	if err := s.Store.CreateReport(ctx, r, audit.Record(p, "score_report.create", "score_report", r.ID, nil,
		map[string]any{"kind": req.Kind, "sha256": sum})); err != nil {
		return Report{}, fmt.Errorf("score.CreateReport: %w", err)
	}
	return r, nil
}

// Reports lists the tenant's reports, newest first.
func (s *Service) Reports(ctx context.Context, p auth.Principal) ([]Report, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	rs, err := s.Store.ListReports(ctx, p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("score.Reports: %w", err)
	}
	return rs, nil
}

// ReportOutput returns a report and its stored bytes.
func (s *Service) ReportOutput(ctx context.Context, p auth.Principal, id string) (Report, []byte, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Report{}, nil, err
	}
	r, err := s.Store.Report(ctx, p.TenantID, id)
	if err != nil {
		return Report{}, nil, fmt.Errorf("score.ReportOutput %s: %w", id, err)
	}
	if s.Blobs == nil {
		return Report{}, nil, apperr.E(apperr.Unavailable, "reports need the blob store")
	}
	rc, err := s.Blobs.Get(ctx, r.BlobKey)
	if err != nil {
		return Report{}, nil, fmt.Errorf("score.ReportOutput %s: %w", id, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return Report{}, nil, fmt.Errorf("score.ReportOutput %s: %w", id, err)
	}
	return r, b, nil
}

// Verification compares a report re-rendered from its context with the
// stored output.
type Verification struct {
	Identical bool   `json:"identical"`
	Stored    string `json:"stored_sha256"`
	Rendered  string `json:"rendered_sha256"`
}

// VerifyReport re-renders a report from its frozen context and compares
// the SHA-256 with the stored output's.
func (s *Service) VerifyReport(ctx context.Context, p auth.Principal, id string) (Verification, error) {
	r, stored, err := s.ReportOutput(ctx, p, id)
	if err != nil {
		return Verification{}, err
	}
	out, err := Render(r.Context)
	if err != nil {
		return Verification{}, fmt.Errorf("score.VerifyReport %s: %w", id, err)
	}
	v := Verification{Stored: blob.SHA256(stored), Rendered: blob.SHA256(out)}
	v.Identical = v.Stored == v.Rendered && v.Stored == r.SHA256
	return v, nil
}
