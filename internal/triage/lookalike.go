package triage

import (
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// Impersonation says that an email's sender imitates a registry vendor: a
// domain made to look like the vendor's, or the vendor's own domain failing
// DMARC at the receiving server. Such mail never opens a ticket in the
// vendor's name; it goes to the triage queue flagged, and the admins hear.
type Impersonation struct {
	// SenderDomain is the domain the email came from (forwarded senders
	// included), as written; Unicode for internationalized names.
	SenderDomain string `json:"sender_domain"`
	VendorID     string `json:"vendor_id"`
	VendorName   string `json:"vendor_name"`
	// VendorDomain is the registered domain it imitates.
	VendorDomain string `json:"vendor_domain"`
	// Technique names how: "look-alike characters", "one character
	// changed", "two letters swapped", "a letter doubled", "a letter
	// added", "a letter missing", "another top-level domain", "hyphenated
	// variant", "prefixed or suffixed variant", "vendor domain inside
	// another domain", "DMARC failed at <receiving server>".
	Technique string `json:"technique"`
}

// String is the one-line explanation shown in the triage queue.
func (i Impersonation) String() string {
	if at, ok := strings.CutPrefix(i.Technique, "DMARC failed at "); ok {
		return "possible impersonation of " + i.VendorName + ": mail from " + i.SenderDomain +
			" failed the vendor's DMARC check at " + at
	}
	return "possible impersonation of " + i.VendorName + ": sender domain " + i.SenderDomain +
		" imitates " + i.VendorDomain + " (" + i.Technique + ")"
}

// impersonation checks the sender's and the forwarded senders' domains.
// A domain registered to a vendor (sub-domains included) is that vendor's,
// never a look-alike.
func impersonation(e Email, snap registry.Snapshot) (Impersonation, bool) {
	if imp, ok := dmarcFailure(e, snap); ok {
		return imp, true
	}
	addrs := append([]string{e.FromAddress}, e.ForwardedSenders...)
	for _, a := range addrs {
		d := domainOf(a)
		if d == "" {
			continue
		}
		if imp, ok := lookalike(d, snap); ok {
			return imp, true
		}
	}
	return Impersonation{}, false
}

// dmarcFailure reports a DMARC failure of a vendor's domain recorded by the
// nearest receiving server: mail claiming to be from the vendor that the
// vendor's own policy disowns. Only the server that wrote the topmost
// Authentication-Results field is believed; fields further down may have
// come with the message.
func dmarcFailure(e Email, snap registry.Snapshot) (Impersonation, bool) {
	trusted := ""
	for _, r := range e.AuthResults {
		if r.Header == "Authentication-Results" && r.Position == 0 {
			trusted = r.Server
			break
		}
	}
	if trusted == "" {
		return Impersonation{}, false
	}
	for _, r := range e.AuthResults {
		if r.Header != "Authentication-Results" || r.Server != trusted || r.Method != "dmarc" || r.Result != "fail" {
			continue
		}
		d := r.Domain
		if d == "" {
			d = domainOf(e.FromAddress)
		}
		if v, vd, ok := vendorByDomain(snap, d); ok {
			return Impersonation{SenderDomain: d, VendorID: v.ID, VendorName: v.Name, VendorDomain: vd,
				Technique: "DMARC failed at " + trusted}, true
		}
	}
	return Impersonation{}, false
}

// lookalike reports whether domain imitates a vendor's registered domain.
func lookalike(domain string, snap registry.Snapshot) (Impersonation, bool) {
	if _, _, ok := vendorByDomain(snap, domain); ok {
		return Impersonation{}, false
	}
	if u, err := idna.ToUnicode(domain); err == nil {
		domain = u
	}
	if _, _, ok := vendorByDomain(snap, domain); ok {
		return Impersonation{}, false
	}
	sender := splitDomain(domain)
	if sender.label == "" {
		return Impersonation{}, false
	}
	for _, v := range snap.Vendors {
		for _, vd := range v.EmailDomains {
			vd = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(vd), "@"))
			if vd == "" {
				continue
			}
			vendor := splitDomain(vd)
			if vendor.label == "" || sender.registrable == vendor.registrable {
				continue
			}
			if t := technique(domain, sender, vendor, vd); t != "" {
				return Impersonation{SenderDomain: domain, VendorID: v.ID, VendorName: v.Name, VendorDomain: vd, Technique: t}, true
			}
		}
	}
	return Impersonation{}, false
}

// domainParts are a domain's registrable part ("stripe.co.uk"), the label
// before the public suffix ("stripe") and the suffix ("co.uk").
type domainParts struct {
	registrable, label, suffix string
}

func splitDomain(d string) domainParts {
	d = strings.Trim(d, ".")
	reg, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return domainParts{}
	}
	dot := strings.IndexByte(reg, '.')
	if dot <= 0 {
		return domainParts{}
	}
	return domainParts{registrable: reg, label: reg[:dot], suffix: reg[dot+1:]}
}

// minLookalike is the shortest vendor label compared letter by letter:
// shorter names ("hp", "ibm") are one letter away from too many honest
// domains.
const minLookalike = 4

// technique names how sender imitates vendor (full domain fd, registered
// domain vd), or "".
func technique(fd string, sender, vendor domainParts, vd string) string {
	s, v := sender.label, vendor.label
	ss, vs := skeleton(s), skeleton(v)
	switch {
	case s == v:
		return "another top-level domain"
	case ss == vs:
		return "look-alike characters"
	}
	if strings.HasPrefix(fd, vd+".") || strings.Contains(fd, "."+vd+".") {
		return "vendor domain inside another domain"
	}
	if len([]rune(v)) >= minLookalike {
		if t := oneEdit(ss, vs); t != "" {
			return t
		}
	}
	if len([]rune(v)) >= 3 && strings.Contains(s, "-") {
		for _, tok := range strings.Split(s, "-") {
			if skeleton(tok) == vs {
				return "hyphenated variant"
			}
		}
	}
	if len([]rune(v)) >= minLookalike {
		if rest, ok := strings.CutPrefix(ss, vs); ok && lureWords[rest] {
			return "prefixed or suffixed variant"
		}
		if rest, ok := strings.CutSuffix(ss, vs); ok && lureWords[rest] {
			return "prefixed or suffixed variant"
		}
	}
	return ""
}

// lureWords are what impostors put before or after a brand without a
// hyphen ("mystripe", "stripesupport"); a bare prefix such as "drop" in
// "dropbox" is not one, so honest compounds are left alone. They are
// compared in skeleton form.
var lureWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{"my", "secure", "security", "login", "signin", "account", "accounts", "support", "help",
		"helpdesk", "service", "services", "billing", "pay", "payment", "payments", "invoice", "invoices", "mail",
		"email", "notify", "notice", "notices", "notification", "notifications", "alert", "alerts", "update",
		"updates", "verify", "verification", "auth", "sso", "id", "portal", "team", "admin", "online", "app",
		"web", "info", "hq", "corp", "inc", "official", "status", "connect", "cloud", "global", "group", "news"} {
		m[skeleton(w)] = true
	}
	return m
}()

// oneEdit names the single edit that turns a into b (a substitution, a
// transposition of neighbours, a doubled or a missing letter), or "" when
// they are equal or further apart.
func oneEdit(a, b string) string {
	ar, br := []rune(a), []rune(b)
	switch len(ar) - len(br) {
	case 0:
		var diff []int
		for i := range ar {
			if ar[i] != br[i] {
				diff = append(diff, i)
				if len(diff) > 2 {
					return ""
				}
			}
		}
		switch {
		case len(diff) == 1:
			return "one character changed"
		case len(diff) == 2 && diff[1] == diff[0]+1 && ar[diff[0]] == br[diff[1]] && ar[diff[1]] == br[diff[0]]:
			return "two letters swapped"
		}
	case 1: // a has one rune more
		if i, ok := extraRune(ar, br); ok {
			if (i > 0 && ar[i] == ar[i-1]) || (i+1 < len(ar) && ar[i] == ar[i+1]) {
				return "a letter doubled"
			}
			return "a letter added"
		}
	case -1:
		if _, ok := extraRune(br, ar); ok {
			return "a letter missing"
		}
	}
	return ""
}

// extraRune reports whether long is short with one rune inserted, and
// where.
func extraRune(long, short []rune) (int, bool) {
	i := 0
	for i < len(short) && long[i] == short[i] {
		i++
	}
	if string(long[i+1:]) == string(short[i:]) {
		return i, true
	}
	return 0, false
}

// skeleton maps a label to a canonical form in which characters that look
// alike are equal: accents dropped, Cyrillic and Greek homoglyphs mapped to
// Latin, digits that pass for letters mapped to them, and "rn", "vv", "cl"
// folded to the letter they imitate. Only ever compared, never shown.
func skeleton(label string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(label)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if m, ok := confusable[r]; ok {
			r = m
		}
		b.WriteRune(r)
	}
	s := b.String()
	for _, f := range [][2]string{{"rn", "m"}, {"vv", "w"}, {"cl", "d"}} {
		s = strings.ReplaceAll(s, f[0], f[1])
	}
	return s
}

// confusable maps characters to the Latin letter they pass for in a
// browser's address bar or a mail client's sender line. "i", "1" and "|"
// all become "l", so "paypa1" and "paypaI" meet "paypal".
var confusable = map[rune]rune{
	'0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', 'i': 'l', '|': 'l', 'ı': 'l',
	'ł': 'l', 'ɑ': 'a', 'ſ': 's', 'ß': 's',
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'з': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c',
	'т': 't', 'у': 'y', 'х': 'x', 'і': 'l', 'ї': 'l', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'һ': 'h', 'ӏ': 'l', 'ԛ': 'q',
	'ԝ': 'w', 'ѵ': 'v', 'ɡ': 'g', 'ь': 'b',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'l', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u',
	'χ': 'x', 'γ': 'y', 'ω': 'w',
}
