package triage

import (
	"regexp"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// minIntegrationTerms is how many distinctive terms the sentences of a
// description that name the vendor must share with the email.
const minIntegrationTerms = 2

// integrationTerms are the distinctive terms an email shares with the
// sentences of an application's description that name the vendor. An
// application linked to other vendors that says how it uses this one
// token") is affected when the email is about that use; words the email
// shares with the rest of its description do not count, nor do words of
// the descriptions of the applications linked to the vendor (product:
// they name the vendor's product, not this application's use of it).
func integrationTerms(a registry.Application, v registry.Vendor, query map[string]float64, df registryDF, skip, product map[string]bool) []string {
	var shared []string
	seen := map[string]bool{}
	for _, s := range sentences(a.Description) {
		if !namesVendor(strings.ToLower(s), v) {
			continue
		}
		for _, t := range describedTerms(s) {
			if skip[t.stem] || product[t.stem] || seen[t.stem] || query[t.stem] == 0 || !df.distinctive(t.stem) {
				continue
			}
			seen[t.stem] = true
			shared = append(shared, t.word)
		}
	}
	return shared
}

// productTerms are the terms of the descriptions of the applications
// linked to the vendor.
func productTerms(apps []registry.Application, v registry.Vendor) map[string]bool {
	out := map[string]bool{}
	for _, a := range apps {
		if linked(a, v.ID) {
			for s := range termSet(a.Description) {
				out[s] = true
			}
		}
	}
	return out
}

// namesVendor reports whether lower-case text names the vendor or one of
// its aliases.
func namesVendor(lower string, v registry.Vendor) bool {
	for _, n := range vendorNames(v) {
		if indexWord(lower, strings.ToLower(n)) >= 0 {
			return true
		}
	}
	return false
}

// accessRE finds the words that say an application's access or delivery
// goes through what follows: "staff sign in through CampusSSO", "served
// through the EdgeProxy", "tokens from AuthService". The group is the text
// after them.
var accessRE = regexp.MustCompile(`(?i)\b(?:sign(?:s|ed)?[- ]?in|log(?:s|ged)?[- ]?in|sign-on|authenticat\w*|served|published|delivered|fronted|tokens?)` +
	`(?:\s+\S+){0,3}?\s+(?:through|with|via|using|uses|from|behind)\s+(?:the\s+)?(\S[^.;:,()]{0,60})`)

// accessTargets are the lower-case texts an application's description
// says its access goes through (each the start of a name).
func accessTargets(desc string) []string {
	var out []string
	for _, m := range accessRE.FindAllStringSubmatch(desc, -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

// goesThrough reports whether one of the targets starts with the name,
// as a whole word.
func goesThrough(targets []string, name string) bool {
	n := strings.ToLower(name)
	for _, t := range targets {
		if strings.HasPrefix(t, n) && (len(t) == len(n) || !isWordByte(t[len(n)])) {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 0x80
}

// reachedThrough extends an incident's reach from the applications it
// reaches to those whose access goes through one of them, until no more
// are added: an incident at the identity provider behind the single
// sign-on reaches every application that signs in through the single
// sign-on. It returns each added application with the one it goes through.
func reachedThrough(apps []registry.Application, reached map[string]bool) []dependent {
	targets := map[string][]string{}
	for _, a := range apps {
		if a.IsActive && !reached[a.ID] {
			if t := accessTargets(a.Description); len(t) > 0 {
				targets[a.ID] = t
			}
		}
	}
	var out []dependent
	for added := len(targets) > 0; added; {
		added = false
		for _, a := range apps {
			if targets[a.ID] == nil || reached[a.ID] {
				continue
			}
			for _, b := range apps {
				if reached[b.ID] && b.ID != a.ID && goesThrough(targets[a.ID], b.Name) {
					reached[a.ID], added = true, true
					out = append(out, dependent{app: a, via: b.Name})
					break
				}
			}
		}
	}
	return out
}

// dependent is an application an incident reaches through another one.
type dependent struct {
	app registry.Application
	via string
}
