package app_test

import (
	"bytes"
	"strings"
	"testing"
)

// TestIngestVerifyCommand runs `vendorsync ingest verify` on a data dir.
func TestIngestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := runCLI(dir, envOf(), &out, "tenant", "create", "acme", "--admin-email", "ops@acme.test"); err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out.String())
	}
	out.Reset()
	err := runCLI(dir, envOf(), &out, "ingest", "verify", "--since", "24h")
	if err != nil || !strings.Contains(out.String(), "acme: 0 events since") || !strings.Contains(out.String(), "0 mismatches") {
		t.Fatalf("ingest verify: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := runCLI(dir, envOf(), &out, "ingest", "verify", "--since", "last week"); err == nil {
		t.Fatalf("a bad --since was accepted:\n%s", out.String())
	}
}
