package triage

import (
	"net/mail"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// vendorMatch is the vendor an email is from and why.
type vendorMatch struct {
	vendor registry.Vendor
	reason string
	// byMention is a match on names in the text alone; close says another
	// vendor was mentioned nearly as much.
	byMention, close bool
}

// domainOf is the lower-case domain of an address ("Visa <x@mail.visa.com>"
// or "x@visa.com"), or "".
func domainOf(addr string) string {
	addr = strings.TrimSpace(addr)
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.Trim(strings.ToLower(addr[at+1:]), ".> ")
}

// vendorByDomain finds the vendor whose email domain is domain or a parent
// of it (mail.visa.com belongs to visa.com); the longest domain wins.
func vendorByDomain(snap registry.Snapshot, domain string) (registry.Vendor, string, bool) {
	var best registry.Vendor
	bestDomain := ""
	for _, v := range snap.Vendors {
		for _, d := range v.EmailDomains {
			d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
			if d == "" || len(d) <= len(bestDomain) {
				continue
			}
			if domain == d || strings.HasSuffix(domain, "."+d) {
				best, bestDomain = v, d
			}
		}
	}
	return best, bestDomain, bestDomain != ""
}

// forwardedFromRE finds the sender lines of messages forwarded or quoted in
// a body, for mail the pipeline did not already split.
var forwardedFromRE = mustGated(`(?im)^\s*(?:>\s*)*from:\s*(.+)$`)

// matchVendor identifies the sending vendor, strongest evidence first:
//  1. the sender's domain (subdomains included);
//  2. the original sender of a forwarded message (an internal colleague
//     forwarding Visa's mail);
//  3. names, aliases and domains mentioned in the subject (weighing most)
//     and the body.
func matchVendor(e Email, snap registry.Snapshot) (vendorMatch, bool) {
	if d := domainOf(e.FromAddress); d != "" {
		if v, vd, ok := vendorByDomain(snap, d); ok {
			return vendorMatch{vendor: v, reason: "sender domain " + d + " matches vendor " + v.Name + " (" + vd + ")"}, true
		}
	}
	forwarded := append([]string(nil), e.ForwardedSenders...)
	for _, m := range forwardedFromRE.FindAllStringSubmatch(e.Body, 5) {
		forwarded = append(forwarded, m[1])
	}
	for _, f := range forwarded {
		if d := domainOf(f); d != "" {
			if v, vd, ok := vendorByDomain(snap, d); ok {
				return vendorMatch{vendor: v, reason: "forwarded message from " + d + " matches vendor " + v.Name + " (" + vd + ")"}, true
			}
		}
	}
	return vendorByMention(e, snap)
}

// vendorByMention scores each vendor by mentions of its name, aliases and
// domains: 3 per mention in the subject or sender name, 1 per mention in
// the body (at most 5). The best score wins; a tie is no answer.
func vendorByMention(e Email, snap registry.Snapshot) (vendorMatch, bool) {
	type scored struct {
		v     registry.Vendor
		score int
		names []string
	}
	var best, second scored
	head, body := strings.ToLower(e.Subject+"\n"+e.FromName), strings.ToLower(e.Body)
	for _, v := range snap.Vendors {
		s := scored{v: v}
		for _, name := range vendorNames(v) {
			name := strings.ToLower(name)
			n := 3*countWord(head, name) + min(5, countWord(body, name))
			if n > 0 {
				s.score += n
				s.names = append(s.names, `"`+name+`"`)
			}
		}
		switch {
		case s.score > best.score:
			best, second = s, best
		case s.score > second.score:
			second = s
		}
	}
	if best.score == 0 || best.score == second.score {
		return vendorMatch{}, false
	}
	return vendorMatch{vendor: best.v, reason: "vendor " + best.v.Name + " is mentioned in the email (" + strings.Join(best.names, ", ") + ")",
		byMention: true, close: 2*second.score >= best.score}, true
}

// vendorNames are the words that name a vendor in text.
func vendorNames(v registry.Vendor) []string {
	names := []string{v.Name}
	for _, a := range v.Aliases {
		if strings.TrimSpace(a) != "" && !strings.EqualFold(a, v.Name) {
			names = append(names, strings.TrimSpace(a))
		}
	}
	for _, d := range v.EmailDomains {
		if d = strings.TrimSpace(d); d != "" {
			names = append(names, d)
		}
	}
	return names
}

// vendorTerms are the stems of every vendor's name and one-word aliases:
// they identify the sender, so they are left out of the words that say what
// changed. Longer aliases ("Stripe Billing") keep their other words, which
// may well describe the change.
func vendorTerms(snap registry.Snapshot) map[string]bool {
	out := map[string]bool{}
	for _, v := range snap.Vendors {
		names := []string{v.Name}
		brands := map[string]bool{} // the labels of its domains: amazon of amazon.com
		for _, d := range v.EmailDomains {
			if labels := strings.Split(strings.ToLower(d), "."); len(labels) >= 2 {
				brands[labels[len(labels)-2]] = true
			}
		}
		for _, a := range v.Aliases {
			if len(strings.Fields(a)) == 1 {
				names = append(names, a)
				continue
			}
			// Of a longer alias ("Amazon Web Services"), the word that
			// is also its domain is the vendor's brand, not a topic.
			for _, w := range strings.Fields(a) {
				if brands[strings.ToLower(w)] {
					names = append(names, w)
				}
			}
		}
		for _, n := range names {
			for _, t := range terms(n) {
				out[t.stem] = true
			}
		}
	}
	return out
}
