package triage

import "testing"

// TestConciseTopic: a tracker issue's summary names what changes in a few
// words, as the seed's "Visa — URL endpoint change [VS-2847]" does.
func TestConciseTopic(t *testing.T) {
	for _, tc := range []struct{ subject, vendor, want string }{
		{"Action required: Visa authorization API v2 endpoint URL change effective December 29, 2026", "Visa", "Authorization API v2 endpoint URL change"},
		{"RE: Action required: Visa authorization API v2 endpoint URL change effective December 29, 2026", "Visa", "Authorization API v2 endpoint URL change"},
		{"Mastercard API client certificate rotation - new signing CA from January 14, 2027", "Mastercard", "API client certificate rotation"},
		{"Your Stripe API version 2023-10-16 will be retired on February 18, 2027", "Stripe", "API version 2023-10-16 will be retired"},
		{"AWS Health Event: scheduled maintenance for Amazon RDS instances in eu-west-1 on December 14, 2026", "AWS", "Scheduled maintenance for Amazon RDS instances in eu-west-1"},
		{"Okta signing key rotation for your org on January 19, 2027", "Okta", "Signing key rotation for your org"},
		{"Important: DigiCert intermediate certificate change - reissue certificates before January 9, 2027", "DigiCert", "Intermediate certificate change"},
		{"Reminder: A2P 10DLC campaign re-verification required by February 3, 2027", "Twilio", "A2P 10DLC campaign re-verification required"},
		{"Salesforce Platform API versions 31.0 through 59.0 retirement on April 14, 2027", "Salesforce", "Platform API versions 31.0 through 59.0 retirement"},
		{"Fwd: Refinitiv rates feed - authentication change", "Thomson Reuters", "Refinitiv rates feed - authentication change"},
		{"ShipFast tracking API v1 sunset on 2027-01-19", "ShipFast", "Tracking API v1 sunset"},
		{"Deprecation notice: TLS 1.1 support ends by 15 March 2027", "Acme", "Deprecation notice: TLS 1.1 support ends"},
		{"Change effective 01/02/2027", "Acme", "Change effective 01/02/2027"}, // nothing left but the date: keep it
		{"Visa", "Visa", "Visa"},
	} {
		if got := conciseTopic(tc.subject, tc.vendor); got != tc.want {
			t.Errorf("conciseTopic(%q, %q) = %q, want %q", tc.subject, tc.vendor, got, tc.want)
		}
	}
}

// TestRuleTopic: the clause of a rule that says whom a change is for does
// not make the rule match; the rest of the rule's text does.
func TestRuleTopic(t *testing.T) {
	for text, want := range map[string]string{
		"Any field safety notice or recall for a medical device is critical for biomedical engineering.": "Any field safety notice or recall for a medical device  .",
		"Clearinghouse credential changes are high for RevenueCycle.":                                    "Clearinghouse credential changes  .",
		"Root certificate changes are critical: an expired certificate breaks every TLS connection.":     "Root certificate changes are critical: an expired certificate breaks every TLS connection.",
	} {
		if got := ruleTopic(text); got != want {
			t.Errorf("ruleTopic(%q) = %q, want %q", text, got, want)
		}
	}
}
