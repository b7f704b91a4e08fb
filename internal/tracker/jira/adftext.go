package jira

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// adfIn is an ADF node as Jira Cloud sends it in an issue's description.
type adfIn struct {
	Type    string         `json:"type"`
	Attrs   map[string]any `json:"attrs"`
	Content []adfIn        `json:"content"`
	Text    string         `json:"text"`
	Marks   []adfMark      `json:"marks"`
}

// descriptionText is an issue's description as the mirror keeps it: Server
// sends wiki text (a JSON string), kept as it is; Cloud sends an Atlassian
// document, rendered as Markdown by adfMarkdown. Anything else (null, a
// shape Jira does not send) is "".
func descriptionText(raw json.RawMessage) string {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text
	}
	var doc adfIn
	if json.Unmarshal(raw, &doc) != nil || doc.Type != "doc" {
		return ""
	}
	return adfMarkdown(doc)
}

// adfMarkdown renders an Atlassian document as Markdown: paragraphs and
// block nodes separated by a blank line, hard breaks as line breaks,
// headings with #, bullet and ordered lists (nested ones indented), code
// blocks fenced with their language, quotes with >, rules as ---, tables
// as pipe rows; text marks as **strong**, *em*, `code`, ~~strike~~ and
// [text](href); mentions, emoji, statuses and cards as their text, dates
// as YYYY-MM-DD. Media (attachments) have no text and are left out.
//
// A description VendorSync wrote (toADF of one paragraph: text nodes and
// hard breaks, no marks) reads back as the text it was made from, so a
// pushed body is not taken for a change made in Jira.
func adfMarkdown(doc adfIn) string {
	return strings.TrimSpace(adfBlocks(doc.Content, "\n\n"))
}

// adfBlocks renders block nodes, joined by sep, skipping empty ones.
func adfBlocks(nodes []adfIn, sep string) string {
	parts := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := adfBlock(n); strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}

func adfBlock(n adfIn) string {
	switch n.Type {
	case "paragraph":
		return adfInline(n.Content)
	case "heading":
		level := min(max(attrInt(n.Attrs, "level", 1), 1), 6)
		return strings.Repeat("#", level) + " " + adfInline(n.Content)
	case "bulletList", "orderedList":
		return adfList(n)
	case "codeBlock":
		var b strings.Builder
		for _, t := range n.Content {
			b.WriteString(t.Text)
		}
		lang, _ := n.Attrs["language"].(string)
		return "```" + lang + "\n" + strings.TrimRight(b.String(), "\n") + "\n```"
	case "blockquote":
		return prefixLines(adfBlocks(n.Content, "\n\n"), "> ", ">")
	case "rule":
		return "---"
	case "table":
		return adfTable(n)
	case "expand", "nestedExpand":
		title, _ := n.Attrs["title"].(string)
		body := adfBlocks(n.Content, "\n\n")
		if title = strings.TrimSpace(title); title != "" {
			return "**" + title + "**\n\n" + body
		}
		return body
	case "blockCard", "embedCard":
		url, _ := n.Attrs["url"].(string)
		return url
	case "mediaSingle", "mediaGroup", "media", "mediaInline":
		return ""
	case "text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status":
		return adfInline([]adfIn{n})
	}
	// A container this renderer does not know (panel, layouts, extensions
	// with content): its blocks.
	return adfBlocks(n.Content, "\n\n")
}

// adfList renders a list: "- " or "n. " before each item's first line,
// its other lines (more paragraphs, nested lists) indented under it.
func adfList(n adfIn) string {
	start := attrInt(n.Attrs, "order", 1)
	lines := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		marker := "- "
		if n.Type == "orderedList" {
			marker = strconv.Itoa(start+i) + ". "
		}
		body := adfBlocks(item.Content, "\n")
		pad := strings.Repeat(" ", len(marker))
		first, rest, _ := strings.Cut(body, "\n")
		out := marker + first
		if rest != "" {
			out += "\n" + prefixLines(rest, pad, "")
		}
		lines = append(lines, out)
	}
	return strings.Join(lines, "\n")
}

// adfTable renders a table as pipe rows, with the separator row after a
// first row of header cells.
func adfTable(n adfIn) string {
	var rows []string
	for i, row := range n.Content {
		cells := make([]string, 0, len(row.Content))
		header := len(row.Content) > 0
		for _, c := range row.Content {
			header = header && c.Type == "tableHeader"
			text := strings.ReplaceAll(adfBlocks(c.Content, " "), "\n", " ")
			cells = append(cells, strings.ReplaceAll(text, "|", `\|`))
		}
		rows = append(rows, "| "+strings.Join(cells, " | ")+" |")
		if i == 0 && header {
			rows = append(rows, "|"+strings.Repeat(" --- |", len(cells)))
		}
	}
	return strings.Join(rows, "\n")
}

// adfInline renders inline nodes.
func adfInline(nodes []adfIn) string {
	var b strings.Builder
	for _, n := range nodes {
		switch n.Type {
		case "text":
			b.WriteString(marked(n.Text, n.Marks))
		case "hardBreak":
			b.WriteString("\n")
		case "mention":
			text, _ := n.Attrs["text"].(string)
			if text == "" {
				id, _ := n.Attrs["id"].(string)
				text = id
			}
			if text != "" && !strings.HasPrefix(text, "@") {
				text = "@" + text
			}
			b.WriteString(text)
		case "emoji":
			text, _ := n.Attrs["text"].(string)
			if text == "" {
				text, _ = n.Attrs["shortName"].(string)
			}
			b.WriteString(text)
		case "inlineCard":
			url, _ := n.Attrs["url"].(string)
			b.WriteString(url)
		case "status":
			text, _ := n.Attrs["text"].(string)
			b.WriteString(text)
		case "date":
			b.WriteString(adfDate(n.Attrs["timestamp"]))
		default:
			b.WriteString(adfInline(n.Content))
		}
	}
	return b.String()
}

// marked wraps text in the Markdown of its marks; the link outermost.
func marked(text string, marks []adfMark) string {
	if strings.TrimSpace(text) == "" {
		return text
	}
	href := ""
	for _, m := range marks {
		switch m.Type {
		case "code":
			text = "`" + text + "`"
		case "strong":
			text = "**" + text + "**"
		case "em":
			text = "*" + text + "*"
		case "strike":
			text = "~~" + text + "~~"
		case "link":
			href, _ = m.Attrs["href"].(string)
		}
	}
	if href != "" {
		text = "[" + text + "](" + href + ")"
	}
	return text
}

// adfDate is a date node's timestamp (milliseconds since the epoch, as a
// string; seconds in some older documents) as YYYY-MM-DD in UTC.
func adfDate(v any) string {
	s, _ := v.(string)
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return s
	}
	if n < 100_000_000_000 { // before 1973 in milliseconds: seconds
		n *= 1000
	}
	return time.UnixMilli(n).UTC().Format(time.DateOnly)
}

// attrInt is the integer attribute name of attrs (JSON numbers decode as
// float64), def when absent.
func attrInt(attrs map[string]any, name string, def int) int {
	if f, ok := attrs[name].(float64); ok {
		return int(f)
	}
	return def
}

// prefixLines puts prefix before every line of s, empty before empty
// lines.
func prefixLines(s, prefix, empty string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			lines[i] = empty
		} else {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
