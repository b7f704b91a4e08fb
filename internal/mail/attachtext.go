package mail

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// Bounds of attachment text extraction: what is read of one file, what is
// kept of its text, and how much a document may claim to hold.
const (
	MaxTextSource     = 10 << 20 // larger files are not read for text
	MaxAttachmentText = 64 << 10 // bytes of text kept per attachment
	maxPDFPages       = 50
	maxDocxXML        = 20 << 20 // uncompressed word/document.xml
)

// errNoText is a file kind that carries no text we read (images, archives).
var errNoText = errors.New("no text to read in this kind of file")

// AttachmentText extracts the readable text of a PDF, DOCX, HTML or
// plain-text attachment, bounded (at most MaxAttachmentText bytes; files over
// MaxTextSource are not read). A file that is not one of those kinds gives
// "" and no error; a damaged one gives an error saying why, never a panic.
func AttachmentText(filename, contentType string, data []byte) (text string, err error) {
	kind := textKind(filename, contentType)
	if kind == "" {
		return "", nil
	}
	if len(data) > MaxTextSource {
		return "", fmt.Errorf("%s of %d bytes is over the %d-byte limit for reading text", kind, len(data), MaxTextSource)
	}
	defer func() {
		if r := recover(); r != nil { // the PDF reader panics on some damaged files
			text, err = "", fmt.Errorf("unreadable %s: %v", kind, r)
		}
	}()
	switch kind {
	case "PDF":
		text, err = pdfText(data)
	case "DOCX":
		text, err = docxText(data)
	case "HTML":
		text, _ = HTMLToTextHidden(string(data))
	case "text":
		text = plainText(string(bytes.ToValidUTF8(data, []byte("\uFFFD"))))
	case "calendar":
		text = calendarText(string(bytes.ToValidUTF8(data, []byte("\uFFFD"))))
	}
	if err != nil {
		return "", err
	}
	return truncateText(clean(text), MaxAttachmentText), nil
}

// textKind names the kind of text file an attachment is, or "".
func textKind(filename, contentType string) string {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	switch ext := strings.ToLower(path.Ext(filename)); {
	case ct == "application/pdf" || ext == ".pdf":
		return "PDF"
	case ct == "application/vnd.openxmlformats-officedocument.wordprocessingml.document" || ext == ".docx":
		return "DOCX"
	case ct == "text/html" || ext == ".html" || ext == ".htm":
		return "HTML"
	case ct == "text/plain" || ext == ".txt" || ext == ".md":
		return "text"
	case ct == "text/calendar" || ext == ".ics":
		return "calendar"
	}
	return ""
}

// calendarText is what a person reads of an iCalendar file (RFC 5545):
// each event's summary, when it starts and ends, where, and its
// description, with folded lines joined and text values unescaped.
func calendarText(data string) string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n") {
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += l[1:] // a folded line goes on
			continue
		}
		lines = append(lines, l)
	}
	label := map[string]string{"SUMMARY": "Event", "DTSTART": "Starts", "DTEND": "Ends", "LOCATION": "Where", "DESCRIPTION": ""}
	var b strings.Builder
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(strings.ToUpper(name), ";") // parameters such as TZID
		lbl, known := label[name]
		if !known {
			continue
		}
		switch name {
		case "DTSTART", "DTEND":
			value = calendarTime(value)
		default:
			value = strings.NewReplacer(`\n`, "\n", `\N`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`).Replace(value)
		}
		if lbl != "" {
			b.WriteString(lbl + ": ")
		}
		b.WriteString(value)
		b.WriteByte('\n')
	}
	return b.String()
}

// calendarTime writes an iCalendar date or date-time ("20281107T050000Z",
// "20281107") as "2028-11-07 05:00 UTC" or "2028-11-07".
func calendarTime(v string) string {
	if len(v) < 8 {
		return v
	}
	out := v[:4] + "-" + v[4:6] + "-" + v[6:8]
	if len(v) >= 13 && v[8] == 'T' {
		out += " " + v[9:11] + ":" + v[11:13]
		if strings.HasSuffix(v, "Z") {
			out += " UTC"
		}
	}
	return out
}

// pdfText reads a PDF's text row by row, page by page. The PDF reader
// follows references wherever a file points them, cycles included, so it
// reads through a budget: a file that makes it read more than a hundred
// times its size is damaged or hostile, and reading stops with an error.
func pdfText(data []byte) (string, error) {
	src := &budgetReader{data: data, budget: 100*int64(len(data)) + 1<<20}
	r, err := pdf.NewReader(src, int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("unreadable PDF: %w", err)
	}
	var b strings.Builder
	for i, p := range pdfPages(r) {
		if b.Len() >= MaxAttachmentText {
			break
		}
		text, err := pdfPageText(p)
		if err != nil {
			return "", fmt.Errorf("unreadable PDF page %d: %w", i+1, err)
		}
		b.WriteString(text)
		b.WriteByte('\n')
	}
	if src.spent() {
		return "", errors.New("unreadable PDF: its objects refer to each other without end")
	}
	return b.String(), nil
}

// pdfPageText is a page's text line by line, top to bottom, from where
// each piece of text is drawn: the pieces of one line share its height,
// and a line's pieces are read left to right. Pieces far apart on a line
// are the cells of a table row, written "a | b" as HTML tables are; a
// piece drawn where the last one ended continues it. A PDF that gives no
// widths for its font's characters (the standard fonts) puts each piece
// drawn apart in its own cell.
func pdfPageText(p pdf.Page) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	glyphs := p.Content().Text
	sort.SliceStable(glyphs, func(i, j int) bool { return glyphs[i].Y > glyphs[j].Y })
	var b strings.Builder
	for start := 0; start < len(glyphs); {
		end := start + 1
		for end < len(glyphs) && glyphs[start].Y-glyphs[end].Y <= pdfLineSlack {
			end++
		}
		line := glyphs[start:end]
		sort.SliceStable(line, func(i, j int) bool { return line[i].X < line[j].X })
		var l strings.Builder
		for i, g := range line {
			if i > 0 && g.X != line[i-1].X {
				prev := line[i-1]
				gap := g.X - (prev.X + prev.W)
				switch {
				case prev.W == 0 || gap > pdfCellGap*max(g.FontSize, 1):
					l.WriteString(" | ")
				case gap > pdfSpaceGap*max(g.FontSize, 1) && !strings.HasSuffix(prev.S, " ") && !strings.HasPrefix(g.S, " "):
					l.WriteByte(' ')
				}
			}
			l.WriteString(g.S)
		}
		if s := strings.TrimSpace(l.String()); s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
		start = end
	}
	return b.String(), nil
}

// Where PDF text is placed, in points or in parts of the font size: pieces
// within pdfLineSlack of height are one line; a gap wider than
// pdfSpaceGap of the font size is a space, one wider than pdfCellGap a
// new cell.
const (
	pdfLineSlack = 2.0
	pdfSpaceGap  = 0.2
	pdfCellGap   = 1.5
)

// pdfPages walks the page tree, at most maxPDFPages pages and a bounded
// number of nodes, so a tree that contains itself ends; a page whose chain
// of parents does not end is left out (its inherited resources could not
// be looked up).
func pdfPages(r *pdf.Reader) []pdf.Page {
	var out []pdf.Page
	visits := 0
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		visits++
		if depth > 32 || visits > 10*maxPDFPages+100 || len(out) >= maxPDFPages {
			return
		}
		switch v.Key("Type").Name() {
		case "Pages":
			kids := v.Key("Kids")
			for i := 0; i < kids.Len() && i < 10*maxPDFPages; i++ {
				walk(kids.Index(i), depth+1)
			}
		case "Page":
			parents, p := 0, v
			for ; !p.IsNull() && parents <= 33; parents++ {
				p = p.Key("Parent")
			}
			if parents <= 33 {
				out = append(out, pdf.Page{V: v})
			}
		}
	}
	walk(r.Trailer().Key("Root").Key("Pages"), 0)
	return out
}

// budgetReader is an io.ReaderAt over data that fails once budget bytes
// have been read.
type budgetReader struct {
	data   []byte
	budget int64
	read   int64
}

var errBudget = errors.New("read budget spent")

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	if b.read >= b.budget {
		return 0, errBudget
	}
	if off < 0 || off >= int64(len(b.data)) {
		return 0, io.EOF
	}
	n := copy(p, b.data[off:])
	b.read += int64(n)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (b *budgetReader) spent() bool { return b.read >= b.budget }

// docxText reads the paragraphs of a Word document's main part.
func docxText(data []byte) (string, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("unreadable DOCX: %w", err)
	}
	for _, f := range z.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return "", fmt.Errorf("unreadable DOCX: %w", err)
		}
		defer rc.Close()
		return wordXMLText(io.LimitReader(rc, maxDocxXML))
	}
	return "", errors.New("unreadable DOCX: no word/document.xml")
}

// wordXMLText collects w:t runs, a line per w:p paragraph, tabs and breaks
// as white space. encoding/xml expands no custom entities, so an entity
// bomb cannot grow the text.
func wordXMLText(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	var b strings.Builder
	inText := false
	for b.Len() < MaxAttachmentText {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if b.Len() > 0 {
				break // keep what was read before the damage
			}
			return "", fmt.Errorf("unreadable DOCX: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			}
		}
	}
	return b.String(), nil
}

// truncateText cuts s to at most max bytes on a rune boundary.
func truncateText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
