package mail

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

func TestParseRejectsUnreadableInput(t *testing.T) {
	garbage := make([]byte, 4096)
	if _, err := rand.Read(garbage); err != nil {
		t.Fatalf("rand: %v", err)
	}
	for name, raw := range map[string][]byte{
		"nil":        nil,
		"empty":      {},
		"whitespace": []byte(" \r\n\t\n"),
		"binary":     garbage,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(raw, Limits{})
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Parse error = %v, want an apperr Invalid", err)
			}
		})
	}
}

func TestParseKeepsMalformedMessages(t *testing.T) {
	tests := map[string]struct{ raw, wantSubject, wantText string }{
		"no headers":            {"Please rotate your API keys before May 1.\n", "", "Please rotate your API keys before May 1.\n"},
		"header without body":   {"Subject: only a subject", "only a subject", ""},
		"mbox envelope line":    {"From notices@visa.com Mon Mar  3 14:02:11 2025\nSubject: Notice\n\nBody text\n", "Notice", "Body text\n"},
		"garbled header":        {"Subject:: ??\nX-Bad\n\nBody text\n", ": ?? X-Bad", "Body text\n"},
		"multipart no boundary": {"Message-ID: <x@Y.com>\nContent-Type: multipart/mixed\n\nbody\n", "", "body\n"},
		"bad encoded word":      {"Message-ID: <x@y.com>\nSubject: =?utf-8?B?!!!?=\nFrom: =?bogus?Q?x?= <a@b.com>\n\nhi\n", "=?utf-8?B?!!!?=", "hi\n"},
		"nul bytes":             {"Message-ID: <n@y.com>\nSubject: a\x00b\n\nbody\x00text\n", "ab", "bodytext\n"},
		"invalid utf-8":         {"Subject: caf\xe9\n\nna\xefve\n", "caf\ufffd", "naïve\n"}, // body charset detected,
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e, err := Parse([]byte(tt.raw), Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if e.MessageID == "" {
				t.Errorf("MessageID is empty")
			}
			if e.Subject != tt.wantSubject || e.TextBody != tt.wantText {
				t.Errorf("Subject, TextBody = %q, %q; want %q, %q (errors %q)", e.Subject, e.TextBody, tt.wantSubject, tt.wantText, e.ParseErrors)
			}
			if len(e.ParseErrors) == 0 {
				t.Errorf("ParseErrors is empty, want the problems noted")
			}
		})
	}
}

func TestParseSyntheticMessageIDIsStable(t *testing.T) {
	raw := readTestdata(t, "missing_message_id.eml")
	a, errA := Parse(raw, Limits{})
	b, errB := Parse(bytes.Clone(raw), Limits{})
	c, errC := Parse(append(bytes.Clone(raw), "PS: one more line\n"...), Limits{})
	if errA != nil || errB != nil || errC != nil {
		t.Fatalf("Parse: %v %v %v", errA, errB, errC)
	}
	if a.MessageID != b.MessageID || !a.MessageIDSynthetic {
		t.Errorf("same bytes gave ids %q and %q", a.MessageID, b.MessageID)
	}
	if a.MessageID == c.MessageID {
		t.Errorf("different bytes gave the same id %q", a.MessageID)
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("attachment count", func(t *testing.T) {
		e, err := Parse(readTestdata(t, "pdf_attachment.eml"), Limits{MaxAttachments: 1})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if len(e.Attachments) != 1 || e.Attachments[0].Filename != "affected-instances.pdf" {
			t.Errorf("attachments = %v, want only the PDF", attachmentsOf(e))
		}
		if len(e.ParseErrors) != 1 || !strings.Contains(e.ParseErrors[0], `"aws-logo.png" dropped: over the limit of 1`) {
			t.Errorf("ParseErrors = %q", e.ParseErrors)
		}
	})
	t.Run("message size", func(t *testing.T) {
		raw := readTestdata(t, "pdf_attachment.eml")
		e, err := Parse(raw, Limits{MaxMessageBytes: 400})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if e.MessageID != "CAF=3xQm9pL2@mail.gmail.com" || e.From.Address != "no-reply-aws@amazon.com" {
			t.Errorf("headers not parsed: id %q from %v", e.MessageID, e.From)
		}
		if e.TextBody != "" || len(e.Attachments) != 0 {
			t.Errorf("body parsed despite the limit: %q, %d attachments", e.TextBody, len(e.Attachments))
		}
		if len(e.ParseErrors) == 0 || !strings.Contains(e.ParseErrors[0], "over the 400-byte limit") {
			t.Errorf("ParseErrors = %q", e.ParseErrors)
		}
		if e.Size != len(raw) {
			t.Errorf("Size = %d, want %d", e.Size, len(raw))
		}
	})
	t.Run("attachment data and hash", func(t *testing.T) {
		e, err := Parse(readTestdata(t, "pdf_attachment.eml"), Limits{})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		pdf := e.Attachments[0]
		if !bytes.HasPrefix(pdf.Data, []byte("%PDF-1.4")) || int64(len(pdf.Data)) != pdf.Size {
			t.Errorf("PDF data = %q (size %d)", pdf.Data, pdf.Size)
		}
		if pdf.SHA256 != "79370862c6cb54e96ed3125464c11e4ce3e8b08fb5048723695b6b9e9728d701" {
			t.Errorf("PDF SHA256 = %s", pdf.SHA256)
		}
	})
}

func TestNormalizeMessageID(t *testing.T) {
	tests := map[string]string{
		"<ABC.123@Mail.Example.COM>":   "ABC.123@mail.example.com",
		"  <a@b.c> <second@x.y>":       "a@b.c",
		"no-brackets@Example.org":      "no-brackets@example.org",
		"<>":                           "",
		"":                             "",
		"<local.only>":                 "local.only",
		"<broken@Example.COM":          "broken@example.com",
		"<weird\n folded@Example.Com>": "weirdfolded@example.com",
	}
	for in, want := range tests {
		if got := NormalizeMessageID(in); got != want {
			t.Errorf("NormalizeMessageID(%q) = %q, want %q", in, got, want)
		}
	}
}
