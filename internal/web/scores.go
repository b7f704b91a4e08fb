package web

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/vendorview"
)

// signalsBody is a batch of signals from one source.
type signalsBody struct {
	Source  string             `json:"source,omitempty" maxLength:"100" doc:"Who sends the signals (default \"api\"); external ids in vendor_ref are looked up per source."`
	Signals []score.Submission `json:"signals" maxItems:"1000"`
}

type signalsIn struct {
	Body strictBody[signalsBody]
}

// submitAnswer answers a batch: one result per item, in order, and totals.
type submitAnswer struct {
	Results    []score.ItemResult `json:"results" nullable:"false"`
	Accepted   int                `json:"accepted"`
	Duplicates int                `json:"duplicates"`
	Rejected   int                `json:"rejected"`
	Invalid    int                `json:"invalid"`
}

type submitOut struct {
	Body submitAnswer
}

func answerOf(rs []score.ItemResult) submitAnswer {
	a := submitAnswer{Results: rs}
	if a.Results == nil {
		a.Results = []score.ItemResult{}
	}
	for _, r := range rs {
		switch r.Outcome {
		case score.Accepted:
			a.Accepted++
		case score.Duplicate:
			a.Duplicates++
		case score.Rejected:
			a.Rejected++
		case score.Invalid:
			a.Invalid++
		}
	}
	return a
}

func (s *Server) apiSubmitSignals(ctx context.Context, in *signalsIn) (*submitOut, error) {
	b := in.Body.Value
	if b.Source == "" {
		b.Source = "api"
	}
	rs, err := s.Scores.Submit(ctx, principal(ctx), b.Source, b.Signals)
	if err != nil {
		return nil, err
	}
	return &submitOut{Body: answerOf(rs)}, nil
}

// signalUploadIn is a CSV or JSON file of signals.
type signalUploadIn struct {
	Source  string `query:"source" maxLength:"100" doc:"Who sends the file (default \"upload\")."`
	Type    string `header:"Content-Type"`
	RawBody []byte `contentType:"text/csv" doc:"CSV with a header row (event_id, vendor_id, vendor_external_id, vendor_domain, vendor_name, signal_code, value, observed_at, window_start, window_end, note; unknown columns are ignored), or a JSON array of signals (Content-Type: application/json)."`
}

func (s *Server) apiUploadSignals(ctx context.Context, in *signalUploadIn) (*submitOut, error) {
	mt, _, _ := mime.ParseMediaType(in.Type)
	rows, err := score.ParseUpload(in.RawBody, strings.EqualFold(mt, "application/json"))
	if err != nil {
		return nil, err
	}
	src := in.Source
	if src == "" {
		src = "upload"
	}
	rs, err := s.Scores.SubmitRows(ctx, principal(ctx), src, rows)
	if err != nil {
		return nil, err
	}
	return &submitOut{Body: answerOf(rs)}, nil
}

// requireSignalFile refuses uploads that are neither CSV nor JSON.
func (s *Server) requireSignalFile(ctx huma.Context, next func(huma.Context)) {
	mt, _, err := mime.ParseMediaType(ctx.Header("Content-Type"))
	if err != nil || (!strings.EqualFold(mt, "text/csv") && !strings.EqualFold(mt, "application/json")) {
		_ = huma.WriteErr(s.api, ctx, http.StatusUnsupportedMediaType, "send the file as text/csv or application/json") // the client may be gone
		return
	}
	next(ctx)
}

type signalListIn struct {
	PageQuery
	VendorID string `query:"vendor_id" maxLength:"100" doc:"Only signals about this vendor."`
}

func (s *Server) apiListSignals(ctx context.Context, in *signalListIn) (*PageOut[score.Signal], error) {
	out, next, err := s.Scores.Signals(ctx, principal(ctx), score.SignalFilter{VendorID: in.VendorID, Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

type rejectionListIn struct {
	PageQuery
	Reason string `query:"reason" enum:"FUTURE,STALE,WINDOW_INVERTED,UNKNOWN_SIGNAL_CODE,VALUE_OUT_OF_RANGE,MISSING_VENDOR_REF" doc:"Only rejections for this reason."`
}

func (s *Server) apiListRejections(ctx context.Context, in *rejectionListIn) (*PageOut[score.Signal], error) {
	out, next, err := s.Scores.Signals(ctx, principal(ctx), score.SignalFilter{Rejected: true, Reason: score.Reason(in.Reason),
		Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

type catalogOut struct {
	Body []score.Definition
}

func (s *Server) apiSignalCodes(ctx context.Context, _ *struct{}) (*catalogOut, error) {
	return &catalogOut{Body: score.Catalog}, nil
}

type portfolioIn struct {
	Sort string `query:"sort" enum:"score,name,band,change" doc:"Order: score (riskiest first, the default), name, band (critical first), change (biggest 30-day rise first)."`
	Band string `query:"band" enum:"low,medium,high,critical,none" doc:"Only vendors in this band; none lists those without data."`
}

type portfolioOut struct {
	Body []score.PortfolioRow
}

func (s *Server) apiPortfolio(ctx context.Context, in *portfolioIn) (*portfolioOut, error) {
	vs, err := s.Scores.PortfolioView(ctx, principal(ctx), score.PortfolioQuery{Sort: score.PortfolioSort(in.Sort), Band: in.Band})
	if err != nil {
		return nil, err
	}
	return &portfolioOut{Body: vs}, nil
}

type cardOut struct {
	Body score.Card
}

func (s *Server) apiVendorScore(ctx context.Context, in *IDPath) (*cardOut, error) {
	c, err := s.Scores.VendorCard(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &cardOut{Body: c}, nil
}

type overviewOut struct {
	Body vendorview.VendorOverview
}

func (s *Server) apiVendorOverview(ctx context.Context, in *IDPath) (*overviewOut, error) {
	o, err := s.VendorView.Get(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &overviewOut{Body: o}, nil
}

// externalIDBody maps a source's vendor id.
type externalIDBody struct {
	Source     string `json:"source,omitempty" maxLength:"100" doc:"The system that uses the id, as it names itself when it submits signals."`
	ExternalID string `json:"external_id,omitempty" maxLength:"200" doc:"The vendor's id in that system."`
}

type externalIDIn struct {
	IDPath
	Body strictBody[externalIDBody]
}

func (s *Server) apiMapExternalID(ctx context.Context, in *externalIDIn) (*struct{}, error) {
	b := in.Body.Value
	return nil, s.Scores.MapExternalID(ctx, principal(ctx), in.ID, b.Source, b.ExternalID)
}

// scoreRuleBody is a new rule version.
type scoreRuleBody struct {
	Definition score.RuleDefinition `json:"definition"`
	Note       string               `json:"note,omitempty" maxLength:"2000"`
}

type scoreRuleIn struct {
	Body strictBody[scoreRuleBody]
}

type scoreRuleOut struct {
	Body score.ScoringRule
}

type scoreRulesOut struct {
	Body []score.ScoringRule
}

func (s *Server) apiListScoreRules(ctx context.Context, _ *struct{}) (*scoreRulesOut, error) {
	rs, err := s.Scores.Rules(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	if rs == nil {
		rs = []score.ScoringRule{}
	}
	return &scoreRulesOut{Body: rs}, nil
}

func (s *Server) apiCreateScoreRule(ctx context.Context, in *scoreRuleIn) (*scoreRuleOut, error) {
	b := in.Body.Value
	r, err := s.Scores.CreateRule(ctx, principal(ctx), b.Definition, b.Note)
	if err != nil {
		return nil, err
	}
	return &scoreRuleOut{Body: r}, nil
}

func (s *Server) apiGetScoreRule(ctx context.Context, in *IDPath) (*scoreRuleOut, error) {
	r, err := s.Scores.ScoringRule(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &scoreRuleOut{Body: r}, nil
}

func (s *Server) apiActivateScoreRule(ctx context.Context, in *IDPath) (*scoreRuleOut, error) {
	r, err := s.Scores.ActivateRule(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &scoreRuleOut{Body: r}, nil
}

// Operations of the score API; routes.go registers them.
var (
	docSubmitSignals = huma.Operation{Summary: "Submit signals", SkipValidateBody: true, Description: "Up to 1000 signals about vendors. " +
		"Each item is answered in order: accepted, duplicate (its event_id was accepted before; the first signal's id is returned), " +
		"rejected with the reason (FUTURE, STALE, WINDOW_INVERTED, UNKNOWN_SIGNAL_CODE, VALUE_OUT_OF_RANGE, MISSING_VENDOR_REF; stored and " +
		"listed under /api/v1/signals/rejections, and a corrected resend with the same event_id is accepted), or invalid (unreadable, not stored). " +
		"One bad item never stops the others. Accepted signals rescore their vendors."}
	docUploadSignals = func() huma.Operation {
		o := huma.Operation{Summary: "Upload a signal file", Description: "A CSV file (text/csv) or a JSON array of signals (application/json), " +
			"answered row by row as POST /api/v1/signals answers items; rows are numbered from 1 after the header. 415 for another content type."}
		o.MaxBodyBytes = maxSignalFile
		o.Errors = []int{http.StatusUnsupportedMediaType, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity}
		return o
	}()
	docListSignals     = readDoc("List signals", "Accepted signals, newest first.")
	docListRejections  = readDoc("List rejected signals", "Rejected signals with their reason, newest first.")
	docSignalCodes     = readDoc("List the signal catalog", "Every signal code with its category, value type, valid range, direction and default weight.")
	docPortfolio       = readDoc("List vendor scores", "Every vendor: the scored ones riskiest first unless sort says otherwise, with its score 30 days ago and the change since; vendors without scorable signals show score null (no data).")
	docVendorScore     = readDoc("Get a vendor's score", "Score (0 no risk … 100 most risk), band, top contributors whose points add up to the score, trend and band changes.")
	docVendorOverview  = readDoc("Get what VendorSync knows about a vendor", "Beside the score: its tickets (unfinished, breached, the latest), open price exceptions by severity, the last 7 days of its event feed (accepted, normalized, quarantined) and its tracker issues by sync status.")
	docMapExternalID   = huma.Operation{Summary: "Map a vendor's external id", SkipValidateBody: true, DefaultStatus: http.StatusNoContent, Description: "Signals from source whose vendor_ref.external_id is external_id resolve to this vendor."}
	docListScoreRules  = readDoc("List scoring rule versions", "Every version, newest first; exactly one is active (none saved: the default rule applies).")
	docCreateScoreRule = createDoc("Save a scoring rule version", "Saved inactive as the next version; a rule whose weights cannot produce a valid score is refused with the reason.")
	docGetScoreRule    = readDoc("Get a scoring rule version", "")
	docActivateRule    = huma.Operation{Summary: "Activate a scoring rule version", Description: "Atomically the only active version; every vendor is rescored under it."}
)

// maxSignalFile bounds an uploaded signal file.
const maxSignalFile = 8 << 20

// uploadSignalsDoc is docUploadSignals with its content-type check.
func (s *Server) uploadSignalsDoc() huma.Operation {
	o := docUploadSignals
	o.Middlewares = huma.Middlewares{s.requireSignalFile}
	return o
}

// hubSignals is the signed hub endpoint: a Standard Webhooks delivery
// (webhook-id, webhook-timestamp, webhook-signature) whose signature is
// verified on the raw body before it is parsed.
func (s *Server) hubSignals(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSignalFile))
	if err != nil {
		writeProblem(w, http.StatusRequestEntityTooLarge, "the delivery is larger than 8 MiB")
		return
	}
	rs, err := s.Scores.Hub(r.Context(), score.HubDelivery{Tenant: r.PathValue("tenant"), ID: r.Header.Get("webhook-id"),
		Timestamp: r.Header.Get("webhook-timestamp"), Signature: r.Header.Get("webhook-signature"), Body: body})
	if err != nil {
		status := Status(err)
		if status >= 500 {
			s.log.ErrorContext(r.Context(), "hub delivery failed", "err", err.Error())
		}
		writeProblem(w, status, apperr.MessageOf(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answerOf(rs)) // the sender may be gone; it retries
}

// reportBody asks for a report.
type reportBody struct {
	Kind     score.ReportKind `json:"kind,omitempty" enum:"scorecard,monthly_summary,portfolio,band_changes" doc:"scorecard (one vendor, PDF), monthly_summary (PDF), portfolio (every vendor's score, CSV) or band_changes (the last 90 days, CSV)."`
	VendorID string           `json:"vendor_id,omitempty" maxLength:"100" doc:"The vendor of a scorecard."`
	Period   string           `json:"period,omitempty" maxLength:"7" doc:"The month of a monthly summary, YYYY-MM in the tenant's time zone; empty is the last complete month."`
}

type reportIn struct {
	Body strictBody[reportBody]
}

type reportOut struct {
	Body score.Report
}

type reportsOut struct {
	Body []score.Report
}

type reportFileOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Digest             string `header:"X-Content-SHA256"`
	Body               []byte
}

type reportVerifyOut struct {
	Body score.Verification
}

func (s *Server) apiListReports(ctx context.Context, _ *struct{}) (*reportsOut, error) {
	rs, err := s.Scores.Reports(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return &reportsOut{Body: rs}, nil
}

func (s *Server) apiCreateReport(ctx context.Context, in *reportIn) (*reportOut, error) {
	r, err := s.Scores.CreateReport(ctx, principal(ctx), score.ReportRequest{Kind: in.Body.Value.Kind,
		VendorID: in.Body.Value.VendorID, Period: in.Body.Value.Period})
	if err != nil {
		return nil, err
	}
	return &reportOut{Body: r}, nil
}

func reportFile(r score.Report, b []byte) *reportFileOut {
	ext := ".csv"
	if r.Kind.PDF() {
		ext = ".pdf"
	}
	return &reportFileOut{ContentType: r.ContentType(), Digest: r.SHA256, Body: b,
		ContentDisposition: `attachment; filename="` + string(r.Kind) + "-" + r.CreatedAt.UTC().Format("20060102-150405") + ext + `"`}
}

func (s *Server) apiDownloadReport(ctx context.Context, in *IDPath) (*reportFileOut, error) {
	r, b, err := s.Scores.ReportOutput(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return reportFile(r, b), nil
}

func (s *Server) apiVerifyReport(ctx context.Context, in *IDPath) (*reportVerifyOut, error) {
	v, err := s.Scores.VerifyReport(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &reportVerifyOut{Body: v}, nil
}

// Operations of the report API.
var (
	docListReports    = readDoc("List score reports", "The latest 200 reports, newest first, each with its frozen render context.")
	docCreateReport   = createDoc("Render a score report", "Freezes what the report shows now (legal name, vendor names, scores, the tenant's locale, currency and time zone) as its render context, renders PDF (scorecard, monthly_summary) or CSV (portfolio, band_changes) and stores it write-once with its SHA-256.")
	docDownloadReport = readDoc("Download a score report", "The PDF or CSV exactly as rendered; X-Content-SHA256 is its digest.")
	docVerifyReport   = huma.Operation{Summary: "Verify a score report", Description: "Re-renders the report from its frozen context and compares SHA-256 with the stored output: identical is true when the bytes match."}
)
