package jira

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/tracker"
)

func TestWikiEscapesVendorText(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"inline markup":    {"*bold* _em_ -strike- +under+ ^sup^ ~sub~ ??cite??", `\*bold\* \_em\_ \-strike\- \+under\+ \^sup\^ \~sub\~ \?\?cite\?\?`},
		"words keep marks": {"VS-2847 snake_case e-mail C++", `VS-2847 snake_case e-mail C\+\+`},
		"macros and links": {"{code}x{code} [evil|javascript:x] !img.png! a|b", `\{code\}x\{code\} \[evil\|javascript:x\] \!img.png\! a\|b`},
		"backslash":        {`C:\temp \\ x`, `C:&#92;temp &#92;&#92; x`},
		"emoticon":         {"(y) (x) (!)", `\(y\) \(x\) \(\!\)`},
		"heading at start": {"h1. Big", "\u200bh1. Big"},
		"line breaks":      {"a\r\nb\rc\n\nd", `a \\ b \\ c \\  \\ d`},
		"list at start":    {"# one\n* two\n- three", `\# one \\ \* two \\ \- three`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := toWiki(tracker.Document{Paragraphs: []tracker.Paragraph{{Text: tc.in}}})
			if got != tc.want {
				t.Errorf("toWiki(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWikiLinkURLCannotCloseTheLink(t *testing.T) {
	got := toWiki(tracker.Document{Link: &tracker.Link{Text: "x", URL: "https://vs.example.com/a|b]c"}})
	if want := "[x|https://vs.example.com/a%7Cb%5Dc]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestADFHasNoEmptyTextNodes(t *testing.T) {
	d := tracker.Document{
		Title:      " \x00 ",
		Fields:     []tracker.Field{{Name: "Vendor", Value: ""}, {Name: "", Value: ""}, {Name: "", Value: "bare\x07value"}},
		Paragraphs: []tracker.Paragraph{{Label: "", Text: "\n\n"}, {Label: "Note", Text: "a\n\nb"}},
		Link:       &tracker.Link{URL: "https://vs.example.com/t/1"},
	}
	data, err := json.Marshal(toADF(d))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"doc","version":1,"content":[` +
		`{"type":"paragraph","content":[{"type":"text","text":"Vendor:","marks":[{"type":"strong"}]},{"type":"hardBreak"},{"type":"text","text":"barevalue"}]},` +
		`{"type":"paragraph","content":[{"type":"text","text":"Note:","marks":[{"type":"strong"}]},{"type":"text","text":" a"},{"type":"hardBreak"},{"type":"hardBreak"},{"type":"text","text":"b"}]},` +
		`{"type":"paragraph","content":[{"type":"text","text":"https://vs.example.com/t/1","marks":[{"type":"link","attrs":{"href":"https://vs.example.com/t/1"}}]}]}]}`
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("ADF (-want +got):\n%s", diff)
	}
}

func TestNormalizeLabels(t *testing.T) {
	got := NormalizeLabels([]string{"vendorsync", " vendor:Deutsche  Telekom ", "", "vendorsync", strings.Repeat("x", 300)})
	want := []string{"vendorsync", "vendor:Deutsche-Telekom", strings.Repeat("x", 255)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}

func TestJQL(t *testing.T) {
	if got, want := keysJQL([]string{"PAY-1", "OPS-22"}), `key in ("PAY-1", "OPS-22") ORDER BY key ASC`; got != want {
		t.Errorf("keysJQL = %s", got)
	}
	if got, want := labelJQL("PAY", `vsid-a"b\c`), `project = "PAY" AND labels = "vsid-a\"b\\c" ORDER BY created ASC`; got != want {
		t.Errorf("labelJQL = %s, want %s", got, want)
	}
	msg := "An issue with key 'PAY-9' does not exist for field 'key'.; The issue key 'PAY-0' for field 'key' is invalid.; other"
	if diff := cmp.Diff(map[string]bool{"PAY-9": true, "PAY-0": true}, missingKeys(msg)); diff != "" {
		t.Errorf("missingKeys (-want +got):\n%s", diff)
	}
}

func TestErrorText(t *testing.T) {
	cases := map[string]string{
		`{"errorMessages":["A","B"],"errors":{"summary":"S","issuetype":"I"}}`: "A; B; issuetype: I; summary: S",
		`<html><body>Bad Gateway</body></html>`:                                "",
		`Rate limit exceeded`:                                                  "Rate limit exceeded",
		`{"message":"Client must be authenticated","status-code":401}`:         "Client must be authenticated",
	}
	for in, want := range cases {
		if got := errorText([]byte(in)); got != want {
			t.Errorf("errorText(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestCategory(t *testing.T) {
	for key, want := range map[string]tracker.StatusCategory{"new": tracker.ToDo, "indeterminate": tracker.InProgress,
		"done": tracker.Done, "undefined": tracker.Unknown, "": tracker.Unknown} {
		if got := Category(key); got != want {
			t.Errorf("Category(%q) = %s, want %s", key, got, want)
		}
	}
}
