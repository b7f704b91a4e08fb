package web

import (
	"testing"

	"github.com/vendorsync/vendorsync/internal/ingest"
)

// A redelivery counts its attempts again from 1: the delivery page numbers
// every attempt across the log and names the series each belongs to.
func TestAttemptRowsNumberAcrossRedeliveries(t *testing.T) {
	log := []ingest.Attempt{{Attempt: 1}, {Attempt: 2}, {Attempt: 1}, {Attempt: 1}, {Attempt: 2}}
	want := []struct {
		n      int
		series string
	}{{1, "first sending, attempt 1"}, {2, "first sending, attempt 2"}, {3, "redelivery 1, attempt 1"},
		{4, "redelivery 2, attempt 1"}, {5, "redelivery 2, attempt 2"}}
	rows := attemptRows(log)
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		if rows[i].N != w.n || rows[i].Series != w.series {
			t.Errorf("row %d = %d %q, want %d %q", i, rows[i].N, rows[i].Series, w.n, w.series)
		}
	}
	if len(attemptRows(nil)) != 0 {
		t.Error("no attempts gave rows")
	}
}
