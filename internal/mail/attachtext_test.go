package mail_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/mail/mailtest"
)

// testDOCX builds a Word document whose body is paragraphs.
func testDOCX(t *testing.T, paragraphs ...string) []byte {
	t.Helper()
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, p := range paragraphs {
		fmt.Fprintf(&doc, `<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, p)
	}
	doc.WriteString(`</w:body></w:document>`)
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, body := range map[string]string{"[Content_Types].xml": `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml": doc.String()} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAttachmentText reads PDF, DOCX, HTML and plain text, bounded, and
// turns damaged or hostile files into errors, never panics.
func TestAttachmentText(t *testing.T) {
	notice := []string{"Amazon RDS for MySQL 5.7 end of standard support", "Effective February 28, 2027 your instances will be upgraded."}
	for name, tc := range map[string]struct {
		file, ct string
		data     []byte
		want     []string
	}{
		"pdf":        {"notice.pdf", "application/pdf", mailtest.PDF(notice, []string{"Affected: db-prod-1, db-prod-2"}), append(notice, "db-prod-2")},
		"pdf by ext": {"notice.PDF", "application/octet-stream", mailtest.PDF(notice), notice},
		// A table's cells are text drawn apart on one line: each row is
		// one line, its cells apart.
		"pdf table": {"schedule.pdf", "application/pdf", mailtest.PDFTable([][]string{
			{"Milestone", "Date"}, {"Release 11.4.2", "27 April 2027"}, {"Deadline to install 11.4.2", "20 May 2027"}}),
			[]string{"Milestone | Date\nRelease 11.4.2 | 27 April 2027\nDeadline to install 11.4.2 | 20 May 2027\n"}},
		"docx": {"notice.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			testDOCX(t, notice...), notice},
		"html":  {"notice.html", "text/html", []byte("<p>" + notice[0] + "</p><div style=display:none>hidden</div><p>" + notice[1] + "</p>"), notice},
		"text":  {"notice.txt", "text/plain", []byte(notice[0] + "\n" + notice[1]), notice},
		"image": {"logo.png", "image/png", []byte("\x89PNG\r\n"), nil},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := mail.AttachmentText(tc.file, tc.ct, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil && got != "" {
				t.Errorf("text from an image: %q", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q missing from %q", w, got)
				}
			}
			if strings.Contains(got, "hidden") {
				t.Errorf("hidden HTML text kept: %q", got)
			}
		})
	}

	for name, data := range map[string][]byte{
		"truncated pdf":    mailtest.PDF(notice)[:200],
		"not a pdf":        []byte("%PDF-1.4 garbage garbage"),
		"not a zip":        []byte("PK\x03\x04 nope"),
		"docx without doc": func() []byte { var b bytes.Buffer; z := zip.NewWriter(&b); z.Close(); return b.Bytes() }(),
	} {
		kind := "x.pdf"
		if strings.Contains(name, "zip") || strings.Contains(name, "docx") {
			kind = "x.docx"
		}
		if _, err := mail.AttachmentText(kind, "", data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := mail.AttachmentText("big.pdf", "", make([]byte, mail.MaxTextSource+1)); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized file: %v", err)
	}
	long := strings.Repeat("word ", mail.MaxAttachmentText)
	if got, _ := mail.AttachmentText("a.txt", "text/plain", []byte(long)); len(got) > mail.MaxAttachmentText {
		t.Errorf("text of %d bytes kept", len(got))
	}
}

// FuzzAttachmentText: no input panics or exceeds the bound.
func FuzzAttachmentText(f *testing.F) {
	f.Add("a.pdf", mailtest.PDF([]string{"hello"}))
	f.Add("a.docx", []byte("PK\x03\x04"))
	f.Add("a.html", []byte("<p>x</p>"))
	f.Add("a.ics", []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20281107T050000Z\r\nSUMMARY:x\\, y\r\nDESCRIPTION:a\r\n b\r\nEND:VEVENT\r\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		got, _ := mail.AttachmentText(name, "", data)
		if len(got) > mail.MaxAttachmentText {
			t.Fatalf("%d bytes", len(got))
		}
	})
}
