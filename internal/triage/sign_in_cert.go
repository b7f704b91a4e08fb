package triage

import (
	"regexp"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// signInCertRE finds a change to the certificates an identity provider
// signs sign-ins with: "the SAML signing certificates of 6 SSO
// applications expire", "IdP certificate rotation".
var signInCertRE = regexp.MustCompile(`(?i)\b(?:saml|sso|idp|single sign-on|identity provider)\b(?:\s+\S+){0,3}?\s+(?:signing\s+)?certificates?\b|\bsigning\s+certificates?\b(?:\s+\S+){0,6}?\s+(?:saml|sso|single sign-on)\b`)

// signInRE finds words about signing in.
var signInRE = regexp.MustCompile(`(?i)\b(?:sign(?:s|ed|ing)?[- ]?in|log(?:s|ged|ging)?[- ]?in|sso|single sign-on|saml|oidc|openid)\b`)

// protocols are the sign-in protocols a text names.
type protocols struct{ saml, oidc bool }

func protocolsIn(lower string) protocols {
	return protocols{saml: strings.Contains(lower, "saml"),
		oidc: strings.Contains(lower, "oidc") || strings.Contains(lower, "openid")}
}

// excludes reports whether a sign-in over q is left alone by a change
// that names only the other protocol.
func (p protocols) excludes(q protocols) bool {
	return p.saml && !p.oidc && q.oidc && !q.saml || p.oidc && !p.saml && q.saml && !q.oidc
}

// protocolLeftAlone reports whether an email names both sign-in
// protocols but what it says is affected (affected, its lower-case text
// without what it says is not) names only one: "client secrets of OpenID
// Connect applications were exposed; SAML signing keys were not
// accessed" leaves sign-ins over SAML alone.
func protocolLeftAlone(affected, whole string) bool {
	all, p := protocolsIn(whole), protocolsIn(affected)
	return all.saml && all.oidc && p.saml != p.oidc
}

// signInSentence is the sentence of a lower-case description that says
// its sign-in goes through one of names.
func signInSentence(lower string, names ...string) (string, bool) {
	for _, s := range splitSentences(lower) {
		if !signInRE.MatchString(s) {
			continue
		}
		for _, n := range names {
			if indexWord(s, strings.ToLower(n)) >= 0 {
				return s, true
			}
		}
	}
	return "", false
}

// signInCertReach are the applications a change to the vendor's sign-in
// certificates or scopes (changesSignIn) reaches: those that sign in through the vendor, and those
// that sign in through one of them, over the protocol the email names.
// An application that skip reports (one of another tenant) is no start.
func signInCertReach(ix *appIndex, v registry.Vendor, lower string, skip func(registry.Application) bool) []dependent {
	if !changesSignIn(lower) {
		return nil
	}
	proto := protocolsIn(lower)
	seed := map[string]bool{}
	var out []dependent
	for i, a := range ix.apps {
		if !a.IsActive || !linked(a, v.ID) && !ix.text[i].mentions(v) || skip(a) {
			continue
		}
		s, ok := signInSentence(ix.text[i].lower, vendorNames(v)...)
		if !ok || proto.excludes(protocolsIn(s)) || scopeOfOtherProduct(lower, s, v) {
			continue
		}
		seed[a.ID] = true
		out = append(out, dependent{app: a, via: v.Name})
	}
	if len(seed) == 0 {
		return nil
	}
	byID := map[string]int{}
	for i, a := range ix.apps {
		byID[a.ID] = i
	}
	for _, d := range reachedThrough(ix, seed) {
		if s, ok := signInSentence(ix.text[byID[d.app.ID]].lower, d.via); ok && !proto.excludes(protocolsIn(s)) {
			out = append(out, d)
		}
	}
	return out
}

// signsInOverOther reports whether the sentence of a lower-case
// description that says it signs in through via names only a sign-in
// protocol other than the one lower-case email text names alone: a
// change to the SAML signing certificate does not reach "sign in with
// CampusSSO through OpenID Connect".
func signsInOverOther(desc, via, email string) bool {
	s, ok := signInSentence(desc, via)
	return ok && protocolsIn(email).excludes(protocolsIn(s))
}
