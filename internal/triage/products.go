package triage

import (
	"regexp"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// The vendor's products an email or a description names.

// productsNamed are the vendor's products named in lower-case text (a
// subject): its aliases, and the products the descriptions of the
// applications linked to it name after its name ("Acme PolicyDesk"),
// that some but not all of those applications name. The
// vendor's own name, and aliases that are part of it, name the company.
func productsNamed(lower string, v registry.Vendor, ix *appIndex) []string {
	var out []string
	company := strings.ToLower(v.Name)
	names := slices.Clone(v.Aliases)
	products := ix.vendorProducts(v)
	for i, a := range ix.apps {
		if linked(a, v.ID) && a.IsActive {
			names = append(names, products[i]...)
		}
	}
	slices.Sort(names)
	for _, a := range slices.Compact(names) {
		a = strings.ToLower(strings.TrimSpace(a))
		if p, ok := strings.CutPrefix(a, company+" "); ok && len(p) >= minProductName && indexWord(lower, a) < 0 {
			// "One Inc ClaimsPay" is named "ClaimsPay" too.
			a = p
		}
		if a == "" || indexWord(company, a) >= 0 || indexWord(lower, a) < 0 {
			continue
		}
		n, naming := 0, 0
		for i, app := range ix.apps {
			if linked(app, v.ID) && app.IsActive {
				n++
				if indexWord(ix.text[i].lower, a) >= 0 {
					naming++
				}
			}
		}
		if naming > 0 && naming < n {
			out = append(out, a)
		}
	}
	return out
}

// vendorProducts are the vendor's products each application's description
// names, in registry order.
func (ix *appIndex) vendorProducts(v registry.Vendor) [][]string {
	key := v.ID + "\x00" + strings.Join(vendorNames(v), "\x00")
	if p, ok := ix.products.Load(key); ok {
		return p.([][]string)
	}
	out := make([][]string, len(ix.apps))
	for i, a := range ix.apps {
		out[i] = namedProducts(a.Description, v)
	}
	ix.products.Store(key, out)
	return out
}

// minProductName is the shortest product name read without the vendor's
// name before it.
const minProductName = 4

// productsIn are the products of names that lower-case text names.
func productsIn(lower string, names []string) []string {
	var out []string
	plain := lower
	if strings.Contains(lower, "'s ") || strings.Contains(lower, "’s ") {
		// "gaveloft's data api" names the "gaveloft data api".
		plain = possessives.Replace(lower)
	}
	for _, n := range names {
		if indexWord(lower, n) >= 0 || len(plain) != len(lower) && indexWord(plain, n) >= 0 {
			out = append(out, n)
		}
	}
	return out
}

// possessives writes "x's y" as "x y"; possessiveRE is the possessive
// after a name ("Gaveloft's "), up to the space before the next word.
var (
	possessives  = strings.NewReplacer("'s ", " ", "’s ", " ")
	possessiveRE = regexp.MustCompile(`^['’]s `)
)

// namedProducts are the lower-case names of the vendor's products that
// text names: each occurrence of the vendor's name or an alias followed
// by capitalised words ("CCC ONE Estimating", "CCC Secure Share"). An
// occurrence of a bare name counts as none.
func namedProducts(text string, v registry.Vendor) []string {
	var out []string
	lower := strings.ToLower(text)
	sameBytes := len(lower) == len(text)
	for _, n := range vendorNames(v) {
		if strings.Contains(n, ".") || !sameBytes {
			continue // a domain; or text whose case changes its length
		}
		n = strings.ToLower(n)
		for from := 0; from < len(lower); {
			i := indexWord(lower[from:], n)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(n)
			if m := productWordsRE.FindString(text[end:]); m != "" {
				out = append(out, lower[start:end+len(m)])
			} else if p := possessiveRE.FindString(text[end:]); p != "" {
				// "Gaveloft's Data API" is the "Gaveloft Data API".
				if m := productWordsRE.FindString(text[end+len(p)-1:]); m != "" {
					out = append(out, lower[start:end]+strings.ToLower(m))
				}
			}
			from = end
		}
	}
	return out
}

// bareMentions are the places text names the vendor without a product
// after it ("with Worldpay", "confirmed by Pierpay webhooks"), as the
// lower-case text that follows each: what it uses of the vendor then goes
// beyond the products it names.
func bareMentions(text string, v registry.Vendor) []string {
	lower := strings.ToLower(text)
	if len(lower) != len(text) {
		return []string{""} // text whose case changes its length: assume so
	}
	var out []string
	name := strings.ToLower(v.Name)
	for _, n := range vendorNames(v) {
		n = strings.ToLower(n)
		if strings.Contains(n, ".") || strings.HasPrefix(n, name+" ") {
			// A domain; or an alias that is a product named after the
			// vendor ("Pierpay Payments API"), read where the name is.
			continue
		}
		for from := 0; from < len(lower); {
			i := indexWord(lower[from:], n)
			if i < 0 {
				break
			}
			end := from + i + len(n)
			after := text[end:]
			if p := possessiveRE.FindString(after); p != "" {
				after = after[len(p)-1:] // "Gaveloft's Data API"
			}
			if productWordsRE.FindString(after) == "" {
				out = append(out, lower[end:])
			}
			from = end
		}
	}
	return out
}

// usesAffectedPart reports whether a description names the vendor with a
// word after it ("Pierpay webhooks") that the email's lower-case affected
// text names and its unaffected text does not: the application uses the
// part of the vendor the change is about, whatever else it uses.
func usesAffectedPart(desc string, v registry.Vendor, unaffected, affected string) bool {
	for _, after := range bareMentions(desc, v) {
		m := bareNextWordRE.FindStringSubmatch(after)
		if m != nil && !genericProductWords[m[1]] && indexWord(affected, m[1]) >= 0 && indexWord(unaffected, m[1]) < 0 {
			return true
		}
	}
	return false
}

// bareNextWordRE is the word that follows a vendor's name ("webhooks").
var bareNextWordRE = regexp.MustCompile(`^[ \t]+(\p{Ll}[\p{Ll}-]{2,})`)

// productsInWords are the products among names that a description names
// in other words: a clause names the vendor without a product and every
// distinctive word of the product's name ("by SMS through Brunvox" for
// "Brunvox SMS API").
func productsInWords(desc string, v registry.Vendor, names []string) []string {
	if len(names) == 0 {
		return nil
	}
	company := strings.ToLower(v.Name)
	var out []string
	for _, s := range sentences(desc) {
		for _, c := range clauseSepRE.Split(s, -1) {
			lower := strings.ToLower(c)
			if len(bareMentions(c, v)) == 0 {
				continue
			}
			for _, n := range names {
				words := 0
				all := true
				for _, w := range strings.Fields(strings.TrimPrefix(n, company+" ")) {
					if w == company || genericProductWords[w] {
						continue
					}
					words++
					all = all && indexWord(lower, w) >= 0
				}
				if words > 0 && all && !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// vendorNamedProducts are the names among products that start with the
// vendor's name ("pagovo hosted checkout"): products, not the company's
// other names.
func vendorNamedProducts(products []string, v registry.Vendor) []string {
	company := strings.ToLower(v.Name) + " "
	var out []string
	for _, p := range products {
		if strings.HasPrefix(p, company) {
			out = append(out, p)
		}
	}
	return out
}
