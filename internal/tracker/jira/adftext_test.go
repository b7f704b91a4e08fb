package jira

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/tracker"
)

// TestADFDescriptionAsMarkdown reads Atlassian documents shaped as the
// Atlassian Document Format reference shows its nodes and marks.
func TestADFDescriptionAsMarkdown(t *testing.T) {
	cases := map[string]struct{ doc, want string }{
		"paragraphs and hard break": {`{"version":1,"type":"doc","content":[
			{"type":"paragraph","content":[{"type":"text","text":"Hello "},{"type":"text","text":"world","marks":[{"type":"strong"}]}]},
			{"type":"paragraph","content":[{"type":"text","text":"line one"},{"type":"hardBreak"},{"type":"text","text":"line two"}]}]}`,
			"Hello **world**\n\nline one\nline two"},
		"headings": {`{"version":1,"type":"doc","content":[
			{"type":"heading","attrs":{"level":1},"content":[{"type":"text","text":"Title"}]},
			{"type":"heading","attrs":{"level":3},"content":[{"type":"text","text":"Sub"}]},
			{"type":"rule"}]}`,
			"# Title\n\n### Sub\n\n---"},
		"nested lists": {`{"version":1,"type":"doc","content":[
			{"type":"bulletList","content":[
				{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"foo"}]}]},
				{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"bar"}]},
					{"type":"orderedList","attrs":{"order":3},"content":[
						{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"three"}]}]},
						{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"four"}]}]}]}]}]}]}`,
			"- foo\n- bar\n  3. three\n  4. four"},
		"code": {`{"version":1,"type":"doc","content":[
			{"type":"codeBlock","attrs":{"language":"javascript"},"content":[{"type":"text","text":"var foo = {};\nvar bar = [];"}]},
			{"type":"paragraph","content":[{"type":"text","text":"run "},{"type":"text","text":"make","marks":[{"type":"code"}]}]}]}`,
			"```javascript\nvar foo = {};\nvar bar = [];\n```\n\nrun `make`"},
		"links and marks": {`{"version":1,"type":"doc","content":[
			{"type":"paragraph","content":[{"type":"text","text":"Hello "},
				{"type":"text","text":"world","marks":[{"type":"link","attrs":{"href":"http://atlassian.com","title":"Atlassian"}}]},
				{"type":"text","text":" "},{"type":"text","text":"old","marks":[{"type":"strike"}]},
				{"type":"text","text":" "},{"type":"text","text":"new","marks":[{"type":"em"}]}]},
			{"type":"paragraph","content":[{"type":"inlineCard","attrs":{"url":"https://atlassian.com"}}]}]}`,
			"Hello [world](http://atlassian.com) ~~old~~ *new*\n\nhttps://atlassian.com"},
		"mentions, emoji, status and date": {`{"version":1,"type":"doc","content":[
			{"type":"paragraph","content":[
				{"type":"mention","attrs":{"id":"ABCDE-ABCDE-ABCDE-ABCDE","text":"@Bradley Ayers","userType":"APP"}},
				{"type":"text","text":" "},
				{"type":"mention","attrs":{"id":"557058:1234","text":"Alice"}},
				{"type":"text","text":" "},
				{"type":"emoji","attrs":{"shortName":":grinning:","text":"😀"}},
				{"type":"text","text":" "},
				{"type":"status","attrs":{"localId":"abcdef12-abcd-abcd-abcd-abcdef123456","text":"In Progress","color":"yellow"}},
				{"type":"text","text":" due "},
				{"type":"date","attrs":{"timestamp":"1582152559000"}}]}]}`,
			"@Bradley Ayers @Alice 😀 In Progress due 2020-02-19"},
		"quote, panel and media": {`{"version":1,"type":"doc","content":[
			{"type":"blockquote","content":[{"type":"paragraph","content":[{"type":"text","text":"Hello world"}]},
				{"type":"paragraph","content":[{"type":"text","text":"again"}]}]},
			{"type":"panel","attrs":{"panelType":"info"},"content":[{"type":"paragraph","content":[{"type":"text","text":"Note this"}]}]},
			{"type":"mediaSingle","attrs":{"layout":"center"},"content":[{"type":"media","attrs":{"id":"4478e39c","type":"file","collection":"MediaServicesSample"}}]}]}`,
			"> Hello world\n>\n> again\n\nNote this"},
		"table": {`{"version":1,"type":"doc","content":[{"type":"table","attrs":{"isNumberColumnEnabled":false,"layout":"default"},"content":[
			{"type":"tableRow","content":[{"type":"tableHeader","attrs":{},"content":[{"type":"paragraph","content":[{"type":"text","text":"App"}]}]},
				{"type":"tableHeader","attrs":{},"content":[{"type":"paragraph","content":[{"type":"text","text":"State"}]}]}]},
			{"type":"tableRow","content":[{"type":"tableCell","attrs":{},"content":[{"type":"paragraph","content":[{"type":"text","text":"Pay"}]}]},
				{"type":"tableCell","attrs":{},"content":[{"type":"paragraph","content":[{"type":"text","text":"a|b"}]}]}]}]}]}`,
			"| App | State |\n| --- | --- |\n| Pay | a\\|b |"},
		"empty document": {`{"version":1,"type":"doc","content":[]}`, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, descriptionText(json.RawMessage(tc.doc))); diff != "" {
				t.Errorf("markdown (-want +got):\n%s", diff)
			}
		})
	}
	for raw, want := range map[string]string{`"h1. Wiki *text*"`: "h1. Wiki *text*", `null`: "", `42`: "", `{"type":"paragraph"}`: ""} {
		if got := descriptionText(json.RawMessage(raw)); got != want {
			t.Errorf("descriptionText(%s) = %q, want %q", raw, got, want)
		}
	}
}

// TestADFBodyRoundTrip: a body pushed to Jira Cloud (as the description
// UpdateFields sends) reads back as the same body.
func TestADFBodyRoundTrip(t *testing.T) {
	c := &Client{flavor: Cloud}
	for _, body := range []string{
		"New body",
		"New *body* with **markdown** and [a link](https://x.example)",
		"first\r\n\r\nsecond line  \r\nthird\ttabbed",
		"  # not a heading in ADF\n- nor a list\n\n\n```\ncode\n```  ",
		"control\x07character",
	} {
		data, err := json.Marshal(c.description(body))
		if err != nil {
			t.Fatal(err)
		}
		got := descriptionText(data)
		if !tracker.SameBody(got, body) {
			t.Errorf("body %q read back as %q", body, got)
		}
	}
}
