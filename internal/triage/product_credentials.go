package triage

import "regexp"

// productsWithCredentials are the products among names that lower-case
// text (a subject) names the credentials of: "Share API keys",
// "Files Connect credentials", "Partner API tokens".
func productsWithCredentials(lower string, names []string) []string {
	var out []string
	for _, n := range names {
		if countWordWhere(lower, n, productCredentialRE.MatchString) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// productCredentialRE finds credentials right after a product's name.
var productCredentialRE = regexp.MustCompile(`^\s+(?:api\s+)?(?:keys?|credentials?|tokens?|secrets?)\b`)
