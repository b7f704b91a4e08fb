package contract

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Confidence of each kind of evidence: an exact supplier part number is
// how the ERP itself links the vendor's item, so it is nearly certain; a
// part number equal only once punctuation, leading zeros and a vendor
// prefix are dropped is likely; a description alone is at best a hint.
const (
	scoreSupplierPart   = 0.99
	scoreItemNumber     = 0.95
	scoreNormalizedPart = 0.85
	scoreNormalizedItem = 0.8
	scoreDescriptionMax = 0.7
	// descriptionBonus is what a matching description adds to a part
	// number match.
	descriptionBonus = 0.05
	unitPenalty      = 0.15
	inactivePenalty  = 0.05
	// maxSuggestions is how many suggestions a vendor item gets.
	maxSuggestions = 5
	// commonWord is the document frequency above which a word is too
	// common to find candidates by (it still counts in the similarity).
	commonWord = 2000
)

// Matcher finds ERP items for vendor items; built once per catalog and
// read by many vendor items.
type Matcher struct {
	items   []CatalogItem
	exact   map[string][]int // upper-cased supplier part number
	number  map[string][]int // upper-cased item number
	norm    map[string][]int // normalized part or item number
	words   map[string][]int // description word → items
	itemTok [][]string
}

// NewMatcher indexes a catalog.
func NewMatcher(items []CatalogItem) *Matcher {
	m := &Matcher{items: items, exact: map[string][]int{}, number: map[string][]int{}, norm: map[string][]int{},
		words: map[string][]int{}, itemTok: make([][]string, len(items))}
	for i, it := range items {
		m.number[upper(it.Number)] = append(m.number[upper(it.Number)], i)
		// The ERP side is only normalized, never stripped: a prefix
		// there is part of the item's own number ("NUT-300" is not "300").
		seen := map[string]bool{normalizedKey(it.Number): true}
		for _, p := range it.Parts {
			m.exact[upper(p)] = append(m.exact[upper(p)], i)
			seen[normalizedKey(p)] = true
		}
		delete(seen, "")
		for k := range seen {
			m.norm[k] = append(m.norm[k], i)
		}
		m.itemTok[i] = words(it.Description)
		for _, w := range m.itemTok[i] {
			m.words[w] = append(m.words[w], i)
		}
	}
	return m
}

// Suggest ranks the catalog's items for a vendor item, best first;
// prefixes are vendor prefixes to strip from part numbers ("ACME" of
// "ACME-0042"), rejected the ERP item ids a person turned down for it.
func (m *Matcher) Suggest(v VendorItem, prefixes []string, rejected map[string]bool) []Suggestion {
	cand := map[int]*candidate{}
	get := func(i int) *candidate {
		c := cand[i]
		if c == nil {
			c = &candidate{}
			cand[i] = c
		}
		return c
	}
	for _, i := range m.exact[upper(v.ItemNumber)] {
		get(i).part(scoreSupplierPart, MatchEvidence{Kind: "supplier_part", Detail: "the ERP lists " + v.ItemNumber + " as a supplier part number of this item", Score: scoreSupplierPart})
	}
	for _, i := range m.number[upper(v.ItemNumber)] {
		get(i).part(scoreItemNumber, MatchEvidence{Kind: "item_number", Detail: "the ERP item number is " + v.ItemNumber, Score: scoreItemNumber})
	}
	for _, k := range normalizedKeys(v.ItemNumber, prefixes) {
		for _, i := range m.norm[k] {
			c := get(i)
			if c.partScore >= scoreNormalizedPart {
				continue
			}
			s, what := scoreNormalizedItem, "item number"
			if slices.ContainsFunc(m.items[i].Parts, func(p string) bool { return normalizedKey(p) == k }) {
				s, what = scoreNormalizedPart, "supplier part number"
			}
			c.part(s, MatchEvidence{Kind: "normalized_part", Detail: "the " + what + " equals " + k +
				" without punctuation, leading zeros or vendor prefix", Score: s})
		}
	}
	vw := words(v.Description)
	counts := map[int]int{}
	for _, w := range vw {
		if ids := m.words[w]; len(ids) <= commonWord {
			for _, i := range ids {
				counts[i]++
			}
		}
	}
	for i := range counts {
		if sim := dice(vw, m.itemTok[i]); sim >= 0.3 {
			get(i).desc = sim
		}
	}
	out := make([]Suggestion, 0, len(cand))
	for i, c := range cand {
		it := m.items[i]
		if rejected[it.ID] {
			continue
		}
		out = append(out, m.score(it, v, c))
	}
	slices.SortFunc(out, func(a, b Suggestion) int {
		if a.Confidence != b.Confidence {
			if a.Confidence > b.Confidence {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ERPItemNumber, b.ERPItemNumber)
	})
	return out[:min(len(out), maxSuggestions)]
}

// Score is the suggestion one ERP item makes for a vendor item, as when a
// person maps it by hand: how confident, and why.
func (m *Matcher) Score(it CatalogItem, v VendorItem, prefixes []string) Suggestion {
	sub := NewMatcher([]CatalogItem{it})
	if s := sub.Suggest(v, prefixes, nil); len(s) == 1 {
		return s[0]
	}
	return m.score(it, v, &candidate{})
}

type candidate struct {
	partScore float64
	desc      float64
	evidence  []MatchEvidence
}

func (c *candidate) part(s float64, e MatchEvidence) {
	c.partScore = max(c.partScore, s)
	c.evidence = append(c.evidence, e)
}

func (m *Matcher) score(it CatalogItem, v VendorItem, c *candidate) Suggestion {
	ev := slices.Clone(c.evidence)
	conf := c.partScore
	if c.desc > 0 {
		d := round2(c.desc * scoreDescriptionMax)
		ev = append(ev, MatchEvidence{Kind: "description", Detail: "descriptions share words (similarity " + pct(c.desc) + ")", Score: d})
		if conf > 0 {
			conf += descriptionBonus * c.desc
		} else {
			conf = d
		}
	}
	erpUOM := it.BaseUOM
	if f, ok := unitFactor(it, v.UOM); ok {
		erpUOM = v.UOM
		detail := "the item is sold in " + v.UOM
		if !f.Equal(one) {
			detail += " (1 " + v.UOM + " = " + f.String() + " " + it.BaseUOM + ")"
		}
		ev = append(ev, MatchEvidence{Kind: "unit", Detail: detail, Score: 0})
	} else {
		conf -= unitPenalty
		ev = append(ev, MatchEvidence{Kind: "unit", Detail: "the ERP has no conversion for " + v.UOM + " on this item", Score: -unitPenalty})
	}
	if !it.Active {
		conf -= inactivePenalty
		ev = append(ev, MatchEvidence{Kind: "inactive", Detail: "the item is inactive in the ERP", Score: -inactivePenalty})
	}
	return Suggestion{ERPItemID: it.ID, ERPItemNumber: it.Number, Description: it.Description, ERPUOM: erpUOM,
		Active: it.Active, Confidence: round2(min(1, max(0, conf))), Evidence: ev}
}

// normalizedKey is a part number in upper-case letters and digits
// without leading zeros.
func normalizedKey(s string) string {
	if k := strings.TrimLeft(alnum(s), "0"); len(k) >= 2 {
		return k
	}
	return ""
}

// normalizedKeys are the forms of a part number that still name the same
// part: upper-case letters and digits only, without leading zeros, and
// without a vendor prefix (a known one, or letters before a separator).
func normalizedKeys(s string, prefixes []string) []string {
	var keys []string
	add := func(k string) {
		if k = normalizedKey(k); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	full := alnum(s)
	add(full)
	t := strings.TrimSpace(s)
	if i := strings.IndexAny(t, "-_ ./:"); i > 0 && i <= 5 && isLetters(t[:i]) {
		add(alnum(t[i+1:]))
	}
	for _, p := range prefixes {
		if p = alnum(p); p != "" && strings.HasPrefix(full, p) && len(full) > len(p) {
			add(full[len(p):])
		}
	}
	return keys
}

func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToUpper(r)
		}
		return -1
	}, s)
}

func isLetters(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}

func upper(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// words are a description's distinct words of two or more letters or
// digits, upper-cased.
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) >= 2 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// dice is the Sørensen–Dice similarity of two word sets.
func dice(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for _, w := range a {
		if slices.Contains(b, w) {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }
