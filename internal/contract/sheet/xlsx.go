package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// FileBytes bounds an uploaded vendor file.
const FileBytes = 25 << 20

type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
	lim  Limits
	line int
}

func openXLSX(src io.Reader, lim Limits) (rd Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			rd, err = nil, refuse("the workbook is damaged and cannot be read")
		}
	}()
	data, err := io.ReadAll(io.LimitReader(src, FileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > FileBytes {
		return nil, refuse("the file is larger than %s", byteSize(FileBytes))
	}
	if err := inspectZip(data, lim); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    lim.UnzipBytes,
		UnzipXMLSizeLimit: lim.XMLInMemoryBytes,
	})
	if err != nil {
		return nil, refuse("the workbook cannot be read: %s", excelMessage(err))
	}
	name := f.GetSheetName(f.GetActiveSheetIndex())
	if name == "" {
		if list := f.GetSheetList(); len(list) > 0 {
			name = list[0]
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		_ = f.Close() // the read error is the one to report
		return nil, refuse("the worksheet %q cannot be read: %s", name, excelMessage(err))
	}
	return &xlsxReader{f: f, rows: rows, lim: lim}, nil
}

// inspectZip refuses, before any part is unpacked, what a spreadsheet
// never is: an archive that unpacks to more than the bound (a zip bomb),
// one with thousands of parts, XML that declares a DOCTYPE or entities
// (entity expansion), or a shared strings table beyond the bound.
func inspectZip(data []byte, lim Limits) error {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return refuse("the file starts like an XLSX workbook but is not a readable ZIP archive")
	}
	if len(z.File) > lim.ZipEntries {
		return refuse("the workbook has more than %d parts; a price list never does", lim.ZipEntries)
	}
	var total uint64
	hasWorkbook := false
	for _, f := range z.File {
		total += f.UncompressedSize64
		if total > uint64(lim.UnzipBytes) {
			return refuse("the workbook unpacks to more than %s (a compressed bomb?); refused", byteSize(int(lim.UnzipBytes)))
		}
		if strings.EqualFold(f.Name, "xl/workbook.xml") {
			hasWorkbook = true
		}
	}
	if !hasWorkbook {
		return refuse("the file is a ZIP archive but not an Excel workbook")
	}
	for _, f := range z.File {
		name := strings.ToLower(f.Name)
		if !strings.HasSuffix(name, ".xml") && !strings.HasSuffix(name, ".rels") {
			continue
		}
		if err := noDoctype(f); err != nil {
			return err
		}
		if name == "xl/sharedstrings.xml" {
			if err := countSharedStrings(f, lim.SharedStrings); err != nil {
				return err
			}
		}
	}
	return nil
}

// noDoctype refuses a part whose prolog holds a DOCTYPE: workbooks never
// declare one, and entity declarations are how XML bombs expand.
func noDoctype(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return refuse("the workbook part %s cannot be unpacked", f.Name)
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, 64<<10))
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err != nil {
			return nil // the prolog ended early or is malformed: excelize reports it
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) || bytes.Contains(t, []byte("ENTITY")) {
				return refuse("the workbook part %s declares a DOCTYPE with XML entities; spreadsheets never do, so it is refused", f.Name)
			}
		case xml.StartElement:
			return nil
		}
	}
}

// countSharedStrings refuses a shared strings table of more than max
// strings, by its declared count or by counting <si> elements as the
// bytes stream past, stopping at the bound.
func countSharedStrings(f *zip.File, max int) error {
	rc, err := f.Open()
	if err != nil {
		return refuse("the workbook's shared strings cannot be unpacked")
	}
	defer rc.Close()
	tooMany := refuse("the workbook holds more than %d distinct strings; split the file or save it as CSV", max)
	br := bufio.NewReaderSize(rc, 64<<10)
	if head, _ := br.Peek(1024); declaredCount(head) > max {
		return tooMany
	}
	n := 0
	for {
		if _, err := br.ReadSlice('<'); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return refuse("the workbook's shared strings cannot be unpacked: %v", err)
		}
		name, _ := br.Peek(16)
		if i := bytes.IndexAny(name, " >/\t\r\n"); i >= 0 {
			name = name[:i]
		}
		if bytes.Equal(name, []byte("si")) || bytes.HasSuffix(name, []byte(":si")) {
			if n++; n > max {
				return tooMany
			}
		}
	}
}

// declaredCount reads the uniqueCount attribute of a shared strings
// table's root element from the part's first bytes (-1 when absent).
func declaredCount(head []byte) int {
	_, after, ok := bytes.Cut(head, []byte(`uniqueCount="`))
	if !ok {
		return -1
	}
	digits, _, _ := bytes.Cut(after, []byte(`"`))
	n, err := strconv.Atoi(string(digits))
	if err != nil {
		return -1
	}
	return n
}

func (x *xlsxReader) Next() (row Row, err error) {
	defer func() {
		if p := recover(); p != nil {
			row, err = Row{}, refuse("the worksheet is damaged after row %d", x.line)
		}
	}()
	for x.rows.Next() {
		x.line++
		cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Row{}, refuse("row %d of the worksheet cannot be read: %s", x.line, excelMessage(err))
		}
		if blank(cells) {
			continue
		}
		return checkRow(Row{Line: x.line, Cells: cells}, x.lim)
	}
	if err := x.rows.Error(); err != nil {
		return Row{}, refuse("the worksheet cannot be read after row %d: %s", x.line, excelMessage(err))
	}
	return Row{}, io.EOF
}

func (x *xlsxReader) Close() error {
	err := x.rows.Close()
	return errors.Join(err, x.f.Close())
}

// excelMessage is excelize's error text without Go-internal detail.
func excelMessage(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "unzip size exceeds") {
		return "it unpacks to more than the size allowed"
	}
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}
