package triage

import (
	"regexp"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// variantUnaffected reports whether every mention of the vendor in an
// application's description names a variant of what it uses in words
// that are not a product's name (the lower-case words after the vendor's
// name up to the end of the clause, "the Crashwren desktop SDK") that the email says is not affected ("The Android and
// desktop SDKs are not affected"). At least one of those words must be
// other than generic, so that "the Crashwren SDK" is not left out by
// "the desktop SDK is not affected".
func variantUnaffected(desc string, v registry.Vendor, unaffected string) bool {
	if unaffected == "" {
		return false
	}
	lower := strings.ToLower(desc)
	if len(lower) != len(desc) {
		return false
	}
	found := false
	for _, n := range lowerNames(v) {
		for from := 0; from < len(lower); {
			i := indexWord(lower[from:], n)
			if i < 0 {
				break
			}
			end := from + i + len(n)
			from = end
			variant := variantWordsRE.FindString(desc[end:])
			if t := strings.TrimSpace(variant); t == "" || t[:1] != strings.ToLower(t[:1]) {
				// A capitalised product ("Verisk XactAnalysis") is
				// usesOnlyUnaffected's to judge.
				return false
			}
			if !variantNamedIn(strings.Fields(strings.ToLower(variant)), unaffected) {
				return false
			}
			found = true
		}
	}
	return found
}

// variantWordsRE is up to three words after a vendor's name, before the
// end of the clause.
var variantWordsRE = regexp.MustCompile(`^(?:[ \t]+[\p{L}\d][\p{L}\d-]*){1,3}`)

// variantNamedIn reports whether each word (singular or plural) appears
// in lower-case unaffected text and one of them is not generic.
func variantNamedIn(words []string, unaffected string) bool {
	specific := false
	for _, w := range words {
		w = strings.TrimSuffix(w, "s")
		if indexWord(unaffected, w) < 0 && indexWord(unaffected, w+"s") < 0 {
			return false
		}
		if !genericProductWords[w] && !genericVariantWords[w] {
			specific = true
		}
	}
	return specific
}

// genericVariantWords name what any product of a vendor may be.
var genericVariantWords = map[string]bool{"sdk": true, "library": true, "plugin": true, "client": true, "agent": true, "the": true}
