package sheet

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// readAll reads every row of a file, returning the rows, the row errors
// and the error that ended the file (nil at its end).
func readAll(t testing.TB, data []byte, lim Limits) ([]Row, []*RowError, error) {
	t.Helper()
	kind, err := Detect(data[:min(len(data), 512)])
	if err != nil {
		return nil, nil, err
	}
	return readKind(bytes.NewReader(data), kind, lim)
}

func readKind(src io.Reader, kind Kind, lim Limits) ([]Row, []*RowError, error) {
	r, err := Open(src, kind, lim)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows []Row
	var bad []*RowError
	for {
		row, err := r.Next()
		var re *RowError
		switch {
		case errors.Is(err, io.EOF):
			return rows, bad, nil
		case errors.As(err, &re):
			bad = append(bad, re)
		case err != nil:
			return rows, bad, err
		default:
			rows = append(rows, row)
		}
	}
}

func cells(rows []Row) [][]string {
	out := [][]string{}
	for _, r := range rows {
		out = append(out, r.Cells)
	}
	return out
}

func TestDetect(t *testing.T) {
	for name, tc := range map[string]struct {
		head string
		kind Kind
		msg  string
	}{
		"csv":      {"Part #,Price\nA,1\n", CSV, ""},
		"xlsx":     {"PK\x03\x04rest", XLSX, ""},
		"utf16":    {"\xff\xfeP\x00a\x00", CSV, ""},
		"empty":    {"", "", "empty"},
		"pdf":      {"%PDF-1.7\n", "", "PDF"},
		"xls":      {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "", ".xls"},
		"gzip":     {"\x1F\x8B\x08", "", "gzip"},
		"binary":   {"\x7fELF\x02\x01\x01\x00\x00", "", "neither CSV"},
		"emptyzip": {"PK\x05\x06", "", "empty ZIP"},
	} {
		t.Run(name, func(t *testing.T) {
			kind, err := Detect([]byte(tc.head))
			if tc.msg == "" {
				if err != nil || kind != tc.kind {
					t.Fatalf("Detect = %q, %v; want %q", kind, err, tc.kind)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Detect = %q, %v; want an error saying %q", kind, err, tc.msg)
			}
		})
	}
}

func TestCSVEncodingsAndDelimiters(t *testing.T) {
	want := [][]string{{"Part #", "Description", "U/M", "Net Price"}, {"A-1", "Café crème 12\" pipe", "EA", "1,50"}}
	utf8Text := "Part #;Description;U/M;Net Price\r\nA-1;Café crème 12\" pipe;EA;1,50\r\n"
	cp1252, err := charmap.Windows1252.NewEncoder().String(utf8Text)
	if err != nil {
		t.Fatal(err)
	}
	u16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(utf8Text)
	u16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(utf8Text)
	u16noBOM, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().String(utf8Text)
	for name, data := range map[string]string{
		"utf-8":           utf8Text,
		"utf-8 BOM":       "\xEF\xBB\xBF" + utf8Text,
		"windows-1252":    cp1252,
		"utf-16le BOM":    u16le,
		"utf-16be BOM":    u16be,
		"utf-16le no BOM": u16noBOM,
		"tab":             strings.ReplaceAll(utf8Text, ";", "\t"),
		"pipe":            strings.ReplaceAll(utf8Text, ";", "|"),
		"comma":           "Part #,Description,U/M,Net Price\nA-1,\"Café crème 12\"\" pipe\",EA,\"1,50\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			rows, bad, err := readAll(t, []byte(data), DefaultLimits)
			if err != nil || len(bad) > 0 {
				t.Fatalf("read: %v %v", err, bad)
			}
			if diff := cmp.Diff(want, cells(rows)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSVLineNumbersAndTitleRows(t *testing.T) {
	data := "Acme price list\n\nValid 2026\nItem,Desc,UOM,Price\nA,\"two\nlines\",EA,1\n\nB,b,EA,2\n"
	rows, _, err := readAll(t, []byte(data), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, r := range rows {
		lines = append(lines, r.Line)
	}
	if diff := cmp.Diff([]int{1, 3, 4, 5, 8}, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if rows[3].Cells[1] != "two\nlines" {
		t.Errorf("quoted newline lost: %q", rows[3].Cells[1])
	}
	if d := SniffDelimiter([]byte(data)); d != ',' {
		t.Errorf("delimiter = %q", d)
	}
}

// endless yields n bytes of 'a' and then a newline, without holding them.
type endless struct{ n int }

func (e *endless) Read(p []byte) (int, error) {
	if e.n < 0 {
		return 0, io.EOF
	}
	if e.n == 0 {
		e.n = -1
		p[0] = '\n'
		return 1, nil
	}
	k := min(len(p), e.n)
	for i := range p[:k] {
		p[i] = 'a'
	}
	e.n -= k
	return k, nil
}

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestCSVHugeLineRefusedInBoundedMemory(t *testing.T) {
	var err error
	src := io.MultiReader(strings.NewReader("Item,Price\nA,1\n"), &endless{n: 100 << 20})
	alloc := allocated(func() { _, _, err = readKind(src, CSV, DefaultLimits) })
	if err == nil || !strings.Contains(err.Error(), "line 3 is longer than 1 MiB") {
		t.Fatalf("err = %v, want the long line refused", err)
	}
	if alloc > 32<<20 {
		t.Errorf("reading a 100 MB line allocated %d MB", alloc>>20)
	}
}

func TestCSVCellAndWidthBounds(t *testing.T) {
	lim := DefaultLimits
	lim.Columns = 4
	data := "Item,Price\nA,1\n" + strings.Repeat("x,", 10) + "x\nB," + strings.Repeat("9", 40<<10) + "\nC,3\n"
	rows, bad, err := readAll(t, []byte(data), lim)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(bad) != 2 || bad[0].Line != 3 || bad[1].Line != 4 || bad[1].Column != "B" {
		t.Fatalf("rows %v, bad %v", cells(rows), bad)
	}
}

func TestCSVFormulaKeptAsTextAndEscapedOnExport(t *testing.T) {
	data := "Item,Description,Price\nA,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",1\n"
	rows, _, err := readAll(t, []byte(data), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	cell := rows[1].Cells[1]
	if cell != `=HYPERLINK("http://evil.example","click")` {
		t.Fatalf("cell = %q", cell)
	}
	var out bytes.Buffer
	w := NewCSVWriter(&out)
	if err := w.Write(rows[1].Cells); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "A,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",1\n" {
		t.Errorf("export = %q", got)
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("Part #,Price\nA,1\n"))
	f.Add([]byte("\xEF\xBB\xBFa;b;c\r\n1;2;3"))
	f.Add([]byte("\xff\xfea\x00,\x00b\x00"))
	f.Add([]byte("\"unterminated,\n\"x\"\"y\",z"))
	f.Add([]byte("a|b\n\xe9|\x80"))
	lim := DefaultLimits
	lim.RecordBytes = 4 << 10
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, bad, err := readKind(bytes.NewReader(data), CSV, lim)
		if err != nil && IsRowError(err) {
			t.Fatalf("a row error ended the file: %v", err)
		}
		last := 0
		for _, r := range rows {
			if r.Line <= last || blank(r.Cells) || len(r.Cells) > lim.Columns {
				t.Fatalf("row %+v after line %d", r, last)
			}
			last = r.Line
		}
		for _, b := range bad {
			if b.Line < 1 || b.Reason == "" {
				t.Fatalf("row error %+v", b)
			}
		}
	})
}
