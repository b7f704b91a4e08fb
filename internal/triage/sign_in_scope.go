package triage

import (
	"regexp"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// signInScopeRE finds a change to what an application may ask for when
// its users sign in with the vendor: the OAuth scopes it requests, the
// redirect URIs it may send users back to ("the profile.read OAuth scope
// is split in two; requests for it are refused with invalid_scope").
// Such a change reaches every application whose users sign in with the
// vendor, as a change to its sign-in certificates does.
var signInScopeRE = regexp.MustCompile(`(?i)\boauth\s+scopes?\b|\binvalid_scope\b|\bredirect\s+uris?\b`)

// changesSignIn reports whether lower-case email text is about the
// certificates sign-ins are signed with or the scopes they ask for.
func changesSignIn(lower string) bool {
	return signInCertRE.MatchString(lower) || signInScopeRE.MatchString(lower) ||
		signInFlowRE.MatchString(lower) && (strings.Contains(lower, "openid") || strings.Contains(lower, "oidc") || strings.Contains(lower, "saml"))
}

// signInFlowRE finds a change to how applications sign in over OpenID
// Connect or SAML: "PKCE becomes mandatory", "the implicit flow is
// switched off", redirect URIs, ID token signing algorithms. Every
// application that signs in that way must follow it.
var signInFlowRE = regexp.MustCompile(`(?i)\b(?:pkce|implicit\s+(?:flow|grant)|authori[sz]ation\s+code\s+flow|redirect\s+uris?|reply\s+urls?|id\s+tokens?\s+(?:signing|signed)|signing\s+algorithms?)\b`)

// scopeOfOtherProduct reports whether a change to sign-in scopes (not to
// sign-in certificates) names one of the vendor's products (its aliases)
// that the sentence of a description saying how it signs in does not: a
// change to the scopes of the vendor's player accounts leaves the staff
// sign-on on its workforce product alone.
func scopeOfOtherProduct(lower, sentence string, v registry.Vendor) bool {
	if signInCertRE.MatchString(lower) {
		return false
	}
	named := false
	for _, a := range v.Aliases {
		a = strings.ToLower(a)
		if indexWord(lower, a) < 0 {
			continue
		}
		if indexWord(sentence, a) >= 0 {
			return false
		}
		named = true
	}
	return named
}

// usedAliases are the vendor's aliases (lower case) that the description
// of an active application names: the vendor's products the organisation
// uses, told from its company names ("Tidemark Security AS"). They are
// read once per registry index and vendor.
func usedAliases(ix *appIndex, v registry.Vendor) []string {
	key := "aliases\x00" + v.ID + "\x00" + strings.Join(v.Aliases, "\x00")
	if p, ok := ix.products.Load(key); ok {
		return p.([]string)
	}
	out := readUsedAliases(ix, v)
	ix.products.Store(key, out)
	return out
}

// readUsedAliases is usedAliases without the index's copy.
func readUsedAliases(ix *appIndex, v registry.Vendor) []string {
	var out []string
	for _, a := range v.Aliases {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" || a == strings.ToLower(v.Name) {
			continue
		}
		for i, app := range ix.apps {
			if app.IsActive && indexWord(ix.text[i].lower, a) >= 0 {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// signsInWithOtherProduct reports whether a lower-case description says
// its users sign in with one of the vendor's products (used, from
// usedAliases) while lower-case email text names others of them and
// none it names: a change to the workforce sign-on ("Tidemark Workforce
// Identity", its Authenticator app) does not reach the haulier accounts
// held in "Tidemark Customer Identity".
func signsInWithOtherProduct(desc string, used []string, lower string) bool {
	inEmail := productsIn(lower, used)
	if len(inEmail) == 0 || len(productsIn(desc, inEmail)) > 0 {
		return false
	}
	for _, m := range signInVerbRE.FindAllStringIndex(desc, -1) {
		// What they sign in with follows the verb in the same clause:
		// "hauliers sign in with accounts held in Tidemark Customer
		// Identity".
		clause := desc[m[1]:min(len(desc), m[1]+80)]
		if i := strings.IndexAny(clause, ".;"); i >= 0 {
			clause = clause[:i]
		}
		if len(productsIn(clause, used)) > 0 {
			return true
		}
	}
	return false
}

// signInVerbRE finds the words that say users sign in, or take their
// tokens from what follows.
var signInVerbRE = regexp.MustCompile(`(?i)\b(?:sign(?:s|ed|ing)?[- ]?in|log(?:s|ged|ging)?[- ]?(?:in|on)|tokens?\s+(?:from|issued\s+by)|authenticat(?:es?|ed|ing)\s+(?:with|through|against))\b`)

// productPhrases are the names of the vendor's products the organisation
// uses (usedAliases), also without the vendor's name before them when
// two words or more remain ("customer identity").
func productPhrases(ix *appIndex, v registry.Vendor) []string {
	used := usedAliases(ix, v)
	out := slices.Clone(used)
	for _, a := range used {
		if p, ok := strings.CutPrefix(a, strings.ToLower(v.Name)+" "); ok && len(strings.Fields(p)) >= 2 {
			out = append(out, p)
		}
	}
	return out
}
