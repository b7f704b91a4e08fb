package tracker

import (
	"net/url"
	"strings"
)

// Markdown renders d as GitHub-flavoured Markdown (also what GitLab and
// Gitea render). Every piece of text is escaped, so a vendor's "*urgent*"
// or an LLM's "[click](…)" shows literally instead of becoming markup.
func (d Document) Markdown() string {
	var b strings.Builder
	block := func(s string) {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(s)
	}
	title := strings.TrimSpace(d.Title)
	if title != "" {
		block("### " + markdownText(title))
		block("---")
	}
	if len(d.Fields) > 0 {
		items := make([]string, 0, len(d.Fields))
		for _, f := range d.Fields {
			items = append(items, "- "+markdownLabelled(f.Name, f.Value))
		}
		block(strings.Join(items, "\n"))
	}
	for _, p := range d.Paragraphs {
		if s := markdownLabelled(p.Label, p.Text); s != "" {
			block(s)
		}
	}
	if d.Link != nil {
		if u, err := url.Parse(d.Link.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			link := "[" + markdownText(d.Link.Display()) + "](<" + u.String() + ">)"
			if l := strings.TrimSpace(d.Link.Label); l != "" {
				link = "**" + markdownText(l) + ":** " + link
			}
			block(link)
		}
		// A link that is not http(s) is dropped: Validate rejects it before
		// any provider call, so only a caller skipping Validate gets here.
	}
	if title != "" {
		block("---")
	}
	return b.String()
}

// markdownLabelled renders "**Label:** text", keeping line breaks.
func markdownLabelled(label, text string) string {
	var lines []string
	for _, l := range Lines(strings.TrimSpace(text)) {
		lines = append(lines, markdownText(l))
	}
	body := strings.Join(lines, "  \n")
	label = strings.TrimSpace(label)
	switch {
	case label == "":
		return body
	case body == "":
		return "**" + markdownText(label) + ":**"
	}
	return "**" + markdownText(label) + ":** " + body
}

// markdownText escapes one line of text for Markdown.
func markdownText(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&', '!':
			b.WriteByte('\\')
		case '-', '+', '=':
			// List markers and setext underlines only count at line start.
			if i == 0 {
				b.WriteByte('\\')
			}
		case '.', ')':
			// "1. " or "1) " at line start would open an ordered list.
			if i > 0 && allDigits(s[:i]) {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
