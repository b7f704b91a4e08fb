package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffBytes is how much of a CSV is read ahead to tell its encoding and
// delimiter.
const sniffBytes = 64 << 10

// Delimiters are the separators a CSV may use, in order of preference
// when the file does not tell them apart.
var Delimiters = []rune{',', ';', '\t', '|'}

// errRecordTooLong ends a CSV whose record outgrew Limits.RecordBytes.
var errRecordTooLong = errors.New("record too long")

type csvReader struct {
	r     *csv.Reader
	count *countingReader
	lim   Limits
	last  int // line of the last record returned
}

func openCSV(src io.Reader, lim Limits) (Reader, error) {
	raw := bufio.NewReaderSize(src, sniffBytes)
	head, err := raw.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	decoded := decoder(raw, head)
	text := bufio.NewReaderSize(decoded, sniffBytes)
	sample, err := text.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, refuse("the file's text cannot be decoded: %v", err)
	}
	count := &countingReader{r: text, max: int64(lim.RecordBytes) + 2*4096}
	r := csv.NewReader(count)
	r.Comma = SniffDelimiter(sample)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	return &csvReader{r: r, count: count, lim: lim}, nil
}

// decoder turns the file's bytes into UTF-8: a byte-order mark names
// UTF-8 or UTF-16; UTF-16 without one shows as NUL bytes beside ASCII;
// text that is not valid UTF-8 is read as Windows-1252, the encoding
// spreadsheet programs on Windows save CSV in.
func decoder(raw *bufio.Reader, head []byte) io.Reader {
	if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		_, _ = raw.Discard(3) // the mark itself, already peeked
		return raw
	}
	if order, ok := utf16Order(head); ok {
		return transform.NewReader(raw, unicode.UTF16(order, unicode.UseBOM).NewDecoder())
	}
	if validUTF8Prefix(head) {
		return raw
	}
	return transform.NewReader(raw, charmap.Windows1252.NewDecoder())
}

// utf16Order tells UTF-16 by its byte-order mark, or, without one, by NUL
// bytes at every other position (ASCII text in UTF-16).
func utf16Order(head []byte) (unicode.Endianness, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return unicode.LittleEndian, true
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return unicode.BigEndian, true
	}
	n := min(len(head), 512) &^ 1
	if n < 4 {
		return unicode.LittleEndian, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	switch half := n / 2; {
	case odd*10 >= half*9 && even == 0:
		return unicode.LittleEndian, true
	case even*10 >= half*9 && odd == 0:
		return unicode.BigEndian, true
	}
	return unicode.LittleEndian, false
}

// validUTF8Prefix reports whether head is UTF-8, forgiving a character
// cut by the end of the sample.
func validUTF8Prefix(head []byte) bool {
	for cut := 0; cut < 4 && cut <= len(head); cut++ {
		if utf8.Valid(head[:len(head)-cut]) {
			return true
		}
		if len(head) < sniffBytes {
			return false
		}
	}
	return false
}

// SniffDelimiter picks the delimiter that splits the sample's lines most
// consistently into the same number of cells: title lines above the
// header and a cut last line don't sway it. A sample with none of the
// delimiters is comma-separated (one column).
func SniffDelimiter(sample []byte) rune {
	lines := strings.Split(string(sample), "\n")
	if len(sample) == sniffBytes && len(lines) > 1 {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > 50 {
		lines = lines[:50]
	}
	best, bestScore, bestCells := ',', 0, 0
	for _, d := range Delimiters {
		freq := map[int]int{}
		for _, l := range lines {
			if n := countOutsideQuotes(l, d); n > 0 {
				freq[n]++
			}
		}
		for cells, score := range freq {
			if score > bestScore || (score == bestScore && cells > bestCells) {
				best, bestScore, bestCells = d, score, cells
			}
		}
	}
	return best
}

func countOutsideQuotes(line string, d rune) int {
	n, quoted := 0, false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case c == d && !quoted:
			n++
		}
	}
	return n
}

func (c *csvReader) Next() (Row, error) {
	for {
		c.count.n = 0
		rec, err := c.r.Read()
		if errors.Is(err, errRecordTooLong) {
			return Row{}, refuse("line %d is longer than %s; price files have far shorter rows — the file may not be a CSV", c.last+1, byteSize(c.lim.RecordBytes))
		}
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		line, _ := c.r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				c.last = pe.Line
				return Row{}, &RowError{Line: pe.StartLine, Reason: pe.Err.Error()}
			}
			return Row{}, refuse("the file cannot be read after line %d: %v", c.last, err)
		}
		c.last = line
		if blank(rec) {
			continue
		}
		return checkRow(Row{Line: line, Cells: rec}, c.lim)
	}
}

func (c *csvReader) Close() error { return nil }

// checkRow bounds a row's width and cells.
func checkRow(r Row, lim Limits) (Row, error) {
	if len(r.Cells) > lim.Columns {
		return Row{}, &RowError{Line: r.Line, Reason: "the row has more than " + itoa(lim.Columns) + " cells"}
	}
	for i, c := range r.Cells {
		if len(c) > lim.CellBytes {
			return Row{}, &RowError{Line: r.Line, Column: ColumnName(i), Reason: "the cell is longer than " + byteSize(lim.CellBytes)}
		}
	}
	return r, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// countingReader fails once more than max bytes are read between resets,
// so one endless line costs at most max bytes of memory.
type countingReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n > c.max {
		return 0, errRecordTooLong
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
