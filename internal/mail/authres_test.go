package mail

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAuthResults reads the checks receiving servers record, as Gmail and
// Microsoft 365 write them (comments, folded lines, ARC instances), top
// first, and skips what cannot be read with a note.
func TestAuthResults(t *testing.T) {
	raw := "Authentication-Results: mx.google.com;\r\n" +
		"       dkim=pass header.i=@stripe.com header.s=s1 header.b=Ab12Cd34;\r\n" +
		"       spf=pass (google.com: domain of bounce@mail.stripe.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=bounce@mail.stripe.com;\r\n" +
		"       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=stripe.com\r\n" +
		"ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=fail (sender ip is 198.51.100.7)\r\n" +
		" smtp.mailfrom=stripe.com; dmarc=fail action=oreject header.from=stripe.com; dkim=none (message not signed)\r\n" +
		"Authentication-Results: spoofed.example; dmarc=fail header.from=stripe.com\r\n" +
		"Authentication-Results: broken.example 2; dkim=pass\r\n" +
		"From: Stripe <notices@stripe.com>\r\nTo: a@acme.test\r\nSubject: Notice\r\nMessage-ID: <ar@stripe.com>\r\n" +
		"Date: Mon, 1 Mar 2027 09:00:00 +0000\r\n\r\nHello.\r\n"
	e, err := Parse([]byte(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []AuthResult{
		{Header: "Authentication-Results", Position: 0, Server: "mx.google.com", Method: "dkim", Result: "pass", Domain: "stripe.com"},
		{Header: "Authentication-Results", Position: 0, Server: "mx.google.com", Method: "spf", Result: "pass", Domain: "mail.stripe.com"},
		{Header: "Authentication-Results", Position: 0, Server: "mx.google.com", Method: "dmarc", Result: "pass", Domain: "stripe.com"},
		{Header: "Authentication-Results", Position: 1, Server: "spoofed.example", Method: "dmarc", Result: "fail", Domain: "stripe.com"},
		{Header: "ARC-Authentication-Results", Position: 0, Server: "mx.microsoft.com", Method: "spf", Result: "fail", Domain: "stripe.com"},
		{Header: "ARC-Authentication-Results", Position: 0, Server: "mx.microsoft.com", Method: "dmarc", Result: "fail", Domain: "stripe.com"},
		{Header: "ARC-Authentication-Results", Position: 0, Server: "mx.microsoft.com", Method: "dkim", Result: "none"},
	}
	if diff := cmp.Diff(want, e.AuthResults); diff != "" {
		t.Errorf("auth results (-want +got):\n%s", diff)
	}
	var noted bool
	for _, pe := range e.ParseErrors {
		noted = noted || strings.Contains(pe, "unreadable Authentication-Results header")
	}
	if !noted {
		t.Errorf("the unreadable field was not noted: %q", e.ParseErrors)
	}
}
