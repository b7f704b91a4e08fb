package contract_test

import (
	"bytes"
	"fmt"
	"syscall"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// benchWorkbook writes an XLSX of n price lines under a title and header,
// streamed, as a vendor's export would look.
func benchWorkbook(b *testing.B, n int) []byte {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"Acme Industrial — price list"})
	_ = sw.SetRow("A3", []any{"Mfr Part No", "Description", "UOM", "Unit Cost", "Eff. Date", "Expires"})
	units := []string{"EA", "BX", "CS", "PK", "DZ"}
	for i := range n {
		row := []any{fmt.Sprintf("P-%07d", i), fmt.Sprintf("Part number %d, zinc plated", i), units[i%len(units)],
			float64(i%5000) + 0.25, 46023, 46387}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+4), row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		b.Fatal(err)
	}
	return out.Bytes()
}

// BenchmarkImportXLSX100k uploads, previews, confirms and imports an XLSX
// of 100,000 lines on each engine; it reports the process's peak RSS.
func BenchmarkImportXLSX100k(b *testing.B) {
	const n = 100_000
	data := benchWorkbook(b, n)
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := storetest.Open(b, d)
				f := newFixture(b, db)
				b.StartTimer()
				done := f.importFile(b, "bench.xlsx", data, contract.Confirmation{})
				if done.Status != contract.FileImported || done.LinesImported != n {
					b.Fatalf("imported %+v", done)
				}
			}
			var ru syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
			}
			b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
		})
	}
}
