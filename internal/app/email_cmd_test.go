package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/app"
	"github.com/vendorsync/vendorsync/internal/inbox"
)

func TestEmailImport(t *testing.T) {
	ctx := context.Background()
	dir, files := t.TempDir(), t.TempDir()
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := app.Run(ctx, append(args, "--data-dir", dir), envOf(), &out, &errb)
		return out.String() + errb.String(), err
	}
	if out, err := run("email", "import", "--help"); err != nil || !strings.Contains(out, "Usage: vendorsync email import") {
		t.Fatalf("--help: %v\n%s", err, out)
	}
	if out, err := run("tenant", "create", "default", "--admin-email", "ops@acme.test"); err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	write := func(name string, parts ...[]byte) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, bytes.Join(parts, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	now := time.Now()
	visa, err := inbox.DemoEmail(now, "01_visa_endpoint.eml")
	if err != nil {
		t.Fatal(err)
	}
	shipfast, err := inbox.DemoEmail(now, "10_unknown_logistics.eml")
	if err != nil {
		t.Fatal(err)
	}
	eml := write("visa.eml", visa)
	box := write("export", []byte("From developer-notices@visa.com Mon Mar  1 10:00:00 2027\n"), visa,
		[]byte("\nFrom api-updates@shipfast-logistics.example Mon Mar  1 11:00:00 2027\n"), shipfast)
	// Without a registry every sender is unknown; the import still stores,
	// deduplicates and triages them.
	out, err := run("email", "import", eml, box)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, want := range []string{eml + ": 1 messages, 1 new, 0 duplicate → 1 unknown vendor",
		box + ": 2 messages, 1 new, 1 duplicate → 1 unknown vendor"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	if out, err := run("email", "import", eml, "--tenant", "nope"); err == nil {
		t.Errorf("import into a missing tenant succeeded:\n%s", out)
	}
	if out, err := run("email", "import", filepath.Join(files, "missing.eml")); err == nil {
		t.Errorf("import of a missing file succeeded:\n%s", out)
	}
}

// TestServeDemoLoadsEmails checks that serve --demo triages the demo emails
// and that the running workers triage an uploaded email.
func TestServeDemoLoadsEmails(t *testing.T) {
	s := startServe(t, envOf(), "--demo")
	want := `Demo emails (organisation "default"): loaded 13 vendor emails: 9 triaged into tickets, 1 thread update, 1 unknown vendor, 2 informational, 0 failed`
	if out := s.Stdout.String(); !strings.Contains(out, want) {
		t.Fatalf("serve --demo did not load the emails:\n%s\nstderr:\n%s", out, s.Stderr.String())
	}
	c := browser(t)
	login(t, c, s.URL, s.Email, s.Password)
	get := func(path string) string {
		t.Helper()
		res, err := c.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, res.StatusCode)
		}
		return string(body)
	}
	for path, want := range map[string]string{"/triage": "ShipFast tracking API", "/emails": "Refinitiv rates feed", "/tickets": "VS-0009"} {
		if !strings.Contains(get(path), want) {
			t.Errorf("%s does not show %q", path, want)
		}
	}
	raw := []byte("From: Stripe <notifications@stripe.com>\r\nSubject: Stripe webhook signing secret rotation on 2031-01-10\r\n" +
		"Message-ID: <e2e@stripe.com>\r\n\r\nStarting 2031-01-10 webhook events are signed with a new secret; " +
		"endpoints that do not update it will fail signature verification.\r\n")
	res, err := c.Post(s.URL+"/api/v1/emails", "message/rfc822", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var up struct{ ID string }
	err = json.NewDecoder(res.Body).Decode(&up)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: %d, %v", res.StatusCode, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var e struct {
			Status    string `json:"status"`
			TicketKey string `json:"ticket_key"`
		}
		if err := json.Unmarshal([]byte(get("/api/v1/emails/"+up.ID)), &e); err != nil {
			t.Fatal(err)
		}
		if e.Status == "triaged" && e.TicketKey == "VS-0010" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the uploaded email is %s %q after 30s: no worker triaged it", e.Status, e.TicketKey)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
