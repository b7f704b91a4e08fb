package triage

import (
	"regexp"
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
	return signInCertRE.MatchString(lower) || signInScopeRE.MatchString(lower)
}

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
