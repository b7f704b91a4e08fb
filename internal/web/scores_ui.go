package web

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/vendorview"
)

// scoresPage is the portfolio: every vendor, the band distribution
// and, after an upload, its row-level results.
type scoresPage struct {
	// Scores are the vendors shown: filtered by Band, ordered by Sort.
	Scores  []score.PortfolioRow
	Reports []score.Report
	Sort    string
	Band    string
	// Total counts every vendor listed, whatever the filter.
	Total  int
	Bands  []bandCount
	NoData int
	Upload *submitAnswer
	// Columns are the sortable column headers.
	Columns []sortColumn
}

// sortColumn is a column header that orders the portfolio.
type sortColumn struct {
	Label  string
	Href   string
	Active bool
}

// bandCount is one bar of the band distribution.
type bandCount struct {
	Band  score.Band
	Count int
	// X and Width place the bar in the 0–600 wide chart.
	X, Width float64
}

func distribution(vs []score.VendorScore) ([]bandCount, int) {
	counts := map[score.Band]int{}
	none := 0
	for _, v := range vs {
		if v.Score == nil {
			none++
			continue
		}
		counts[v.Band]++
	}
	total := len(vs) - none
	out := make([]bandCount, 0, len(score.Bands))
	x := 0.0
	for _, b := range score.Bands {
		c := bandCount{Band: b, Count: counts[b], X: x}
		if total > 0 {
			c.Width = 600 * float64(c.Count) / float64(total)
		}
		x += c.Width
		out = append(out, c)
	}
	return out, none
}

func (s *Server) portfolioPage(r *http.Request, p auth.Principal) (scoresPage, error) {
	vs, err := s.Scores.Portfolio(r.Context(), p)
	if err != nil {
		return scoresPage{}, err
	}
	reports, err := s.Scores.Reports(r.Context(), p)
	if err != nil {
		return scoresPage{}, err
	}
	if len(reports) > 10 {
		reports = reports[:10]
	}
	q := portfolioQuery(r)
	data := scoresPage{Reports: reports, Sort: string(q.Sort), Band: q.Band, Total: len(vs)}
	if data.Scores, err = s.Scores.PortfolioView(r.Context(), p, q); err != nil {
		return scoresPage{}, err
	}
	data.Bands, data.NoData = distribution(vs)
	for _, c := range []struct {
		label string
		by    score.PortfolioSort
	}{{"Vendor", score.SortName}, {"Score", score.SortScore}, {"Band", score.SortBand}, {"30-day change", score.SortChange}} {
		v := url.Values{"sort": {string(c.by)}}
		if q.Band != "" {
			v.Set("band", q.Band)
		}
		data.Columns = append(data.Columns, sortColumn{Label: c.label, Href: "/scores?" + v.Encode(), Active: c.by == q.Sort})
	}
	return data, nil
}

// portfolioQuery reads the portfolio's order and band filter; values the
// page does not offer fall back to riskiest first and every band.
func portfolioQuery(r *http.Request) score.PortfolioQuery {
	q := score.PortfolioQuery{Sort: score.PortfolioSort(r.URL.Query().Get("sort")), Band: r.URL.Query().Get("band")}
	if !slices.Contains(score.PortfolioSorts, q.Sort) {
		q.Sort = score.SortScore
	}
	if q.Band != score.BandNone && !slices.Contains(score.Bands, score.Band(q.Band)) {
		q.Band = ""
	}
	return q
}

func (s *Server) uiScores(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	data, err := s.portfolioPage(r, p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "scores.html", View{Title: "Vendor scores", Nav: "scores", Data: data})
	return nil
}

// uiUploadSignals submits a CSV or JSON file of signals and shows the
// portfolio with the file's row-level results.
func (s *Server) uiUploadSignals(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	data, err := s.portfolioPage(r, p)
	if err != nil {
		return err
	}
	v := View{Title: "Vendor scores", Nav: "scores", Data: &data}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		v.Error = "Choose a CSV or JSON file of signals."
		s.render(w, r, http.StatusUnprocessableEntity, "scores.html", v)
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSignalFile+1))
	if err != nil || len(b) > maxSignalFile {
		v.Error = "The file is larger than 8 MiB; split it."
		s.render(w, r, http.StatusRequestEntityTooLarge, "scores.html", v)
		return nil
	}
	mt, _, _ := mime.ParseMediaType(hdr.Header.Get("Content-Type"))
	isJSON := strings.HasSuffix(strings.ToLower(hdr.Filename), ".json") || mt == "application/json"
	rows, err := score.ParseUpload(b, isJSON)
	if err == nil {
		var rs []score.ItemResult
		if rs, err = s.Scores.SubmitRows(r.Context(), p, "upload", rows); err == nil {
			a := answerOf(rs)
			data.Upload = &a
			v.Flash = fmt.Sprintf("%s: %d accepted, %d duplicates, %d rejected, %d unreadable.", hdr.Filename, a.Accepted, a.Duplicates, a.Rejected, a.Invalid)
			s.render(w, r, http.StatusOK, "scores.html", v)
			return nil
		}
	}
	if formFailure(err) {
		s.render(w, r, Status(err), "scores.html", viewWithErr(v, err))
		return nil
	}
	return err
}

// rejectionsPage lists rejected signals.
type rejectionsPage struct {
	Signals []score.Signal
	Next    string
	Reason  string
	Reasons []score.Reason
}

func (s *Server) uiRejections(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	data := rejectionsPage{Reason: q.Get("reason"), Reasons: score.Reasons}
	sigs, next, err := s.Scores.Signals(r.Context(), p, score.SignalFilter{Rejected: true, Reason: score.Reason(data.Reason), Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	data.Signals = sigs
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	s.render(w, r, http.StatusOK, "rejections.html", View{Title: "Rejected signals", Nav: "rejections", Data: data})
	return nil
}

// vendorScorePage is the vendor's score page.
type vendorScorePage struct {
	Card     score.Card
	Overview vendorview.VendorOverview
	Trend    trendChart
	Signals  []score.Signal
	Labels   map[string]string
	// Reports are the vendor's latest scorecards.
	Reports []score.Report
}

// trendChart is the score history drawn as an inline SVG polyline.
type trendChart struct {
	Points string
	Dots   []trendDot
	// Bands are the threshold lines, at their height.
	Bands []trendLine
	From  string
	To    string
}

type trendDot struct {
	X, Y  float64
	Title string
}

type trendLine struct {
	Y     float64
	Label string
}

const trendW, trendH = 600.0, 160.0

// trend draws the history across its days; points without data are left
// out of the line.
func trend(h []score.HistoryPoint, th score.Thresholds, now time.Time) trendChart {
	c := trendChart{}
	for _, l := range []struct {
		v float64
		n string
	}{{th.Medium, "medium"}, {th.High, "high"}, {th.Critical, "critical"}} {
		c.Bands = append(c.Bands, trendLine{Y: trendH * (1 - l.v/100), Label: l.n})
	}
	from := now.Add(-score.HistoryDays * 24 * time.Hour)
	if len(h) > 0 && h[0].ComputedAt.After(from) {
		from = h[0].ComputedAt
	}
	span := now.Sub(from).Seconds()
	var pts []string
	for _, p := range h {
		if p.Score == nil {
			continue
		}
		x := trendW
		if span > 0 {
			x = trendW * p.ComputedAt.Sub(from).Seconds() / span
		}
		y := trendH * (1 - *p.Score/100)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		c.Dots = append(c.Dots, trendDot{X: x, Y: y, Title: p.ComputedAt.UTC().Format("2006-01-02 15:04") + ": " + score.FormatScore(p.Score)})
	}
	c.Points = strings.Join(pts, " ")
	c.From, c.To = from.UTC().Format("2006-01-02"), now.UTC().Format("2006-01-02")
	return c
}

func (s *Server) uiVendorScore(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	card, err := s.Scores.VendorCard(r.Context(), p, id)
	if err != nil {
		return err
	}
	sigs, _, err := s.Scores.Signals(r.Context(), p, score.SignalFilter{VendorID: id, Limit: 25})
	if err != nil {
		return err
	}
	labels := map[string]string{}
	for _, d := range score.Catalog {
		labels[d.Code] = d.Label
	}
	ov, err := s.VendorView.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	reports, err := s.Scores.Reports(r.Context(), p)
	if err != nil {
		return err
	}
	var cards []score.Report
	for _, rep := range reports {
		if rep.Kind == score.ReportScorecard && rep.Context.VendorID == id && len(cards) < 5 {
			cards = append(cards, rep)
		}
	}
	data := vendorScorePage{Card: card, Overview: ov, Signals: sigs, Labels: labels, Reports: cards,
		Trend: trend(card.History, card.ScoringRule.Definition.Bands, time.Now())}
	s.render(w, r, http.StatusOK, "vendor_score.html", View{Title: card.Score.VendorName, Nav: "scores", Data: data})
	return nil
}

// uiCreateReport renders a report and goes back to the portfolio.
func (s *Server) uiCreateReport(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	req := score.ReportRequest{Kind: score.ReportKind(r.PostFormValue("kind")), VendorID: r.PostFormValue("vendor_id"),
		Period: r.PostFormValue("period")}
	rep, err := s.Scores.CreateReport(r.Context(), p, req)
	if err != nil {
		if formFailure(err) {
			data, derr := s.portfolioPage(r, p)
			if derr != nil {
				return derr
			}
			s.render(w, r, Status(err), "scores.html", viewWithErr(View{Title: "Vendor scores", Nav: "scores", Data: data}, err))
			return nil
		}
		return err
	}
	if req.Kind == score.ReportScorecard {
		http.Redirect(w, r, score.VendorPath(rep.Context.VendorID)+"#reports", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/scores#reports", http.StatusSeeOther)
	return nil
}

// uiDownloadReport sends a report's stored bytes.
func (s *Server) uiDownloadReport(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rep, b, err := s.Scores.ReportOutput(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := reportFile(rep, b)
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", f.ContentDisposition)
	w.Header().Set("X-Content-SHA256", f.Digest)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(b)
	return err
}
