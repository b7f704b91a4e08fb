package mail

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"paragraphs", "<p>One</p><p>Two\n   words</p>", "One\n\nTwo words"},
		{"line breaks", "Line 1<br>Line 2<br/><br>Line 4", "Line 1\nLine 2\n\nLine 4"},
		{"entities", "<p>AT&amp;T &ndash; caf&eacute; &lt;tag&gt; &#8364;5&nbsp;net</p>", "AT&T – café <tag> €5 net"},
		{"script and style", "<style>p{}</style><script>alert(1)</script><p>Text</p><noscript>NS</noscript>", "Text\n\nNS"},
		{"hidden preheader", `<div style="display : none">preheader</div><span hidden>x</span><p>Body</p>`, "Body"},
		{"link", `<a href="https://status.visa.com/x">status page</a>`, "status page (https://status.visa.com/x)"},
		{"link equal to text", `<a href="https://visa.com/">visa.com</a>`, "visa.com"},
		{"mailto", `<a href="mailto:help@visa.com?subject=Hi">Email us</a>`, "Email us (help@visa.com)"},
		{"anchor and script links", `<a href="#top">Top</a> <a href="javascript:void(0)">Click</a>`, "Top Click"},
		{"image link", `<a href="https://x.io"><img src="l.png" alt="Logo"></a>`, "Logo (https://x.io)"},
		{"empty link text", `<a href="https://x.io/unsubscribe"></a>`, "https://x.io/unsubscribe"},
		{"unordered list", "<ul><li>one</li><li>two <b>bold</b></li></ul>", "- one\n- two bold"},
		{"ordered list", `<ol start="3"><li>c</li><li>d</li></ol>`, "3. c\n4. d"},
		{"nested list", "<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n\n  - b"},
		{"data table", "<table><tr><th>Old</th><th>New</th></tr><tr><td>v1</td><td>v2</td></tr></table>", "Old | New\nv1 | v2"},
		{"layout table", "<table><tr><td><p>Para 1</p><p>Para 2</p></td><td>Side</td></tr></table>", "Para 1\n\nPara 2\n\nSide"},
		{"blockquote", "<p>Reply</p><blockquote><p>Quoted</p><p>More</p></blockquote>", "Reply\n\n> Quoted\n>\n> More"},
		{"pre", "<pre>  a  b\n    c</pre>", "  a  b\n    c"},
		{"headings", "<h1>Title</h1>text<h2>Sub</h2>", "Title\n\ntext\n\nSub"},
		{"zero width", "A\u200b\u034fB", "AB"},
		{"broken html", "<p>Open <b>bold <i>italic</p> tail", "Open bold italic\n\ntail"},
		{"plain text", "just text", "just text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.html); got != tt.want {
				t.Errorf("HTMLToText(%q) =\n%q\nwant\n%q", tt.html, got, tt.want)
			}
		})
	}
}
