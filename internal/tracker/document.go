package tracker

import (
	"errors"
	"net/url"
	"strings"
)

// Document is a structured issue description or comment. VendorSync builds
// it once; each provider renders it in its own markup (ADF for Jira Cloud,
// wiki markup for Jira Server, Markdown for GitHub, GitLab and Gitea), so no
// text written by a vendor or an LLM is ever interpreted as markup.
//
// It renders in this order: Title as a heading, a rule, Fields as
// "Name: value" lines, Paragraphs, Link, a closing rule (the rules only
// when there is a title).
type Document struct {
	// Title is the heading: "VENDOR CHANGE — Visa URL endpoint update".
	Title string
	// Fields are the key/value lines, in order: Vendor, Change type, …
	Fields []Field
	// Paragraphs follow the fields: the summary, the routing reasoning.
	Paragraphs []Paragraph
	// Link points back to VendorSync; nil for none.
	Link *Link
}

// Field is one "Name: value" line.
type Field struct {
	Name  string
	Value string
}

// Paragraph is a block of text, optionally led by a bold label
// ("Summary:"). Line breaks inside Text are kept.
type Paragraph struct {
	Label string
	Text  string
}

// Link is a labelled hyperlink ("Direct link: https://…/tickets/VS-2847").
type Link struct {
	// Label leads the line; may be empty.
	Label string
	// Text is what the link shows; the URL when empty.
	Text string
	// URL must be an absolute http or https URL.
	URL string
}

// Display returns the link's text, falling back to its URL.
func (l Link) Display() string {
	if strings.TrimSpace(l.Text) != "" {
		return l.Text
	}
	return l.URL
}

// Validate reports a link that no tracker would render safely.
func (d Document) Validate() error {
	if d.Link == nil {
		return nil
	}
	u, err := url.Parse(d.Link.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("description link must be an absolute http(s) URL")
	}
	return nil
}

// IsEmpty reports whether the document has nothing to render.
func (d Document) IsEmpty() bool {
	return strings.TrimSpace(d.Title) == "" && len(d.Fields) == 0 && len(d.Paragraphs) == 0 && d.Link == nil
}

// Lines splits text into lines, treating \r\n and \r as \n.
func Lines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// NormalBody is body as every tracker keeps it alike: line breaks as \n,
// no control characters but tabs, no trailing spaces on a line, no blank
// lines or spaces around the whole. Trackers differ in exactly these
// (a browser sends \r\n, Jira Cloud's document keeps neither surrounding
// space nor \r), so bodies are compared in this form.
func NormalBody(body string) string {
	lines := Lines(body)
	for i, l := range lines {
		l = strings.Map(func(r rune) rune {
			if (r < 0x20 && r != '\t') || r == 0x7f {
				return -1
			}
			return r
		}, l)
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// SameBody reports whether two bodies are the same text in NormalBody form.
func SameBody(a, b string) bool { return a == b || NormalBody(a) == NormalBody(b) }
