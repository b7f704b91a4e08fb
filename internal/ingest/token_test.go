package ingest

import (
	"regexp"
	"testing"
)

// tokenPattern is the form isToken checks, as a regular expression, for
// the reference parser and TestIsToken.
var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)

// TestIsToken: vendor keys, event types and schema versions are a letter
// or digit, then letters, digits, '.', '_', ':' and '-' — the same as the
// pattern ^[A-Za-z0-9][A-Za-z0-9._:-]*$ on every input tried.
func TestIsToken(t *testing.T) {
	inputs := []string{"", "a", "Z", "0", "inventory_update", "2024-06", "order.status:v2", "vendor-A_1",
		"-a", ".a", "_a", ":a", "a b", "a/b", "a\n", "é", "aé", "a\x00", "A..", "9:", "a$", "€uro"}
	for c := 0; c < 256; c++ {
		inputs = append(inputs, string(rune(c)), "a"+string([]byte{byte(c)}), string([]byte{byte(c)})+"a")
	}
	for _, s := range inputs {
		if got, want := isToken(s), tokenPattern.MatchString(s); got != want {
			t.Errorf("isToken(%q) = %v, want %v", s, got, want)
		}
	}
}
