// Package mailtest builds test documents for mail attachments.
package mailtest

import (
	"bytes"
	"fmt"
	"strings"
)

// PDF builds a small but complete PDF (catalog, page tree, one page per
// entry of pages, Helvetica text, a correct cross-reference table).
func PDF(pages ...[]string) []byte {
	contents := make([]string, len(pages))
	for i, lines := range pages {
		var content strings.Builder
		content.WriteString("BT /F1 12 Tf 72 720 Td 16 TL\n")
		for _, l := range lines {
			fmt.Fprintf(&content, "(%s) Tj T*\n", pdfString(l))
		}
		content.WriteString("ET")
		contents[i] = content.String()
	}
	return pdfFile(contents)
}

// PDFTable builds a one-page PDF whose rows are drawn as a table is: each
// cell a text object of its own, placed at its column (a cell every 180
// points) on its row's line.
func PDFTable(rows [][]string) []byte {
	var content strings.Builder
	for i, row := range rows {
		for j, cell := range row {
			fmt.Fprintf(&content, "BT /F1 11 Tf %d %d Td (%s) Tj ET\n", 72+180*j, 720-18*i, pdfString(cell))
		}
	}
	return pdfFile([]string{strings.TrimSuffix(content.String(), "\n")})
}

func pdfString(s string) string {
	return strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s)
}

// pdfFile writes a PDF with one page for each content stream.
func pdfFile(pages []string) []byte {
	var objs []string
	n := len(pages)
	kids := make([]string, n)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, content := range pages {
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
