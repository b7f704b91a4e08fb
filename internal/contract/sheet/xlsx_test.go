package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// workbook builds an XLSX with excelize from rows of cell values (a
// string starting with "=" becomes a formula with the text after "|" as
// its cached value… only through SetCellFormula, see formulaBook).
func workbook(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestXLSXRowsHeaderBelowTitle(t *testing.T) {
	data := workbook(t, [][]any{
		{"Acme price list"},
		{},
		{"Mfr Part No", "Description", "UOM", "Unit Cost", "Eff. Date"},
		{"A-100", "Widget", "EA", 1234.5, 45292},
		{"B-200", "Gadget", "bx", "$2.25", "2026-01-31"},
	})
	rows, bad, err := readAll(t, data, DefaultLimits)
	if err != nil || len(bad) > 0 {
		t.Fatalf("read: %v %v", err, bad)
	}
	want := [][]string{{"Acme price list"}, {"Mfr Part No", "Description", "UOM", "Unit Cost", "Eff. Date"},
		{"A-100", "Widget", "EA", "1234.5", "45292"}, {"B-200", "Gadget", "bx", "$2.25", "2026-01-31"}}
	if diff := cmp.Diff(want, cells(rows)); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	if rows[1].Line != 3 || rows[3].Line != 5 {
		t.Errorf("lines %d, %d", rows[1].Line, rows[3].Line)
	}
	i, m, ok := DetectHeader(rows)
	if !ok || i != 1 {
		t.Fatalf("header at %d (%v)", i, ok)
	}
	l, err := Extract(rows[2], m, NewUnits(nil))
	if err != nil || l.Price.String() != "1234.5" || l.Start.Format("2006-01-02") != "2024-01-01" {
		t.Fatalf("extract %+v %v", l, err)
	}
}

func TestXLSXFormulaCellKeepsItsValueAsText(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Item", "Description", "Price"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"A", "=HYPERLINK(\"http://evil.example\",\"x\")", 1})
	if err := f.SetCellFormula("Sheet1", "B3", `HYPERLINK("http://evil.example","click")`); err != nil {
		t.Fatal(err)
	}
	_ = f.SetCellValue("Sheet1", "A3", "B")
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	rows, _, err := readAll(t, b.Bytes(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[1].Cells[1]; got != `=HYPERLINK("http://evil.example","x")` || EscapeCell(got) != "'"+got {
		t.Errorf("text formula cell = %q", got)
	}
	if len(rows) != 3 || strings.HasPrefix(rows[2].Cells[1], "=") {
		t.Errorf("formula cell read as %q", rows[2].Cells)
	}
}

// rawBook writes a minimal workbook by hand, with parts replaced or added,
// so that tests can shape hostile parts excelize would never write.
func rawBook(t testing.TB, parts map[string]string, raw func(z *zip.Writer)) []byte {
	t.Helper()
	base := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			`<row r="1"><c r="A1" t="inlineStr"><is><t>Item</t></is></c><c r="B1" t="inlineStr"><is><t>Price</t></is></c></row>` +
			`<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2"><v>1.5</v></c></row></sheetData></worksheet>`,
	}
	for k, v := range parts {
		base[k] = v
	}
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, body := range base {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	if raw != nil {
		raw(z)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRawBookReads(t *testing.T) {
	rows, _, err := readAll(t, rawBook(t, nil, nil), DefaultLimits)
	if err != nil || len(rows) != 2 || rows[1].Cells[1] != "1.5" {
		t.Fatalf("rows %v, %v", cells(rows), err)
	}
}

// deflated compresses n zero bytes.
func deflated(t testing.TB, n int64) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	if _, err := io.CopyN(w, zeros{}, n); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	return b.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestXLSXHostileFilesRefused(t *testing.T) {
	bomb := deflated(t, 300<<20)
	for name, tc := range map[string]struct {
		data []byte
		msg  string
	}{
		"zip bomb": {rawBook(t, nil, func(z *zip.Writer) {
			w, _ := z.CreateRaw(&zip.FileHeader{Name: "xl/media/pad.bin", Method: zip.Deflate,
				CompressedSize64: uint64(len(bomb)), UncompressedSize64: 300 << 20})
			_, _ = w.Write(bomb)
		}), "unpacks to more than 256 MiB"},
		"zip bomb with a lying size": {rawBook(t, nil, func(z *zip.Writer) {
			small := deflated(t, 64<<20)
			w, _ := z.CreateRaw(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate,
				CompressedSize64: uint64(len(small)), UncompressedSize64: 100})
			_, _ = w.Write(small)
		}), "shared strings"},
		"entity expansion": {rawBook(t, map[string]string{"xl/worksheets/sheet1.xml": `<?xml version="1.0"?>` +
			`<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
			`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>`},
			nil), "DOCTYPE"},
		"a million shared strings": {rawBook(t, map[string]string{"xl/sharedStrings.xml": sharedStrings(1_000_000, true)}, nil),
			"more than 500000 distinct strings"},
		"a million shared strings, count not declared": {rawBook(t, map[string]string{"xl/sharedStrings.xml": sharedStrings(1_000_000, false)}, nil),
			"more than 500000 distinct strings"},
		"a zip that is no workbook": {zipOf(t, "readme.txt", "hello"), "not an Excel workbook"},
		"a truncated workbook":      {rawBook(t, nil, nil)[:200], "not a readable ZIP"},
		"too many parts": {rawBook(t, nil, func(z *zip.Writer) {
			for i := range 2100 {
				_, _ = z.Create(fmt.Sprintf("xl/media/%d.bin", i))
			}
		}), "more than 2000 parts"},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, _, err = readAll(t, tc.data, DefaultLimits) })
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want one saying %q", err, tc.msg)
			}
			if alloc > 96<<20 {
				t.Errorf("refusing it allocated %d MB", alloc>>20)
			}
		})
	}
}

func sharedStrings(n int, declared bool) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`)
	if declared {
		fmt.Fprintf(&b, ` count="%d" uniqueCount="%d"`, n, n)
	}
	b.WriteString(">")
	for i := range n {
		fmt.Fprintf(&b, "<si><t>s%d</t></si>", i)
	}
	b.WriteString("</sst>")
	return b.String()
}

func zipOf(t testing.TB, name, body string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create(name)
	_, _ = io.WriteString(w, body)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func FuzzXLSX(f *testing.F) {
	f.Add(workbook(f, [][]any{{"Part #", "U/M", "Net Price"}, {"A", "EA", 1.5}, {"B", "BX", "2,50"}}))
	f.Add(rawBook(f, nil, nil))
	f.Add(rawBook(f, map[string]string{"xl/sharedStrings.xml": sharedStrings(3, true)}, nil))
	f.Add([]byte("PK\x03\x04"))
	lim := DefaultLimits
	lim.UnzipBytes = 8 << 20
	lim.SharedStrings = 10_000
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _, err := readKind(bytes.NewReader(data), XLSX, lim)
		if err != nil && IsRowError(err) {
			t.Fatalf("a row error ended the file: %v", err)
		}
		last := 0
		for _, r := range rows {
			if r.Line <= last || len(r.Cells) > lim.Columns {
				t.Fatalf("row %+v after line %d", r, last)
			}
			last = r.Line
		}
	})
}
