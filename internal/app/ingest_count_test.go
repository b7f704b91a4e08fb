package app

import "testing"

// TestNounCount checks that the ingest verify summary's counts agree with
// their nouns.
func TestNounCount(t *testing.T) {
	for _, tc := range []struct {
		n          int
		noun, want string
	}{
		{0, "mismatch", "0 mismatches"},
		{1, "mismatch", "1 mismatch"},
		{2, "mismatch", "2 mismatches"},
		{1, "event", "1 event"},
		{200, "event", "200 events"},
	} {
		if got := nounCount(tc.n, tc.noun); got != tc.want {
			t.Errorf("nounCount(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
}
