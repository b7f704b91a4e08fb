package mail

import (
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// FuzzParse checks that no input makes Parse panic and that every result is
// either a usable SourceEmail (an id, valid UTF-8 text, attachments within
// the limits) or an apperr Invalid.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatalf("glob testdata: %v", err)
	}
	for _, file := range files {
		f.Add(readTestdata(f, filepath.Base(file)))
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a\n"))
	f.Add([]byte("Content-Type: text/html\n\n<table><tr><td><a href=x><img alt=y></a></td></tr></table>"))
	// MIME bombs: just over each structural bound.
	f.Add(nestedMultipart(MaxMIMEDepth + 1))
	f.Add(manyParts(MaxMIMEParts + 1))
	f.Add(manyHeaders(MaxHeaderFields + 1))
	limits := Limits{MaxMessageBytes: 1 << 20, MaxAttachmentBytes: 4 << 10, MaxAttachments: 3}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := Parse(raw, limits)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Parse error %v is not an apperr Invalid", err)
			}
			return
		}
		if e.MessageID == "" || e.Size != len(raw) {
			t.Fatalf("MessageID %q, Size %d for %d bytes", e.MessageID, e.Size, len(raw))
		}
		for _, s := range []string{e.MessageID, e.Subject, e.TextBody, e.HTMLBody, e.From.Address, e.From.Name} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
		if len(e.Attachments) > limits.MaxAttachments {
			t.Fatalf("%d attachments, limit %d", len(e.Attachments), limits.MaxAttachments)
		}
		for _, a := range e.Attachments {
			if a.Size > limits.MaxAttachmentBytes || int64(len(a.Data)) != a.Size {
				t.Fatalf("attachment %q size %d, data %d bytes", a.Filename, a.Size, len(a.Data))
			}
		}
		ThreadKeys(e)
		TicketRefs(e.Subject)
		ForwardedSenders(e)
	})
}

// BenchmarkParse measures Parse on each testdata message.
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"visa_endpoint_change.eml", "stripe_deprecation_html.eml", "pdf_attachment.eml", "qp_windows1252.eml"} {
		raw := readTestdata(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(raw, Limits{}); err != nil {
					b.Fatalf("Parse: %v", err)
				}
			}
		})
	}
}
