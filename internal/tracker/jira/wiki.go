package jira

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/vendorsync/vendorsync/internal/tracker"
)

// toWiki renders d as Jira wiki markup (Server/Data Center descriptions and
// comments):
//
//	h3. Title
//	----
//	*Vendor:* Visa
//	*Change type:* URL endpoint change
//
//	*Summary:* text \\ next line
//
//	*Direct link:* [VS-2847|https://…]
//	----
//
// All text is escaped, and its line breaks become \\ so every block stays
// on one physical line whose start VendorSync controls: a vendor's "h1." or
// "* item" cannot open a heading or a list.
func toWiki(d tracker.Document) string {
	var blocks []string
	title := strings.TrimSpace(cleanText(d.Title))
	if title != "" {
		blocks = append(blocks, "h3. "+wikiLine(title), "----")
	}
	var fields []string
	for _, f := range d.Fields {
		if s := wikiLabelled(f.Name, f.Value); s != "" {
			fields = append(fields, s)
		}
	}
	if len(fields) > 0 {
		blocks = append(blocks, strings.Join(fields, "\n"))
	}
	for _, p := range d.Paragraphs {
		if s := wikiLabelled(p.Label, p.Text); s != "" {
			blocks = append(blocks, s)
		}
	}
	if l := d.Link; l != nil && d.Validate() == nil {
		link := "[" + wikiText(cleanText(l.Display())) + "|" + wikiURL(l.URL) + "]"
		if label := wikiLabelled(l.Label, ""); label != "" {
			link = label + " " + link
		}
		blocks = append(blocks, link)
	}
	if title != "" {
		blocks = append(blocks, "----")
	}
	return strings.Join(blocks, "\n\n")
}

// wikiLabelled renders "*Label:* text" on one line.
func wikiLabelled(label, text string) string {
	label = strings.TrimSpace(cleanText(label))
	var lines []string
	for _, l := range tracker.Lines(strings.TrimSpace(cleanText(text))) {
		lines = append(lines, wikiText(l))
	}
	body := strings.Join(lines, " \\\\ ")
	switch {
	case label == "":
		return wikiLine(body)
	case body == "":
		return "*" + wikiText(label) + ":*"
	}
	return "*" + wikiText(label) + ":* " + body
}

// blockStart matches what opens a block at the start of a wiki line.
var blockStart = regexp.MustCompile(`^(h[1-6]|bq|fn[0-9]*)\.`)

// wikiLine makes an escaped text safe at the start of a line: a zero-width
// space in front of "h1." and the like keeps it literal.
func wikiLine(escaped string) string {
	if blockStart.MatchString(escaped) {
		return "\u200b" + escaped
	}
	return escaped
}

// wikiText escapes one line of text. Backslash escapes the markup
// characters; a backslash itself is written as an entity, because "\\" is
// a line break in wiki markup. '-', '_' and '+' only delimit markup
// (-strike-, _emphasis_, +underline+) next to a non-word character, so
// those inside a word (VS-2847, snake_case) stay as they are.
func wikiText(s string) string {
	rs := []rune(s)
	word := func(i int) bool {
		return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]))
	}
	var b strings.Builder
	for i, r := range rs {
		switch r {
		case '\\':
			b.WriteString("&#92;")
			continue
		case '*', '?', '^', '~', '{', '}', '[', ']', '|', '!', '#', '(', ')':
			b.WriteByte('\\')
		case '-', '_', '+':
			if !word(i-1) || !word(i+1) {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wikiURL keeps a URL from closing the [text|url] link early.
func wikiURL(raw string) string {
	u, err := url.Parse(raw)
	if err == nil {
		raw = u.String()
	}
	return strings.NewReplacer("|", "%7C", "[", "%5B", "]", "%5D", " ", "%20").Replace(raw)
}
