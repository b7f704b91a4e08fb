package sheet

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParsePrice(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"12.5", "12.5"},
		{"$1,234.50", "1234.5"},
		{"1.234,50 €", "1234.5"},
		{"1 234,5", "1234.5"},
		{"1\u00a0234,50", "1234.5"},
		{"USD 12", "12"},
		{"12 usd", "12"},
		{"£0.99", "0.99"},
		{"12,5", "12.5"},
		{"1,234", "1234"},
		{"1,234,567", "1234567"},
		{"1.234.567,89", "1234567.89"},
		{"1'234.50", "1234.5"},
		{"12.300000000000001", "12.3"},
		{"0.123456", "0.1235"},
		{"1.5E-3", "0.0015"},
		{"+3", "3"},
		{"0", "0"},
	} {
		got, err := ParsePrice(tc.in)
		if err != nil {
			t.Errorf("ParsePrice(%q): %v", tc.in, err)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("ParsePrice(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{"", "abc", "-5", "(5.00)", "=HYPERLINK(\"x\")", "1.2.3,4,5", "12..", "1e999999999", "99999999999999999"} {
		if got, err := ParsePrice(in); err == nil {
			t.Errorf("ParsePrice(%q) = %s, want an error", in, got)
		}
	}
}

func TestParseDate(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2026-01-31", d(2026, 1, 31)},
		{"01/31/2026", d(2026, 1, 31)},
		{"1/2/2026", d(2026, 1, 2)},
		{"31/01/2026", d(2026, 1, 31)},
		{"31.01.2026", d(2026, 1, 31)},
		{"31-Jan-2026", d(2026, 1, 31)},
		{"Jan 31, 2026", d(2026, 1, 31)},
		{"January 31, 2026", d(2026, 1, 31)},
		{"20260131", d(2026, 1, 31)},
		{"2026-01-31T10:00:00Z", d(2026, 1, 31)},
		{"45292", d(2024, 1, 1)},
		{"45292.5", d(2024, 1, 1)},
		{"1/31/26", d(2026, 1, 31)},
	} {
		got, err := ParseDate(tc.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) {
			t.Errorf("ParseDate(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{"", "soon", "13/13/2026", "0", "-4", "99999999", "2026-02-30"} {
		if got, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %s, want an error", in, got)
		}
	}
}

func TestUnits(t *testing.T) {
	u := NewUnits(map[string]string{"Bucket": "BK", "pce": "pk"})
	for in, want := range map[string]string{"EA": "EA", "each": "EA", " Box ": "BX", "cs": "CS", "Dozen": "DZ", "pk.": "PK",
		"bucket": "BK", "PCE": "PK", "ctn": "CT"} {
		got, err := u.Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "barrel-ish", "=1+1"} {
		if got, err := u.Normalize(in); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", in, got)
		}
	}
}

func TestDetectHeader(t *testing.T) {
	rows := []Row{
		{Line: 1, Cells: []string{"Acme Industrial Supply — Price List 2026"}},
		{Line: 2, Cells: []string{"Prices in USD", ""}},
		{Line: 4, Cells: []string{"Part #", "Description", "U/M", "Net Price", "Eff. Date", "Expires", "Notes"}},
		{Line: 5, Cells: []string{"A-100", "Widget", "EA", "$1.50", "2026-01-01", "2026-12-31", ""}},
	}
	i, m, ok := DetectHeader(rows)
	if !ok || i != 2 {
		t.Fatalf("DetectHeader = %d, %v; want row index 2", i, ok)
	}
	want := Mapping{FieldItem, FieldDescription, FieldUOM, FieldPrice, FieldStart, FieldEnd, FieldIgnore}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("mapping (-want +got):\n%s", diff)
	}
	for h, f := range map[string]Field{"Mfr Part No": FieldItem, "Mfr. Part Number": FieldItem, "UOM": FieldUOM, "Unit Cost": FieldPrice,
		"Item Num": FieldItem, "Valid Until": FieldEnd, "Contract #": FieldContract, "Color": FieldIgnore} {
		if got := FieldFor(h); got != f {
			t.Errorf("FieldFor(%q) = %q, want %q", h, got, f)
		}
	}
	if _, _, ok := DetectHeader([]Row{{Line: 1, Cells: []string{"just", "some", "words"}}}); ok {
		t.Error("a file without a header was given one")
	}
}

func TestExtract(t *testing.T) {
	m := Mapping{FieldItem, FieldDescription, FieldUOM, FieldPrice, FieldStart, FieldEnd, FieldCurrency}
	u := NewUnits(nil)
	l, err := Extract(Row{Line: 7, Cells: []string{" A-100 ", "Widget", "each", "$1,234.5", "01/01/2026", "46387", ""}}, m, u)
	if err != nil {
		t.Fatal(err)
	}
	if l.ItemNumber != "A-100" || l.UOM != "EA" || l.Price.String() != "1234.5" || l.Currency != "USD" || l.Line != 7 ||
		l.Start.Format(time.DateOnly) != "2026-01-01" || l.End.Format(time.DateOnly) != "2026-12-31" {
		t.Fatalf("unexpected line %+v", l)
	}
	_ = l
	for _, tc := range []struct {
		cells  []string
		column string
	}{
		{[]string{"", "x", "EA", "1"}, "A"},
		{[]string{"A", "x", "bucket", "1"}, "C"},
		{[]string{"A", "x", "EA", "=HYPERLINK(\"http://x\",\"y\")"}, "D"},
		{[]string{"A", "x", "EA", "1", "2026-02-01", "2026-01-01"}, "F"},
		{[]string{"A", "x", "EA", "1", "", "", "dollars"}, "G"},
	} {
		_, err := Extract(Row{Line: 3, Cells: tc.cells}, m, u)
		re, ok := err.(*RowError)
		if !ok || re.Line != 3 || re.Column != tc.column {
			t.Errorf("Extract(%q) = %v, want a row error on line 3 column %s", tc.cells, err, tc.column)
		}
	}
}

func TestEscapeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://evil\",\"x\")": "'=HYPERLINK(\"http://evil\",\"x\")",
		"+1+2":                              "'+1+2",
		"@SUM(A)":                           "'@SUM(A)",
		"-2+3":                              "'-2+3",
		"-12.50":                            "-12.50",
		"\tx":                               "'\tx",
		"Widget":                            "Widget",
		"":                                  "",
	} {
		if got := EscapeCell(in); got != want {
			t.Errorf("EscapeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", i, got, want)
		}
	}
}
