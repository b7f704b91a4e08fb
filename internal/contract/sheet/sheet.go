// Package sheet reads vendor price files — CSV in any common encoding and
// delimiter, or XLSX — as a stream of rows, within fixed bounds on memory
// and size, and normalizes the values a price contract carries: prices as
// exact decimals, dates, units of measure. It knows nothing of storage.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Kind is a file's format.
type Kind string

// The formats a vendor file may have.
const (
	CSV  Kind = "csv"
	XLSX Kind = "xlsx"
)

// Limits bound what a reader accepts; a file beyond them is refused with a
// message that says which bound it crossed.
type Limits struct {
	// RecordBytes bounds one CSV record (a line, or lines of one quoted
	// field).
	RecordBytes int
	// Columns bounds the cells of one row.
	Columns int
	// CellBytes bounds one cell's text.
	CellBytes int
	// UnzipBytes bounds the whole uncompressed content of an XLSX.
	UnzipBytes int64
	// XMLInMemoryBytes is the size above which an XLSX part is spooled to
	// a temporary file instead of held in memory.
	XMLInMemoryBytes int64
	// SharedStrings bounds an XLSX's shared strings table.
	SharedStrings int
	// ZipEntries bounds the parts of an XLSX.
	ZipEntries int
}

// DefaultLimits are generous for any real price file and small enough
// that a hostile one costs little.
var DefaultLimits = Limits{
	RecordBytes:      1 << 20,
	Columns:          512,
	CellBytes:        32 << 10,
	UnzipBytes:       256 << 20,
	XMLInMemoryBytes: 8 << 20,
	SharedStrings:    500_000,
	ZipEntries:       2_000,
}

// Row is one row of a file. Line is the 1-based line (CSV) or row number
// (XLSX) a person sees in a spreadsheet program.
type Row struct {
	Line  int
	Cells []string
}

// Reader streams a file's rows. Next returns io.EOF after the last row.
// A *RowError from Next concerns that row only: the caller records it and
// reads on. Any other error ends the file.
type Reader interface {
	Next() (Row, error)
	Close() error
}

// RowError is a problem with one row, with the line a person can find it
// on and a reason they can act on.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// IsRowError reports whether err concerns one row only.
func IsRowError(err error) bool {
	var re *RowError
	return errors.As(err, &re)
}

// refuse is the error for a file refused whole: invalid, with a message
// that is safe and useful to show.
func refuse(format string, args ...any) error {
	return apperr.Invalidf(format, args...)
}

// Detect tells a file's kind from its first bytes: an XLSX is a ZIP
// holding a workbook; a CSV is text. Anything else (a PDF, an old binary
// .xls, an image, an archive) is refused with a message naming it.
func Detect(head []byte) (Kind, error) {
	switch {
	case len(head) == 0:
		return "", refuse("the file is empty")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return XLSX, nil
	case bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return "", refuse("the file is an empty ZIP archive, not a spreadsheet")
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		return "", refuse("the file is an old Excel 97–2003 (.xls) workbook; save it as .xlsx or .csv and upload again")
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "", refuse("the file is a PDF, not a CSV or XLSX spreadsheet")
	case bytes.HasPrefix(head, []byte("\x1F\x8B")):
		return "", refuse("the file is gzip-compressed; upload the CSV or XLSX itself")
	}
	if looksText(head) {
		return CSV, nil
	}
	return "", refuse("the file is neither CSV text nor an XLSX workbook")
}

// looksText reports whether head reads as text in one of the encodings the
// CSV reader accepts: UTF-16 with or without a byte-order mark, or an
// 8-bit encoding without control bytes other than tab, CR, LF and FF.
func looksText(head []byte) bool {
	if _, ok := utf16Order(head); ok {
		return true
	}
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\f' {
			return false
		}
	}
	return true
}

// Open reads the file r of the given kind within lim.
func Open(r io.Reader, kind Kind, lim Limits) (Reader, error) {
	switch kind {
	case CSV:
		return openCSV(r, lim)
	case XLSX:
		return openXLSX(r, lim)
	default:
		return nil, refuse("unknown file kind %q", kind)
	}
}
