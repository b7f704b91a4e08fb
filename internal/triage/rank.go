package triage

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// appIndex ranks applications against an email with BM25 over their names
// and descriptions: a term the email shares with few descriptions counts
// for more than one most descriptions share.
type appIndex struct {
	apps []registry.Application
	desc [][]token // the described terms of each application
	text []appText
	// postings are, for each term, the applications whose name or
	// description uses it, in registry order.
	postings map[string][]posting
	norm     []float64 // each application's BM25 length normalisation
	// products are, for a vendor (productsKey), the vendor's products each
	// application's description names (namedProducts), and the vendor's
	// aliases they name (usedAliases), read once per registry texts and
	// vendor.
	products *sync.Map
}

// posting is one application's use of a term: how often, and the word as
// written, for explanations.
type posting struct {
	at   int
	tf   int
	word string
}

// BM25 parameters: the usual ones.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// sentences splits text at sentence and clause punctuation.
func sentences(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == '.' || r == ';' || r == ':' || r == '!' || r == '?' || r == '\n'
	})
}

// negations start the part of a sentence that says what an application
// does NOT do ("Does not call authorization endpoints").
var negations = setOf(`not never without no nor doesn don isn aren won cannot`)

// describedTerms are the significant terms of a description, leaving out
// those in the negated part of a sentence.
func describedTerms(text string) []token {
	var out []token
	for _, sentence := range sentences(text) {
		negAt := -1
		for i, w := range words(sentence) {
			if negations[w] {
				negAt = i
				break
			}
		}
		for _, t := range terms(sentence) {
			if negAt < 0 || t.pos < negAt {
				out = append(out, t)
			}
		}
	}
	return out
}

var camelRE = regexp.MustCompile(`([a-z0-9])([A-Z])`)

func newAppIndex(apps []registry.Application) *appIndex {
	ix := &appIndex{apps: apps, postings: map[string][]posting{}, products: &sync.Map{}}
	total := 0
	var length []int
	for i, a := range apps {
		name := a.Name + " " + camelRE.ReplaceAllString(a.Name, "$1 $2")
		first := map[string]int{} // stem → its posting's index
		n := 0
		desc := describedTerms(a.Description)
		ix.desc, ix.text = append(ix.desc, desc), append(ix.text, newAppText(a))
		for _, t := range append(terms(name), desc...) {
			if _, ok := first[t.stem]; !ok {
				first[t.stem] = len(ix.postings[t.stem])
				ix.postings[t.stem] = append(ix.postings[t.stem], posting{at: i, word: t.word})
			}
			ix.postings[t.stem][first[t.stem]].tf++
			n++
		}
		length = append(length, n)
		total += n
	}
	avg := 0.0
	if len(apps) > 0 {
		avg = float64(total) / float64(len(apps))
	}
	for _, n := range length {
		ix.norm = append(ix.norm, bm25K1*(1-bm25B+bm25B*float64(n)/math.Max(avg, 1)))
	}
	return ix
}

// appScore is one application's relevance and the words that earned it.
type appScore struct {
	app     registry.Application
	at      int // its index in the registry
	score   float64
	matched []string
}

// rank scores every application against query (stem → weight). The
// terms are read in a fixed order, so that applications with the same
// score always rank in registry order.
func (ix *appIndex) rank(query map[string]float64) []appScore {
	n := float64(len(ix.apps))
	out := make([]appScore, len(ix.apps))
	for i, a := range ix.apps {
		out[i] = appScore{app: a, at: i}
	}
	stems := make([]string, 0, len(query))
	for stem := range query {
		if len(ix.postings[stem]) > 0 {
			stems = append(stems, stem)
		}
	}
	sort.Strings(stems)
	for _, stem := range stems {
		w, ps := query[stem], ix.postings[stem]
		df := float64(len(ps))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for _, p := range ps {
			tf := float64(p.tf)
			s := &out[p.at]
			s.score += w * idf * tf * (bm25K1 + 1) / (tf + ix.norm[p.at])
			s.matched = append(s.matched, p.word)
		}
	}
	for i := range out {
		sort.Strings(out[i].matched)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// emailQuery is what an email is about: its significant terms, subject
// terms weighing double, vendor names left out (they say who, not what).
func emailQuery(e Email, skip map[string]bool) map[string]float64 {
	q := map[string]float64{}
	for _, t := range terms(e.Body) {
		if !skip[t.stem] {
			q[t.stem] = 1
		}
	}
	for _, t := range terms(e.Subject) {
		if !skip[t.stem] {
			q[t.stem] = 2
		}
	}
	return q
}

// ruleMatch is a rule that applies to an email and the evidence.
type ruleMatch struct {
	rule    registry.Rule
	matched []string
	apps    []registry.Application // applications the rule names
}

// ruleStopwords are words of rule text that describe the rule's outcome,
// not the change it is about.
var ruleStopwords = setOf(`critical high medium low severity sla owner owners alert channel rule rules`)

// registryDF counts, for each term, the rule texts and application
// descriptions of the registry that use it: a term most of them use says
// little about which rule an email is about.
type registryDF struct {
	df map[string]int
	n  int
}

func newRegistryDF(snap registry.Snapshot, ix *appIndex) registryDF {
	r := registryDF{df: map[string]int{}}
	for _, desc := range ix.desc {
		seen := map[string]bool{}
		for _, t := range desc {
			seen[t.stem] = true
		}
		for s := range seen {
			r.df[s]++
		}
		r.n++
	}
	for _, rule := range snap.Rules {
		for s := range termSet(rule.Name + ". " + rule.Text) {
			r.df[s]++
		}
		r.n++
	}
	return r
}

// distinctive reports whether a term is used by at most an eighth of the
// registry's texts (at least 2).
func (r registryDF) distinctive(stem string) bool {
	return r.df[stem] <= max(3, r.n/8)
}

// minRuleTerms is how many distinctive key terms of a rule an email must
// share for the rule to apply.
const minRuleTerms = 2

// matchRules finds the active rules that apply: the rule's vendor (or the
// vendors its text names, for a rule about any vendor) includes the email's
// vendor, and at least minRuleTerms of the rule's distinctive key terms
// occur in the email. Shared common words ("card", "endpoint") are listed
// as evidence but do not make a match on their own.
// productsInRuleWords are the products (lower case) whose name without the
// vendor's, two words at least and not all generic, a rule of the vendor
// names, in the plural too: "Sendola Mail API" in "changes to the SMS or
// Mail APIs".
func productsInRuleWords(rule string, products []string, v registry.Vendor) []string {
	var out []string
	name := strings.ToLower(v.Name) + " "
	for _, p := range products {
		rest, ok := strings.CutPrefix(p, name)
		words := strings.Fields(rest)
		if !ok || len(words) < 2 || !slices.ContainsFunc(words, func(w string) bool { return !genericProductWords[w] }) {
			continue
		}
		if indexWord(rule, rest) >= 0 || indexWord(rule, rest+"s") >= 0 {
			out = append(out, p)
		}
	}
	return out
}

func matchRules(snap registry.Snapshot, df registryDF, vendor registry.Vendor, emailTerms map[string]string, skip map[string]bool, products []string) []ruleMatch {
	var out []ruleMatch
	for _, r := range snap.Rules {
		if !ruleAppliesTo(r, vendor, snap) {
			continue
		}
		var matched []string
		distinct := 0
		if r.VendorID == vendor.ID {
			// The rule names one of its vendor's products the email is
			// about ("changes to … Customer Identity are critical").
			if p := productsIn(strings.ToLower(r.Text), products); len(p) > 0 {
				matched, distinct = append(matched, p...), minRuleTerms
			} else if p := productsInRuleWords(strings.ToLower(r.Text), products, vendor); len(p) > 0 {
				matched, distinct = append(matched, p...), minRuleTerms
			}
		}
		for stem := range termSet(r.Name + ". " + ruleTopic(r.Text)) {
			if skip[stem] || ruleStopwords[stem] {
				continue
			}
			if w, ok := emailTerms[stem]; ok {
				matched = append(matched, w)
				if df.distinctive(stem) {
					distinct++
				}
			}
		}
		if distinct < minRuleTerms {
			continue
		}
		sort.Strings(matched)
		m := ruleMatch{rule: r, matched: matched}
		for _, a := range snap.Applications {
			if containsWord(r.Text, a.Name) {
				m.apps = append(m.apps, a)
			}
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rule.Severity.Rank() > out[j].rule.Severity.Rank() })
	return out
}

// outcomeRE finds the clause of a rule's text that says whom a change is
// for: "… is critical for biomedical engineering."
var outcomeRE = regexp.MustCompile(`(?i)\b(?:is|are)\s+(?:critical|high|medium|low)\s+for\b[^.:;]*`)

// ruleTopic is a rule's text without the clauses that say whom a change
// is for: the words of the team or applications it is for are not the
// change's and do not make a match.
func ruleTopic(text string) string { return outcomeRE.ReplaceAllString(text, " ") }

// ruleAppliesTo reports whether a rule can be about the vendor's email.
func ruleAppliesTo(r registry.Rule, vendor registry.Vendor, snap registry.Snapshot) bool {
	if r.VendorID != "" {
		return r.VendorID == vendor.ID
	}
	named := false
	for _, v := range snap.Vendors {
		if containsWord(r.Text, v.Name) {
			named = true
			if v.ID == vendor.ID {
				return true
			}
		}
	}
	return !named
}

func names(apps []registry.Application) string {
	out := make([]string, len(apps))
	for i, a := range apps {
		out[i] = a.Name
	}
	return strings.Join(out, ", ")
}
