package jira

import (
	"strings"

	"github.com/vendorsync/vendorsync/internal/tracker"
)

// adfNode is one node of an Atlassian Document Format tree, as Jira Cloud
// expects in descriptions and comment bodies.
type adfNode struct {
	Type    string         `json:"type"`
	Version int            `json:"version,omitempty"`
	Attrs   map[string]any `json:"attrs,omitempty"`
	Content []adfNode      `json:"content,omitempty"`
	Text    string         `json:"text,omitempty"`
	Marks   []adfMark      `json:"marks,omitempty"`
}

// adfMark formats a text node (strong, link).
type adfMark struct {
	Type  string         `json:"type"`
	Attrs map[string]any `json:"attrs,omitempty"`
}

// adfDoc is the top node; unlike other nodes it always carries content.
type adfDoc struct {
	Type    string    `json:"type"`
	Version int       `json:"version"`
	Content []adfNode `json:"content"`
}

// toADF renders d as an ADF document: the title as a level-3 heading between
// rules, fields as one paragraph of bold "Name:" and value lines separated
// by hard breaks, each paragraph with its bold label, and the link as a text
// node with a link mark. ADF never interprets text, so nothing is escaped;
// empty text nodes (which Jira rejects) are never produced.
func toADF(d tracker.Document) adfDoc {
	doc := adfDoc{Type: "doc", Version: 1, Content: []adfNode{}}
	add := func(n adfNode) { doc.Content = append(doc.Content, n) }
	title := strings.TrimSpace(cleanText(d.Title))
	if title != "" {
		add(adfNode{Type: "heading", Attrs: map[string]any{"level": 3}, Content: []adfNode{adfText(title)}})
		add(adfNode{Type: "rule"})
	}
	var fields []adfNode
	for _, f := range d.Fields {
		inline := labelled(f.Name, f.Value)
		if len(inline) == 0 {
			continue
		}
		if len(fields) > 0 {
			fields = append(fields, adfNode{Type: "hardBreak"})
		}
		fields = append(fields, inline...)
	}
	if len(fields) > 0 {
		add(adfNode{Type: "paragraph", Content: fields})
	}
	for _, p := range d.Paragraphs {
		if inline := labelled(p.Label, p.Text); len(inline) > 0 {
			add(adfNode{Type: "paragraph", Content: inline})
		}
	}
	if l := d.Link; l != nil && d.Validate() == nil {
		inline := labelled(l.Label, "")
		if len(inline) > 0 {
			inline = append(inline, adfText(" "))
		}
		link := adfText(cleanText(l.Display()))
		link.Marks = []adfMark{{Type: "link", Attrs: map[string]any{"href": l.URL}}}
		add(adfNode{Type: "paragraph", Content: append(inline, link)})
	}
	if title != "" {
		add(adfNode{Type: "rule"})
	}
	return doc
}

// labelled renders "**Label:** text" as inline nodes, line breaks kept as
// hardBreak nodes.
func labelled(label, text string) []adfNode {
	var out []adfNode
	if label = strings.TrimSpace(cleanText(label)); label != "" {
		strong := adfText(label + ":")
		strong.Marks = []adfMark{{Type: "strong"}}
		out = append(out, strong)
	}
	text = strings.TrimSpace(cleanText(text))
	if text == "" {
		return out
	}
	for i, line := range tracker.Lines(text) {
		if i > 0 {
			out = append(out, adfNode{Type: "hardBreak"})
		}
		if i == 0 && label != "" {
			line = " " + line
		}
		if line != "" {
			out = append(out, adfText(line))
		}
	}
	return out
}

func adfText(s string) adfNode { return adfNode{Type: "text", Text: s} }

// cleanText drops control characters other than line breaks and tabs,
// which Jira's renderers either reject or show as garbage.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}
