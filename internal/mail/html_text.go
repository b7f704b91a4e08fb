package mail

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText renders an HTML email body as readable plain text for triage
// and display: paragraphs and headings become blank-line separated blocks,
// <br> a line break, list items "- item" (or "1. item"), links "text (url)",
// table rows "cell | cell", quotes "> …". Script, style, head and hidden
// (display:none) content is dropped and entities are decoded.
func HTMLToText(s string) string {
	text, _ := HTMLToTextHidden(s)
	return text
}

// HTMLToTextHidden is HTMLToText that also returns the text a reader of the
// rendered email cannot see and why (see Hidden): it is left out of the
// text, so neither triage nor a model reads it.
func HTMLToTextHidden(s string) (string, []Hidden) {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		// html.Parse only fails when its reader fails, which a strings.Reader
		// never does; fall back to the raw text rather than lose the body.
		return clean(s), nil
	}
	w := &textWriter{hidden: &hiddenLog{}}
	w.children(doc)
	return clean(tidy(w.b.String())), w.hidden.found
}

// textWriter accumulates text, collapsing white space and keeping at most
// one blank line between blocks.
type textWriter struct {
	b        strings.Builder
	newlines int  // line breaks owed before the next text
	space    bool // a space owed before the next text
	pre      int  // depth of <pre> elements
	// bg is the background colour the text is drawn on (white unless an
	// ancestor sets one); hidden collects what is not shown.
	bg     rgb
	bgSet  bool
	hidden *hiddenLog
}

// invisible runes that email templates use for spacing and preheaders.
var invisible = strings.NewReplacer(
	"\u00a0", " ", "\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "",
	"\ufeff", "", "\u034f", "", "\u00ad", "", "\r", "",
)

// renderNode renders the children of n into a fresh writer that draws on
// w's background and logs hidden content to w's log, and returns the tidied
// text.
func (w *textWriter) renderNode(n *html.Node, pre bool) string {
	return renderInto(&textWriter{bg: w.bg, bgSet: w.bgSet, hidden: w.hidden}, n, pre)
}

// renderInto renders the children of n into w and returns the tidied text.
func renderInto(w *textWriter, n *html.Node, pre bool) string {
	if pre {
		w.pre = 1
	}
	w.children(n)
	return tidy(w.b.String())
}

// tidy trims trailing space on every line and squeezes blank lines.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimLeft(strings.TrimRight(strings.Join(out, "\n"), " \t\n"), "\n")
}

// block asks for at least n line breaks before the next text.
func (w *textWriter) block(n int) { w.newlines = max(w.newlines, n) }

// raw writes already formatted text after any owed separator.
func (w *textWriter) raw(s string) {
	if s == "" {
		return
	}
	if w.b.Len() > 0 {
		if w.newlines > 0 {
			w.b.WriteString(strings.Repeat("\n", min(w.newlines, 2)))
		} else if w.space {
			w.b.WriteByte(' ')
		}
	}
	w.newlines, w.space = 0, false
	w.b.WriteString(s)
}

// text writes a text node, collapsing white space outside <pre>.
func (w *textWriter) text(s string) {
	s = invisible.Replace(s)
	if w.pre > 0 {
		w.raw(s)
		return
	}
	words := strings.Fields(s)
	if len(words) == 0 {
		if s != "" {
			w.space = true
		}
		return
	}
	if first := s[0]; first == ' ' || first == '\t' || first == '\n' || first == '\f' {
		w.space = true
	}
	for i, word := range words {
		if i > 0 {
			w.space = true
		}
		w.raw(word)
	}
	if last := s[len(s)-1]; last == ' ' || last == '\t' || last == '\n' || last == '\f' {
		w.space = true
	}
}

// children renders every child of n.
func (w *textWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

// node renders one node.
func (w *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.DocumentNode:
		w.children(n)
		return
	case html.CommentNode:
		w.hidden.comment(n.Data)
		return
	case html.ElementNode:
	default:
		return // doctypes carry no text
	}
	if why := w.invisible(n); why != "" {
		w.hidden.add(why, n)
		return
	}
	if bg, ok := background(n); ok {
		saved, savedSet := w.bg, w.bgSet
		w.bg, w.bgSet = bg, true
		defer func() { w.bg, w.bgSet = saved, savedSet }()
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Svg, atom.Object:
	case atom.Br:
		w.newlines++
	case atom.Img:
		if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
			if stuffedAlt(alt) {
				w.hidden.addText("image alt text", alt)
			} else {
				w.text(" " + alt + " ")
			}
		}
	case atom.A:
		w.link(n)
	case atom.Pre:
		w.block(2)
		w.raw(w.renderNode(n, true))
		w.block(2)
	case atom.Blockquote:
		w.block(2)
		w.raw("> " + strings.ReplaceAll(w.renderNode(n, false), "\n", "\n> "))
		w.block(2)
	case atom.Ul, atom.Ol:
		w.block(2)
		w.list(n, n.DataAtom == atom.Ol)
		w.block(2)
	case atom.Tr:
		w.block(1)
		w.raw(w.tableRow(n))
		w.block(1)
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Hr, atom.Dl:
		w.block(2)
		w.children(n)
		w.block(2)
	case atom.Div, atom.Li, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Address,
		atom.Center, atom.Dt, atom.Dd, atom.Form, atom.Fieldset, atom.Main, atom.Nav, atom.Aside,
		atom.Figure, atom.Figcaption, atom.Caption:
		w.block(1)
		w.children(n)
		w.block(1)
	default:
		w.children(n)
	}
}

// list renders the items of a <ul> or <ol>, nested lists indented.
func (w *textWriter) list(n *html.Node, ordered bool) {
	num := 1
	if start, err := strconv.Atoi(attr(n, "start")); err == nil && ordered {
		num = start // a bad start attribute just keeps numbering from 1
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.DataAtom != atom.Li {
			w.node(c)
			continue
		}
		marker := "- "
		if ordered {
			marker = strconv.Itoa(num) + ". "
			num++
		}
		item := w.renderNode(c, false)
		item = strings.ReplaceAll(item, "\n", "\n"+strings.Repeat(" ", len(marker)))
		w.block(1)
		w.raw(marker + item)
		w.block(1)
	}
}

// link renders <a> as "text (url)", or just the text when the URL is the
// text itself, an in-page anchor or a script.
func (w *textWriter) link(n *html.Node) {
	text := strings.Join(strings.Fields(w.renderNode(n, false)), " ")
	href := strings.TrimSpace(attr(n, "href"))
	lower := strings.ToLower(href)
	switch {
	case href == "", strings.HasPrefix(href, "#"), strings.HasPrefix(lower, "javascript:"):
		href = ""
	case strings.HasPrefix(lower, "mailto:"):
		href, _, _ = strings.Cut(href[len("mailto:"):], "?")
	}
	switch {
	case text == "":
		w.text(href)
	case href == "" || sameURL(text, href):
		w.text(text)
	default:
		w.text(text + " (" + href + ")")
	}
}

// sameURL reports whether a link's text is its URL, give or take the scheme
// and a trailing slash.
func sameURL(text, href string) bool {
	norm := func(s string) string {
		s = strings.ToLower(s)
		for _, p := range []string{"https://", "http://", "mailto:"} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimSuffix(s, "/")
	}
	return norm(text) == norm(href)
}

// tableRow renders the cells of a <tr>: "a | b" when every cell is one
// line (a data table), one cell per line otherwise (a layout table).
func (w *textWriter) tableRow(tr *html.Node) string {
	var cells []string
	multiline := false
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.DataAtom != atom.Td && c.DataAtom != atom.Th) {
			continue
		}
		if why := w.invisible(c); why != "" {
			w.hidden.add(why, c)
			continue
		}
		cw := &textWriter{bg: w.bg, bgSet: w.bgSet, hidden: w.hidden}
		if bg, ok := background(c); ok {
			cw.bg, cw.bgSet = bg, true
		}
		cw.children(c)
		if cell := tidy(cw.b.String()); cell != "" {
			cells = append(cells, cell)
			multiline = multiline || strings.Contains(cell, "\n")
		}
	}
	if multiline {
		return strings.Join(cells, "\n\n")
	}
	return strings.Join(cells, " | ")
}

// attr returns the value of an attribute, "" when absent.
func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

// attrOK returns an attribute's value and whether it is present.
func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}
