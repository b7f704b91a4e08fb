package mail

import (
	"math"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Hidden is text an HTML email carries that a reader of the rendered email
// cannot see: a comment, an element not displayed, zero-size or off-screen
// text, text in its background's colour, alt text stuffed with words. It is
// kept out of the email's text and listed on the email, so instructions
// hidden in it reach neither triage nor a model.
type Hidden struct {
	// Reason says how it was hidden ("display:none", "HTML comment",
	// "text colour matches its background"…).
	Reason string `json:"reason"`
	// Text is what it says, at most MaxHiddenText characters.
	Text string `json:"text"`
}

// Bounds of what is kept of hidden content: it is evidence, not content.
const (
	MaxHidden     = 50
	MaxHiddenText = 500
)

// hiddenLog collects hidden content; a nil log collects nothing.
type hiddenLog struct {
	found []Hidden
}

// add records the text element n would have shown.
func (l *hiddenLog) add(reason string, n *html.Node) {
	if l == nil {
		return
	}
	l.addText(reason, renderInto(&textWriter{hidden: &hiddenLog{}}, n, false))
}

func (l *hiddenLog) addText(reason, text string) {
	if l == nil || len(l.found) >= MaxHidden {
		return
	}
	text = strings.Join(strings.Fields(invisible.Replace(clean(text))), " ")
	if text == "" {
		return // a tracking pixel or an empty spacer hides nothing
	}
	if r := []rune(text); len(r) > MaxHiddenText {
		text = string(r[:MaxHiddenText]) + "…"
	}
	l.found = append(l.found, Hidden{Reason: reason, Text: text})
}

// comment records an HTML comment, except Outlook's conditional comments,
// which are layout, not text.
func (l *hiddenLog) comment(data string) {
	d := strings.TrimSpace(data)
	if strings.HasPrefix(d, "[if") || strings.HasPrefix(d, "[endif") || strings.HasPrefix(d, "<![endif") {
		return
	}
	l.addText("HTML comment", d)
}

// stuffedAlt reports alt text far longer than an image's description:
// words meant for a machine, not a reader.
func stuffedAlt(alt string) bool {
	return len([]rune(alt)) > 150 || len(strings.Fields(alt)) > 25
}

// invisible says why element n is not seen by a reader of the rendered
// email, or "".
func (w *textWriter) invisible(n *html.Node) string {
	if _, ok := attrOK(n, "hidden"); ok {
		return "hidden attribute"
	}
	if strings.EqualFold(attr(n, "aria-hidden"), "true") && n.DataAtom != atom.Img {
		// Only with a style that hides it too: aria-hidden alone is for
		// screen readers and still shows.
		if st := styleOf(n); st["display"] == "none" || st["visibility"] == "hidden" {
			return "display:none"
		}
	}
	st := styleOf(n)
	switch {
	case st["display"] == "none":
		return "display:none"
	case st["visibility"] == "hidden" || st["visibility"] == "collapse":
		return "visibility:hidden"
	case st["mso-hide"] == "all":
		return "hidden in Outlook (mso-hide:all)"
	case isZero(st["opacity"]):
		return "fully transparent (opacity 0)"
	case tiny(st["font-size"]) || (n.DataAtom == atom.Font && attr(n, "size") == "0"):
		return "zero-size text"
	case (isZero(st["height"]) || isZero(st["max-height"]) || isZero(st["width"]) || isZero(st["max-width"])) &&
		st["overflow"] == "hidden":
		return "zero-size box"
	case offscreen(st):
		return "placed off-screen"
	case strings.HasPrefix(st["clip"], "rect(0") || strings.HasPrefix(st["clip-path"], "inset(50%") ||
		strings.HasPrefix(st["clip-path"], "inset(100%"):
		return "clipped away"
	}
	fg, ok := parseColor(st["color"])
	if !ok && n.DataAtom == atom.Font {
		fg, ok = parseColor(attr(n, "color"))
	}
	if ok {
		bg, known := w.bg, true
		if w.bgSet {
			known = w.bg.known
		} else {
			bg = white
		}
		if own, set := background(n); set {
			bg, known = own, own.known
		}
		if known && fg.near(bg) {
			return "text colour matches its background"
		}
	}
	return ""
}

// styleOf parses an element's inline style into lower-case properties;
// the last declaration of a property wins, as in CSS.
func styleOf(n *html.Node) map[string]string {
	out := map[string]string{}
	for _, decl := range strings.Split(attr(n, "style"), ";") {
		k, v, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		v = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "!important")))
		out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return out
}

// length parses a CSS length in px (pt, em and rem converted at 16px).
func length(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	mult := 1.0
	for _, u := range []struct {
		suffix string
		mult   float64
	}{{"px", 1}, {"pt", 4.0 / 3}, {"rem", 16}, {"em", 16}, {"%", 0.16}, {"vw", 10}, {"vh", 10}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f * mult, true
}

func isZero(v string) bool {
	f, ok := length(v)
	return ok && f == 0
}

// tiny: text under 2px is not read by anyone.
func tiny(v string) bool {
	f, ok := length(v)
	return ok && f < 2
}

// offscreen: absolutely placed far outside the page, or indented out of it.
func offscreen(st map[string]string) bool {
	far := func(k string) bool {
		f, ok := length(st[k])
		return ok && f <= -500
	}
	if far("text-indent") {
		return true
	}
	if p := st["position"]; p == "absolute" || p == "fixed" {
		return far("left") || far("top") || far("right") || far("margin-left") || far("margin-top")
	}
	return far("margin-left") || far("margin-top")
}

// rgb is a colour; known is false for a background we cannot judge (an
// image).
type rgb struct {
	r, g, b int
	known   bool
}

var white = rgb{255, 255, 255, true}

// near: close enough that the text cannot be told from its background.
func (c rgb) near(o rgb) bool {
	dr, dg, db := c.r-o.r, c.g-o.g, c.b-o.b
	return dr*dr+dg*dg+db*db < 24*24
}

// background is the background element n sets for its content: a colour,
// or an unknown one for an image.
func background(n *html.Node) (rgb, bool) {
	st := styleOf(n)
	for _, k := range []string{"background-color", "background"} {
		v, ok := st[k]
		if !ok {
			continue
		}
		if strings.Contains(v, "url(") || strings.Contains(v, "gradient(") {
			return rgb{}, true
		}
		if c, ok := parseColor(v); ok {
			return c, true
		}
		for _, f := range strings.Fields(v) {
			if c, ok := parseColor(f); ok {
				return c, true
			}
		}
	}
	if _, ok := attrOK(n, "background"); ok {
		return rgb{}, true
	}
	if c, ok := parseColor(attr(n, "bgcolor")); ok {
		return c, true
	}
	return rgb{}, false
}

var namedColors = map[string]rgb{
	"white": white, "black": {0, 0, 0, true}, "snow": {255, 250, 250, true}, "ivory": {255, 255, 240, true},
	"whitesmoke": {245, 245, 245, true}, "ghostwhite": {248, 248, 255, true}, "floralwhite": {255, 250, 240, true},
	"red": {255, 0, 0, true}, "green": {0, 128, 0, true}, "blue": {0, 0, 255, true}, "gray": {128, 128, 128, true},
	"grey": {128, 128, 128, true}, "silver": {192, 192, 192, true}, "navy": {0, 0, 128, true},
}

// parseColor reads #rgb, #rrggbb, rgb()/rgba() and a few names.
func parseColor(v string) (rgb, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if c, ok := namedColors[v]; ok {
		return c, true
	}
	if h, ok := strings.CutPrefix(v, "#"); ok {
		if len(h) == 3 {
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		}
		if len(h) != 6 {
			return rgb{}, false
		}
		n, err := strconv.ParseUint(h, 16, 32)
		if err != nil {
			return rgb{}, false
		}
		return rgb{int(n >> 16), int(n >> 8 & 0xff), int(n & 0xff), true}, true
	}
	if args, ok := strings.CutPrefix(v, "rgb"); ok {
		args = strings.TrimPrefix(args, "a")
		args = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(args), "("), ")")
		parts := strings.FieldsFunc(args, func(r rune) bool { return r == ',' || r == ' ' || r == '/' })
		if len(parts) < 3 {
			return rgb{}, false
		}
		var c [3]int
		for i := range 3 {
			f, err := strconv.ParseFloat(strings.TrimSuffix(parts[i], "%"), 64)
			if err != nil {
				return rgb{}, false
			}
			if strings.HasSuffix(parts[i], "%") {
				f = f * 255 / 100
			}
			c[i] = int(math.Max(0, math.Min(255, f)))
		}
		return rgb{c[0], c[1], c[2], true}, true
	}
	return rgb{}, false
}
