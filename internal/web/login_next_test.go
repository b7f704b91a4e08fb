package web

import "testing"

// TestSafeNext keeps known open-redirect payloads on this site and lets
// ordinary paths through.
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"", "/"},
		{"/", "/"},
		{"/tickets", "/tickets"},
		{"/tickets/VS-0001", "/tickets/VS-0001"},
		{"/emails?q=a%2Fb&status=open", "/emails?q=a%2Fb&status=open"},
		{"/tickets#notes", "/tickets#notes"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/%2Fevil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\nLocation: https://evil.example", "/"},
		{"/%0d%0aLocation:%20https://evil.example", "/"},
		{"/\x00evil", "/"},
		{"https://evil.example", "/"},
		{"http:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{" /tickets", "/"},
		{"/@evil.example", "/@evil.example"}, // a path on this site
	} {
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}
