package triage

import (
	"regexp"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// How a change to the network in front of an application reaches it.

// deliveryRE finds the words that say an application's traffic goes
// through what follows: "served through Imperva Cloud WAF", "behind the
// CDN". The group is the text after them.
//
// Content an application's users fetch from a CDN goes through it too:
// "audio files are downloaded by the app from the Flaxedge CDN".
var deliveryRE = regexp.MustCompile(`(?i)\b(?:served|published|delivered|fronted|routed|proxied|cached|protected)` +
	`(?:\s+\S+){0,6}?\s+(?:through|by|via|behind|with)\s+(?:the\s+)?(\S` + targetText + `)|\bbehind\s+(?:the\s+)?(\S` + targetText + `)|` +
	`\b(?:downloaded|streamed|fetched|loaded)(?:\s+\S+){0,6}?\s+from\s+(?:the\s+)?(\S+(?:\s+\S+)?\s+(?:cdn|edge))\b`)

// deliveryTargets are the lower-case texts an application's description
// says its traffic goes through (each the start of a name).
func deliveryTargets(desc string) []string {
	var out []string
	for _, m := range deliveryRE.FindAllStringSubmatch(desc, -1) {
		out = append(out, strings.ToLower(m[1]+m[2]+m[3]))
	}
	return out
}

// networkPhrases say that the network in front of the vendor's customers
// changes: the addresses its traffic comes from, what origins must allow.
var networkPhrases = []phrase{
	{"ip ranges", 2}, {"ip range", 2}, {"ip addresses", 1}, {"ip address", 1}, {"allowlist", 1}, {"allowlists", 1},
	{"allow-list", 1}, {"allow list", 1}, {"whitelist", 1}, {"origin server", 1}, {"origin servers", 1},
	{"your origin", 2}, {"origin firewall", 2}, {"firewall", 1}, {"egress", 1}, {"cname", 1}, {"dns records", 1},
	{"data centres", 1}, {"data centers", 1}, {"points of presence", 1}, {"edge network", 1},
}

// networkSignal: the vendor's network changes.
func networkSignal(e Email) signal {
	text := e.Subject + "\n" + e.Body
	if foreignNetworkRE.mayMatchLower(strings.ToLower(text)) {
		text = foreignNetworkRE.ReplaceAllStringFunc(text, func(m string) string { return foreignNetworkWord(strings.ToLower(m)) })
	}
	return look(text, networkPhrases)
}

// foreignNetworkRE finds IP addresses, firewalls and origin servers named
// in German, Dutch, French, Spanish, Italian, Portuguese and the Nordic
// languages: "nye IP-adresseområder", "brannmuren", "opprinnelsesserverne",
// "adresses IP", "Ursprungsserver".
var foreignNetworkRE = mustGated(`(?i)\bip-adress\p{L}*|\b(?:adresses|direcciones|indirizzi|endereços)\s+ip\b|` +
	`\b(?:brannmur|brandvæg|brandvägg|pare-feu|cortafuegos)\p{L}*|` +
	`\b(?:opprinnelsesserver|oprindelsesserver|ursprungsserver|originserver|herkomstserver)\p{L}*|\bserveurs?\s+d['’]origine\b|\bservidor(?:es)?\s+de\s+origen\b`)

// foreignNetworkWord is the English networkPhrases reads for a
// lower-case match of foreignNetworkRE.
func foreignNetworkWord(m string) string {
	switch {
	case strings.Contains(m, "ip"):
		return "ip addresses"
	case strings.Contains(m, "server") || strings.Contains(m, "serveur") || strings.Contains(m, "servidor"):
		return "origin servers"
	}
	return "firewall"
}

// webhookSecretRE finds the secrets a vendor signs its webhooks with.
var webhookSecretRE = mustGated(`(?i)\bwebhooks?\s+(?:signing\s+)?secrets?\b|\bsigning\s+secrets?\b[^.]{0,60}\bwebhooks?\b`)

// secretExposureRE finds secrets exposed, or an incident, behind a change
// of secrets: then it reaches everything that uses the vendor.
var secretExposureRE = mustGated(`(?i)\b(?:incident|compromis\w*|exposed|exposure|leak\w*|unauthori[sz]ed\s+(?:access|use|party|parties|requests?|calls?|logins?|sign-ins?)|breach)\b`)

// receivesWebhooks reports whether a lower-case description says the
// application receives the vendor's webhooks.
func receivesWebhooks(lower string, v registry.Vendor) bool {
	for _, s := range splitSentences(lower) {
		if strings.Contains(s, "webhook") && namesVendor(s, v) {
			return true
		}
	}
	return false
}
