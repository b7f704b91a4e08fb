package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/app"
)

// TestAuditVerifyDetectsTampering runs `vendorsync audit verify` on a SQLite
// data dir before and after someone edits a row behind the product's back.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		t.Helper()
		var out, errb bytes.Buffer
		err := app.Run(ctx, append(args, "--data-dir", dir), envOf(), &out, &errb)
		return out.String() + errb.String(), err
	}
	if out, err := run("tenant", "create", "acme", "--admin-email", "ops@acme.test"); err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	for i := range 4 {
		if out, err := run("user", "create", fmt.Sprintf("u%d@acme.test", i), "--tenant", "acme"); err != nil {
			t.Fatalf("user create: %v\n%s", err, out)
		}
	}
	out, err := run("audit", "verify")
	if err != nil || !regexp.MustCompile(`acme: OK \(5 rows, 0 checkpoints\)`).MatchString(out) {
		t.Fatalf("audit verify of an intact chain: %v\n%s", err, out)
	}

	raw, err := sql.Open("sqlite", filepath.Join(dir, "vendorsync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE audit_log SET actor_label = 'nobody' WHERE seq = 3`); err == nil {
		t.Fatal("the database accepted an UPDATE of the audit log")
	}
	for _, stmt := range []string{
		`DROP TRIGGER audit_log_no_update`,
		`UPDATE audit_log SET after_json = replace(after_json, 'u1@', 'evil@') WHERE seq = 3`,
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	out, err = run("audit", "verify")
	if err == nil {
		t.Fatalf("audit verify of an edited chain succeeded:\n%s", out)
	}
	if !strings.Contains(out, "acme: BROKEN at row 3") {
		t.Fatalf("audit verify output does not name row 3:\n%s", out)
	}
}
