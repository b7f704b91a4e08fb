package sheet

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/shopspring/decimal"
)

// EscapeCell makes a cell safe to open in a spreadsheet program: text that
// starts like a formula (=, +, -, @, tab, CR) is prefixed with a single
// quote, so "=HYPERLINK(…)" shows as text instead of running. Plain
// numbers, negative ones included, are left as they are.
func EscapeCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := decimal.NewFromString(s); err == nil {
		return s
	}
	return "'" + s
}

// CSVWriter writes CSV whose every cell is escaped by EscapeCell: every
// export of vendor-supplied text goes through it.
type CSVWriter struct {
	w   *csv.Writer
	buf []string
}

// NewCSVWriter returns a formula-safe CSV writer on w.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: csv.NewWriter(w)}
}

// Write writes one escaped record.
func (c *CSVWriter) Write(record []string) error {
	c.buf = c.buf[:0]
	for _, s := range record {
		c.buf = append(c.buf, EscapeCell(s))
	}
	return c.w.Write(c.buf)
}

// Flush writes buffered records and reports any write error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
