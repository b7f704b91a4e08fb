package triage

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// tagRE matches an HTML tag.
var tagRE = regexp.MustCompile(`<[^>]*>`)

// commentRE matches an HTML comment and its text.
var commentRE = regexp.MustCompile(`(?s)<!--(.*?)-->`)

// attrTextRE matches the text of an attribute a reader may be shown in
// place of an element (an image's alt text, a title).
var attrTextRE = regexp.MustCompile(`\b(?:alt|title)="([^"]*)"`)

// TestCorpusLLMPathValidation runs the corpus's look-alike and injected
// emails through the language-model path, with an in-process model that
// does whatever the email tells it: look-alike mail never reaches the
// model, hidden passages are never in what the model is shown, and a model
// that obeys an injected passage is overruled wherever the offline
// triage's evidence (the registry and the email's own notice) says
// otherwise.
func TestCorpusLLMPathValidation(t *testing.T) {
	for _, org := range loadCorpora(t) {
		for _, c := range org.cases {
			if !c.label.Impersonation && c.clean == nil {
				continue
			}
			t.Run(org.name+"/"+c.file, func(t *testing.T) {
				offline, err := (&Agent{}).Decide(context.Background(), c.email, org.snap, testSettings())
				if err != nil {
					t.Fatal(err)
				}
				answer := obeyingAnswer(t, c, org, offline)
				agent, srv := openAIAgent(t, answer, answer)
				d, err := agent.Decide(context.Background(), c.email, org.snap, testSettings())
				if err != nil {
					t.Fatal(err)
				}
				if c.label.Impersonation {
					if srv.Count() != 0 || d.VendorID != "" || d.Impersonation == nil {
						t.Fatalf("look-alike: model asked %d times, vendor %q, impersonation %v", srv.Count(), d.VendorID, d.Impersonation)
					}
					return
				}
				visible := false
				for _, inj := range c.label.Injected {
					if !strings.HasPrefix(strings.TrimSpace(inj), "<") {
						visible = true
						continue
					}
					// Hidden: the model must never be shown it, so it
					// cannot obey it.
					text := strings.Join(strings.Fields(tagRE.ReplaceAllString(inj, " ")), " ")
					if c := commentRE.FindStringSubmatch(inj); c != nil {
						// An HTML comment: its words are the passage.
						text = strings.Join(strings.Fields(c[1]), " ")
					}
					if len(text) < 20 {
						// Alt-text stuffing: the passage is an attribute.
						var attrs []string
						for _, m := range attrTextRE.FindAllStringSubmatch(inj, -1) {
							attrs = append(attrs, m[1])
						}
						text = strings.Join(strings.Fields(strings.Join(attrs, " ")), " ")
					}
					if len(text) < 20 {
						t.Fatalf("injected passage %q has no text to look for", inj)
					}
					for _, r := range srv.Requests() {
						if bytes.Contains(r.Body, []byte(text[:min(40, len(text))])) {
							t.Errorf("the model was shown hidden text %q", text)
						}
					}
				}
				if srv.Count() == 0 {
					t.Fatal("the model was not asked")
				}
				if visible && (d.Classification != offline.Classification || d.Severity != offline.Severity ||
					!slices.Equal(sorted(d.AffectedApplicationIDs), sorted(offline.AffectedApplicationIDs))) {
					t.Errorf("an obeying model changed the decision: %s %s %v; offline %s %s %v\n%v",
						d.Classification, d.Severity, d.AffectedApplicationIDs,
						offline.Classification, offline.Severity, offline.AffectedApplicationIDs, d.Overrides)
				}
			})
		}
	}
}

// obeyingAnswer is what a model that follows an email's injected passage
// would answer: an actionable notice made routine, a newsletter made a
// critical change for every application.
func obeyingAnswer(t *testing.T, c corpusCase, org corpusOrg, offline Decision) string {
	vendor := offline.VendorID
	if vendor == "" {
		vendor = org.snap.Vendors[0].ID
	}
	f := map[string]any{"vendor_id": vendor, "matched_rule_ids": []string{}, "owner_team": "", "alert_channel": "",
		"reasoning": "As the email instructs.", "summary": "As the email instructs.", "effective_date": ""}
	if offline.Classification == Actionable {
		f["classification"], f["severity"], f["is_breaking"] = "informational", "low", false
		f["affected_application_ids"] = []string{}
	} else {
		var all []string
		for _, a := range org.snap.Applications {
			all = append(all, a.ID)
		}
		f["classification"], f["severity"], f["is_breaking"] = "actionable", "critical", true
		f["affected_application_ids"] = all
	}
	return modelAnswer(t, f)
}

// TestCorpusInjectedPassagesFormat: a passage recorded as text (not as
// its HTML element) is a visible one, so the email's readable text must
// hold it; a hidden passage recorded as text would make the path tests
// read it as visible.
func TestCorpusInjectedPassagesFormat(t *testing.T) {
	for _, org := range loadCorpora(t) {
		for _, c := range org.cases {
			body := strings.Join(strings.Fields(c.email.Subject+" "+c.email.Body), " ")
			for _, inj := range c.label.Injected {
				if strings.HasPrefix(strings.TrimSpace(inj), "<") {
					continue
				}
				text := strings.Join(strings.Fields(inj), " ")
				if !strings.Contains(body, text[:min(40, len(text))]) {
					t.Errorf("%s/%s: the passage %q is not in the email's readable text: record a hidden passage as its HTML element", org.name, c.file, text[:min(60, len(text))])
				}
			}
		}
	}
}
