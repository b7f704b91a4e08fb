package app_test

import (
	"bytes"
	"strings"
	"testing"
)

// TestReportVerifyCommand runs `vendorsync report verify` on a data dir;
// the re-render and comparison themselves are tested in internal/score
// (TestVerifyReports).
func TestReportVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := runCLI(dir, envOf(), &out, "tenant", "create", "acme", "--admin-email", "ops@acme.test"); err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out.String())
	}
	out.Reset()
	err := runCLI(dir, envOf(), &out, "report", "verify", "--tenant", "acme", "--since", "720h")
	if err != nil || !strings.Contains(out.String(), "0 reports checked, 0 identical, 0 mismatched") {
		t.Fatalf("report verify: %v\n%s", err, out.String())
	}
	for _, args := range [][]string{{"--tenant", "nosuch"}, {"--until", "last week"}} {
		out.Reset()
		if err := runCLI(dir, envOf(), &out, append([]string{"report", "verify"}, args...)...); err == nil {
			t.Errorf("report verify %v succeeded:\n%s", args, out.String())
		}
	}
}
