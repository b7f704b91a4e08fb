package triage

import (
	"regexp"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// apiPathRE finds an API path an email names and its first segment after
// the version: "/v1/recurring/charges" → "recurring".
var apiPathRE = regexp.MustCompile(`(?i)/v\d+(?:\.\d+)?/([a-z][a-z-]{2,})`)

// endpointsUsed are the API paths of the email whose first segment names
// what the description says it uses of the vendor, right after the
// vendor's name: "/v1/recurring/charges" for "collected through the
// Paynoria recurring payments API". An email that lists the endpoints it
// changes reaches the application that uses them, whatever product name
// its subject gives the API.
func endpointsUsed(desc string, v registry.Vendor, email string) []string {
	if !strings.Contains(email, "/v") {
		return nil
	}
	var out []string
	ws := words(desc)
	names := lowerNames(v)
	for _, m := range apiPathRE.FindAllStringSubmatch(email, maxDatesPerLine) {
		seg := stem(strings.ToLower(m[1]))
		for i := 1; i < len(ws); i++ {
			if stem(ws[i]) != seg || !slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, ws[i-1]) && nameBefore(ws[:i], n) }) {
				continue
			}
			if !slices.Contains(out, m[0]) {
				out = append(out, m[0])
			}
		}
	}
	return out
}

// nameBefore reports whether the words ws end with the vendor name n.
func nameBefore(ws []string, n string) bool {
	nw := words(n)
	return len(nw) > 0 && len(ws) >= len(nw) && slices.Equal(ws[len(ws)-len(nw):], nw)
}
