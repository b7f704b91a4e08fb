package sheet

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"
)

// BenchmarkReadXLSX100k reads and normalizes a 100,000-row workbook: the
// parsing share of an import.
func BenchmarkReadXLSX100k(b *testing.B) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"Mfr Part No", "Description", "UOM", "Unit Cost", "Eff. Date"})
	for i := range 100_000 {
		_ = sw.SetRow(fmt.Sprintf("A%d", i+2), []any{fmt.Sprintf("P-%07d", i), "Part, zinc plated", "EA", float64(i%5000) + 0.25, 46023})
	}
	_ = sw.Flush()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	_ = f.Close()
	data := buf.Bytes()
	units := NewUnits(nil)
	m := Mapping{FieldItem, FieldDescription, FieldUOM, FieldPrice, FieldStart}
	for b.Loop() {
		rows, bad, err := readKind(bytes.NewReader(data), XLSX, DefaultLimits)
		if err != nil || len(bad) > 0 || len(rows) != 100_001 {
			b.Fatalf("%d rows, %v, %v", len(rows), bad, err)
		}
		for _, r := range rows[1:] {
			if _, err := Extract(r, m, units); err != nil {
				b.Fatal(err)
			}
		}
	}
}
