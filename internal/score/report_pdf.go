package score

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Chart is what a PDF report draws as a small chart, frozen in the
// render context. Values are whole tenths, so drawing it is integer
// arithmetic and gives the same coordinates on every machine.
type Chart struct {
	Points []ChartPoint `json:"points"`
}

// ChartPoint is one point of a line or one bar.
type ChartPoint struct {
	Label string `json:"label"`
	// Tenths is the value times ten; nil is "no data" (a gap in a line).
	Tenths *int `json:"tenths"`
	// Text is the value as the chart writes it over a bar.
	Text string `json:"text,omitempty"`
}

// block is one element of a PDF template. Texts name context variables
// as {name}; a name the context lacks fails the render.
type block struct {
	op     string // title, heading, text, fact, line, bars, table
	text   string
	value  string
	name   string // the chart or table of the context
	header []string
	widths []int // column widths in points; they add up to contentWidth
	align  string
	empty  string
}

const (
	pageW, pageH  = 595, 842 // A4 in points
	margin        = 40
	contentWidth  = pageW - 2*margin
	footerY       = pageH - 28
	bottom        = pageH - 50
	rowH          = 15
	chartH        = 150
	chartMaxTenth = 1000
)

// pdfTemplates are the layouts of the PDF reports.
var pdfTemplates = map[ReportKind][]block{
	ReportScorecard: {
		{op: "title", text: "{legal_name}"},
		{op: "heading", text: "Vendor scorecard: {vendor}"},
		{op: "text", text: "Period {period_from} to {period_to} ({timezone}), reporting currency {currency}"},
		{op: "fact", text: "Score", value: "{score}"},
		{op: "fact", text: "Band", value: "{band}"},
		{op: "fact", text: "Signals", value: "{signals}"},
		{op: "fact", text: "Scoring rule", value: "v{rule_version}"},
		{op: "line", text: "Score trend, daily (0 = no risk, 100 = most risk)", name: "trend"},
		{op: "table", text: "Top contributors", name: "contributors", header: []string{"Signal", "Category", "Signals", "Points", "Share"},
			widths: []int{175, 150, 60, 65, 65}, align: "LLRRR", empty: "No scorable signals in the window."},
		{op: "table", text: "Recent signals", name: "signals", header: []string{"Observed", "Signal", "Value", "Source"},
			widths: []int{110, 225, 80, 100}, align: "LLRL", empty: "No signals."},
	},
	ReportMonthlySummary: {
		{op: "title", text: "{legal_name}"},
		{op: "heading", text: "Monthly vendor risk summary: {period_label}"},
		{op: "text", text: "Period {period_from} to {period_to} ({timezone}), reporting currency {currency}"},
		{op: "fact", text: "Vendors scored", value: "{vendors}"},
		{op: "fact", text: "Average score", value: "{average}"},
		{op: "fact", text: "Signals in period", value: "{signals}"},
		{op: "fact", text: "Band changes", value: "{band_changes}"},
		{op: "bars", text: "Vendors by band as of {generated}", name: "bands"},
		{op: "table", text: "Vendors by score as of {generated}", name: "vendors", header: []string{"Vendor", "Score", "Band", "Signals", "Top contributor"},
			widths: []int{165, 60, 70, 60, 160}, align: "LRLRL", empty: "No vendors scored."},
		{op: "table", text: "Band changes in the period", name: "band_changes", header: []string{"When", "Vendor", "From", "To", "Score"},
			widths: []int{110, 165, 80, 80, 80}, align: "LLLLR", empty: "No vendor changed band."},
	},
}

var variable = regexp.MustCompile(`\{([a-z_]+)\}`)

// expand fills the {name} variables of text from vars; a name vars lacks
// is an error, never an empty string on the page.
func expand(text string, vars map[string]string) (string, error) {
	var missing []string
	out := variable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("missing variable %q", missing[0])
	}
	return out, nil
}

// pdfWriter draws one PDF report top to bottom.
type pdfWriter struct {
	pdf    *gopdf.GoPdf
	c      RenderContext
	y      int
	page   int
	footer string
}

// RenderPDF writes a PDF report from its context alone: the creation date
// is the context's, the Go fonts are embedded, nothing is compressed, so
// the same context always gives the same bytes.
func RenderPDF(c RenderContext) ([]byte, error) {
	tpl, ok := pdfTemplates[c.Kind]
	if !ok {
		return nil, fmt.Errorf("render %s: not a PDF report", c.Kind)
	}
	created, err := time.Parse(time.RFC3339, c.Created)
	if err != nil {
		return nil, fmt.Errorf("render %s: missing or bad creation date %q", c.Kind, c.Created)
	}
	footer, err := expand("{legal_name} · generated {generated} ({timezone}) · scoring rule v{rule_version}", c.Vars)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", c.Kind, err)
	}
	title, err := expand(tpl[1].text, c.Vars)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", c.Kind, err)
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	pdf.SetNoCompression()
	pdf.SetInfo(gopdf.PdfInfo{Title: title, Author: c.Vars["legal_name"], Creator: "VendorSync", Producer: "VendorSync", CreationDate: created})
	if err := pdf.AddTTFFontData("regular", goregular.TTF); err != nil {
		return nil, fmt.Errorf("render %s: %w", c.Kind, err)
	}
	if err := pdf.AddTTFFontData("bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("render %s: %w", c.Kind, err)
	}
	w := &pdfWriter{pdf: pdf, c: c, footer: footer}
	if err := w.newPage(); err != nil {
		return nil, fmt.Errorf("render %s: %w", c.Kind, err)
	}
	for i := 0; i < len(tpl); i++ {
		b := tpl[i]
		if b.op == "fact" {
			j := i
			for j < len(tpl) && tpl[j].op == "fact" {
				j++
			}
			if err := w.facts(tpl[i:j]); err != nil {
				return nil, fmt.Errorf("render %s: %w", c.Kind, err)
			}
			i = j - 1
			continue
		}
		if err := w.block(b); err != nil {
			return nil, fmt.Errorf("render %s: %w", c.Kind, err)
		}
	}
	var out bytes.Buffer
	if _, err := pdf.WriteTo(&out); err != nil {
		return nil, fmt.Errorf("render %s: %w", c.Kind, err)
	}
	return out.Bytes(), nil
}

func (w *pdfWriter) newPage() error {
	w.pdf.AddPage()
	w.page++
	w.y = margin
	if err := w.font("regular", 8); err != nil {
		return err
	}
	w.pdf.SetTextColor(110, 110, 110)
	w.pdf.SetStrokeColor(200, 200, 200)
	w.pdf.SetLineWidth(0.5)
	w.pdf.Line(margin, footerY-4, pageW-margin, footerY-4)
	if err := w.textAt(margin, footerY, w.footer); err != nil {
		return err
	}
	if err := w.right(pageW-margin, footerY, fmt.Sprintf("page %d", w.page)); err != nil {
		return err
	}
	w.pdf.SetTextColor(0, 0, 0)
	return nil
}

func (w *pdfWriter) font(name string, size int) error { return w.pdf.SetFont(name, "", size) }

func (w *pdfWriter) textAt(x, y int, s string) error {
	w.pdf.SetXY(float64(x), float64(y))
	return w.pdf.Cell(nil, s)
}

// right writes s ending at x.
func (w *pdfWriter) right(x, y int, s string) error {
	wd, err := w.pdf.MeasureTextWidth(s)
	if err != nil {
		return err
	}
	w.pdf.SetXY(float64(x)-wd, float64(y))
	return w.pdf.Cell(nil, s)
}

// fit shortens s with an ellipsis until it is narrower than width.
func (w *pdfWriter) fit(s string, width int) (string, error) {
	for r := []rune(s); ; r = r[:len(r)-1] {
		t := string(r)
		if len(r) < len([]rune(s)) {
			t += "…"
		}
		wd, err := w.pdf.MeasureTextWidth(t)
		if err != nil {
			return "", err
		}
		if wd <= float64(width) || len(r) == 0 {
			return t, nil
		}
	}
}

// room starts a new page when h points do not fit on this one.
func (w *pdfWriter) room(h int) error {
	if w.y+h <= bottom {
		return nil
	}
	return w.newPage()
}

func (w *pdfWriter) block(b block) error {
	text, err := expand(b.text, w.c.Vars)
	if err != nil {
		return err
	}
	switch b.op {
	case "title":
		if err := w.font("bold", 18); err != nil {
			return err
		}
		err = w.textAt(margin, w.y, text)
		w.y += 26
	case "heading":
		if err := w.font("bold", 13); err != nil {
			return err
		}
		err = w.textAt(margin, w.y, text)
		w.y += 20
	case "text":
		if err := w.font("regular", 9); err != nil {
			return err
		}
		err = w.textAt(margin, w.y, text)
		w.y += 18
	case "line", "bars":
		ch, ok := w.c.Charts[b.name]
		if !ok {
			return fmt.Errorf("missing chart %q", b.name)
		}
		err = w.chart(b.op, text, ch)
	case "table":
		rows, ok := w.c.Tables[b.name]
		if !ok {
			return fmt.Errorf("missing table %q", b.name)
		}
		err = w.table(b, text, rows)
	default:
		err = fmt.Errorf("unknown template element %q", b.op)
	}
	return err
}

// facts draws a row of labelled values.
func (w *pdfWriter) facts(bs []block) error {
	if err := w.room(44); err != nil {
		return err
	}
	width := contentWidth / len(bs)
	for i, b := range bs {
		v, err := expand(b.value, w.c.Vars)
		if err != nil {
			return err
		}
		x := margin + i*width
		w.pdf.SetFillColor(244, 245, 247)
		w.pdf.RectFromUpperLeftWithStyle(float64(x), float64(w.y), float64(width-6), 40, "F")
		if err := w.font("regular", 8); err != nil {
			return err
		}
		w.pdf.SetTextColor(90, 90, 90)
		if err := w.textAt(x+6, w.y+5, b.text); err != nil {
			return err
		}
		w.pdf.SetTextColor(0, 0, 0)
		if err := w.font("bold", 14); err != nil {
			return err
		}
		if err := w.textAt(x+6, w.y+18, v); err != nil {
			return err
		}
	}
	w.y += 52
	return nil
}

// chart draws a line chart of 0–100 values, or bars scaled to the
// largest value, in a frame with a grid.
func (w *pdfWriter) chart(kind, title string, ch Chart) error {
	if err := w.room(chartH + 40); err != nil {
		return err
	}
	if err := w.font("bold", 10); err != nil {
		return err
	}
	if err := w.textAt(margin, w.y, title); err != nil {
		return err
	}
	w.y += 16
	left, top, width := margin+28, w.y, contentWidth-28
	base := top + chartH
	w.pdf.SetLineWidth(0.5)
	w.pdf.SetStrokeColor(210, 210, 210)
	if err := w.font("regular", 7); err != nil {
		return err
	}
	maxT := chartMaxTenth
	if kind == "bars" {
		maxT = 10
		for _, p := range ch.Points {
			if p.Tenths != nil && *p.Tenths > maxT {
				maxT = *p.Tenths
			}
		}
	}
	for k := 0; k <= 4; k++ {
		y := base - k*chartH/4
		w.pdf.Line(float64(left), float64(y), float64(left+width), float64(y))
		if kind == "line" {
			if err := w.right(left-4, y-4, fmt.Sprint(k*25)); err != nil {
				return err
			}
		}
	}
	yOf := func(t int) int { return base - t*chartH/maxT }
	n := len(ch.Points)
	if n == 0 {
		if err := w.textAt(left+8, top+chartH/2, "No data in the period."); err != nil {
			return err
		}
		w.y = base + 24
		return nil
	}
	switch kind {
	case "line":
		xOf := func(i int) int {
			if n == 1 {
				return left + width/2
			}
			return left + i*width/(n-1)
		}
		w.pdf.SetStrokeColor(31, 90, 166)
		w.pdf.SetFillColor(31, 90, 166)
		w.pdf.SetLineWidth(1.5)
		for i, p := range ch.Points {
			if p.Tenths == nil {
				continue
			}
			x, y := xOf(i), yOf(*p.Tenths)
			if i > 0 && ch.Points[i-1].Tenths != nil {
				w.pdf.Line(float64(xOf(i-1)), float64(yOf(*ch.Points[i-1].Tenths)), float64(x), float64(y))
			}
			w.pdf.RectFromUpperLeftWithStyle(float64(x-1), float64(y-1), 3, 3, "F")
		}
		for _, i := range []int{0, n / 2, n - 1} {
			if err := w.textAt(xOf(i)-20, base+4, ch.Points[i].Label); err != nil {
				return err
			}
		}
	case "bars":
		slot := width / n
		for i, p := range ch.Points {
			x := left + i*slot + slot/4
			if p.Tenths != nil && *p.Tenths > 0 {
				r, g, b := barColor(i)
				w.pdf.SetFillColor(r, g, b)
				y := yOf(*p.Tenths)
				w.pdf.RectFromUpperLeftWithStyle(float64(x), float64(y), float64(slot/2), float64(base-y), "F")
			}
			if err := w.textAt(x, yOf(valueOr(p.Tenths))-11, p.Text); err != nil {
				return err
			}
			if err := w.textAt(x, base+4, p.Label); err != nil {
				return err
			}
		}
	}
	w.pdf.SetLineWidth(0.5)
	w.y = base + 24
	return nil
}

func valueOr(t *int) int {
	if t == nil {
		return 0
	}
	return *t
}

// barColor colours bars from green (first) to red (fourth), grey after.
func barColor(i int) (uint8, uint8, uint8) {
	colors := [][3]uint8{{46, 139, 87}, {230, 170, 30}, {230, 110, 30}, {200, 40, 40}, {150, 150, 150}}
	if i >= len(colors) {
		i = len(colors) - 1
	}
	c := colors[i]
	return c[0], c[1], c[2]
}

// table draws a titled table, starting a new page (with its header) when
// the rows do not fit.
func (w *pdfWriter) table(b block, title string, rows [][]string) error {
	if err := w.room(3 * rowH); err != nil {
		return err
	}
	if err := w.font("bold", 10); err != nil {
		return err
	}
	if err := w.textAt(margin, w.y, title); err != nil {
		return err
	}
	w.y += 16
	header := func() error {
		w.pdf.SetFillColor(232, 236, 241)
		w.pdf.RectFromUpperLeftWithStyle(margin, float64(w.y), contentWidth, rowH, "F")
		return w.row(b, b.header, "bold")
	}
	if err := header(); err != nil {
		return err
	}
	if len(rows) == 0 {
		if err := w.font("regular", 9); err != nil {
			return err
		}
		if err := w.textAt(margin+4, w.y+3, b.empty); err != nil {
			return err
		}
		w.y += rowH
	}
	for _, r := range rows {
		if len(r) != len(b.header) {
			return fmt.Errorf("table %q: a row has %d cells for %d columns", b.name, len(r), len(b.header))
		}
		if w.y+rowH > bottom {
			if err := w.newPage(); err != nil {
				return err
			}
			if err := header(); err != nil {
				return err
			}
		}
		if err := w.row(b, r, "regular"); err != nil {
			return err
		}
	}
	w.y += 12
	return nil
}

func (w *pdfWriter) row(b block, cells []string, font string) error {
	if err := w.font(font, 9); err != nil {
		return err
	}
	x := margin
	for i, cell := range cells {
		s, err := w.fit(strings.TrimSpace(cell), b.widths[i]-8)
		if err != nil {
			return err
		}
		if b.align[i] == 'R' {
			err = w.right(x+b.widths[i]-4, w.y+3, s)
		} else {
			err = w.textAt(x+4, w.y+3, s)
		}
		if err != nil {
			return err
		}
		x += b.widths[i]
	}
	w.y += rowH
	w.pdf.SetStrokeColor(225, 225, 225)
	w.pdf.Line(margin, float64(w.y), margin+contentWidth, float64(w.y))
	return nil
}
