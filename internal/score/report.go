package score

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/ident"
)

// ReportKind names a report.
type ReportKind string

// The reports rendered so far.
const (
	ReportPortfolio   ReportKind = "portfolio"
	ReportBandChanges ReportKind = "band_changes"
)

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
}

// Render writes the report's CSV from its context alone: a title block,
// then the header and rows, CRLF-free, in the context's order.
func Render(c RenderContext) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	meta := [][]string{{"report", string(c.Kind)}, {"organisation", c.Tenant}, {"generated", c.GeneratedAt + " " + c.Timezone},
		{"scoring rule version", fmt.Sprint(c.RuleVersion)}, {}}
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
	ID        string        `json:"id"`
	TenantID  string        `json:"-"`
	Kind      ReportKind    `json:"kind"`
	Context   RenderContext `json:"render_context"`
	BlobKey   string        `json:"-"`
	SHA256    string        `json:"sha256"`
	Size      int64         `json:"size"`
	CreatedBy string        `json:"created_by"`
	CreatedAt time.Time     `json:"created_at"`
}

// Blobs is where rendered reports are kept, write-once; *blob.Store
// implements it.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader) (blob.Object, error)
	Get(ctx context.Context, key string) (io.ReadCloser, error)
}

// ReportWindow is how far back the band changes report reads.
const ReportWindow = 90 * 24 * time.Hour

// CreateReport freezes the render context of a report of kind now,
// renders it, stores the output in the blob store and the context with
// the output's SHA-256 in the database.
func (s *Service) CreateReport(ctx context.Context, p auth.Principal, kind ReportKind) (Report, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Report{}, err
	}
	if kind != ReportPortfolio && kind != ReportBandChanges {
		return Report{}, apperr.Invalidf("kind must be portfolio or band_changes")
	}
	if s.Blobs == nil {
		return Report{}, apperr.E(apperr.Unavailable, "reports need the blob store")
	}
	c, err := s.renderContext(ctx, p.TenantID, kind)
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
	r := Report{ID: ident.New(), TenantID: p.TenantID, Kind: kind, Context: c, BlobKey: obj.Key, SHA256: sum, Size: int64(len(out)),
		CreatedBy: p.Label, CreatedAt: now}
	if err := s.Store.CreateReport(ctx, r, audit.Record(p, "score_report.create", "score_report", r.ID, nil,
		map[string]any{"kind": kind, "sha256": sum})); err != nil {
		return Report{}, fmt.Errorf("score.CreateReport: %w", err)
	}
	return r, nil
}

// renderContext freezes what a report of kind shows now.
func (s *Service) renderContext(ctx context.Context, tenantID string, kind ReportKind) (RenderContext, error) {
	tenant, err := s.Store.TenantName(ctx, tenantID)
	if err != nil {
		return RenderContext{}, err
	}
	loc := time.UTC
	if s.Location != nil {
		if l, err := s.Location(ctx, tenantID); err == nil && l != nil {
			loc = l
		} else if err != nil {
			return RenderContext{}, err
		}
	}
	rule, err := s.ActiveRule(ctx, tenantID)
	if err != nil {
		return RenderContext{}, err
	}
	now := s.now()
	stamp := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	c := RenderContext{Kind: kind, Tenant: tenant, Timezone: loc.String(), GeneratedAt: stamp(now), RuleVersion: rule.Version, Rows: [][]string{}}
	switch kind {
	case ReportPortfolio:
		vs, err := s.Store.ListVendorScores(ctx, tenantID)
		if err != nil {
			return RenderContext{}, err
		}
		c.Header = []string{"vendor", "score", "band", "signals", "top contributor", "top contributor points", "computed"}
		for _, v := range vs {
			top, pts := "", ""
			if len(v.Contributors) > 0 {
				top, pts = v.Contributors[0].Label, v.Contributors[0].PointsText()
			}
			c.Rows = append(c.Rows, []string{v.VendorName, v.Text(), v.Band.Label(), fmt.Sprint(v.Signals), top, pts, stamp(v.ComputedAt)})
		}
	case ReportBandChanges:
		evs, err := s.Store.TenantBandEvents(ctx, tenantID, now.Add(-ReportWindow))
		if err != nil {
			return RenderContext{}, err
		}
		c.Header = []string{"when", "vendor", "from", "to", "score", "previous score"}
		for _, e := range evs {
			// The vendor's name as the event froze it.
			c.Rows = append(c.Rows, []string{stamp(e.CreatedAt), e.Payload.Vendor, e.Payload.From, e.Payload.To, e.Payload.Score, e.Payload.Previous})
		}
	}
	return c, nil
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
