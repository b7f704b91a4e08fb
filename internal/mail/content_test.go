package mail

import (
	"strings"
	"testing"
)

// TestContentHash: transport headers added on the way leave the content
// hash as it is; another body or attachment under the same Message-ID
// changes it, also for a message whose body was not parsed.
func TestContentHash(t *testing.T) {
	base := "From: a@vendor.example\r\nMessage-ID: <n1@vendor.example>\r\nSubject: notice\r\n\r\nThe API moves on 1 March.\r\n"
	hash := func(raw string, limits Limits) string {
		t.Helper()
		e, err := Parse([]byte(raw), limits)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.ContentSHA256) != 64 {
			t.Fatalf("content hash %q", e.ContentSHA256)
		}
		return e.ContentSHA256
	}
	h := hash(base, Limits{})
	if got := hash("Received: from relay.example\r\n"+base, Limits{}); got != h {
		t.Error("a transport header changed the content hash")
	}
	if got := hash(strings.Replace(base, "1 March", "2 March", 1), Limits{}); got == h {
		t.Error("another body kept the content hash")
	}
	if got := hash(strings.Replace(base, "The API", "The  API", 1), Limits{}); got != h {
		t.Error("folded whitespace changed the content hash")
	}
	small := Limits{MaxMessageBytes: 40}
	hb := hash(base, small)
	if got := hash("Received: from relay.example\r\n"+base, small); got != hb {
		t.Error("unparsed body: a transport header changed the content hash")
	}
	if got := hash(strings.Replace(base, "1 March", "2 March", 1), small); got == hb {
		t.Error("unparsed body: another body kept the content hash")
	}
}
