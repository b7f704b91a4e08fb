package mail

import (
	"fmt"
	"strings"
	"testing"
)

// nestedMultipart is a message whose body is depth multiparts, each inside
// the last (a MIME bomb: small, but costly to walk part by part).
func nestedMultipart(depth int) []byte {
	var b strings.Builder
	b.WriteString("From: Vendor <notices@vendor.example>\r\nTo: ops@acme.example\r\nSubject: nested\r\nMessage-ID: <bomb@vendor.example>\r\nMIME-Version: 1.0\r\n")
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\nhello\r\n", depth-1)
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return []byte(b.String())
}

// manyParts is a message with n sibling parts.
func manyParts(n int) []byte {
	var b strings.Builder
	b.WriteString("From: Vendor <notices@vendor.example>\r\nSubject: wide\r\nMessage-ID: <wide@vendor.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"w\"\r\n\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--w\r\nContent-Type: text/plain\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--w--\r\n")
	return []byte(b.String())
}

// manyHeaders is a message with n header fields.
func manyHeaders(n int) []byte {
	var b strings.Builder
	b.WriteString("From: Vendor <notices@vendor.example>\r\nSubject: tall\r\nMessage-ID: <tall@vendor.example>\r\n")
	for i := range n {
		fmt.Fprintf(&b, "X-Filler-%d: %d\r\n", i, i)
	}
	b.WriteString("\r\nbody\r\n")
	return []byte(b.String())
}

// TestMIMEBounds: a message over a structural bound (nesting, parts,
// header fields) keeps its headers, says why its body was not read, and
// never reaches the MIME walker.
func TestMIMEBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"2,000 nested multiparts", nestedMultipart(2000), "nested"},
		{"5,000 sibling parts", manyParts(5000), "parts"},
		{"20,000 header fields", manyHeaders(20000), "header fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.raw, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if e.TextBody != "" || len(e.Attachments) != 0 {
				t.Errorf("the body of a message over a bound was read: %d bytes of text, %d attachments", len(e.TextBody), len(e.Attachments))
			}
			if e.From.Address != "notices@vendor.example" || e.MessageID == "" {
				t.Errorf("headers lost: from %q, id %q", e.From.Address, e.MessageID)
			}
			found := false
			for _, pe := range e.ParseErrors {
				found = found || (strings.Contains(pe, tc.want) && strings.Contains(pe, "only headers were parsed"))
			}
			if !found {
				t.Errorf("no note naming the bound (%q) in %q", tc.want, e.ParseErrors)
			}
		})
	}
	t.Run("within the bounds the body is read", func(t *testing.T) {
		for _, raw := range [][]byte{nestedMultipart(20), manyParts(200), manyHeaders(300)} {
			e, err := Parse(raw, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if e.TextBody == "" {
				t.Errorf("body not read: %q", e.ParseErrors)
			}
		}
	})
}
