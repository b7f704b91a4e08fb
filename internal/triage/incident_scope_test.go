package triage

import (
	"slices"
	"testing"
)

// TestIncidentScope: an incident at the identity provider that exposed
// the secrets of one sign-in protocol, and says the other's keys were not
// accessed, reaches the single sign-on and the applications that sign in
// through it over the exposed protocol, whichever way their descriptions
// word signing in; and an incident about the keys of one of the vendor's
// products, which says what is not affected, reaches neither an
// application whose only product of the vendor the email calls
// unaffected (named without the vendor) nor one that uses another
// product.
func TestIncidentScope(t *testing.T) {
	for _, tc := range []struct {
		name                string
		apps                [][4]string
		from, subject, body string
		reached, notReached []string
	}{
		{name: "the protocol left alone",
			apps: [][4]string{
				{"app-sso", "StaffSSO", "v-okta", "Okta single sign-on (SAML 2.0 and OpenID Connect) for all staff; joiners are provisioned with a SCIM token."},
				{"app-hr", "PeopleHub", "", "HR system; HR staff sign in to it with StaffSSO through SAML."},
				{"app-wikiapp", "TeamWiki", "", "Team wiki; editors change pages after signing in with StaffSSO through OpenID Connect."},
			},
			from: "security@okta.com", subject: "Security incident: rotate OpenID Connect client secrets",
			body: "An attacker read configuration exports of your tenant, which hold the client secrets of OpenID Connect applications " +
				"and SCIM tokens. SAML signing keys are held in a separate system and were not accessed. Rotate every client secret " +
				"and reissue every SCIM token by March 20, 2027; older ones will be revoked.",
			reached: []string{"app-sso", "app-wikiapp"}, notReached: []string{"app-hr"}},
		{name: "one product's keys",
			apps: [][4]string{
				{"app-extranet", "Extranet", "v-salesforce", "Client extranet; documents come from Salesforce Files Connect with an API key."},
				{"app-dictate", "Dictation", "", "Dictation app; transcripts are saved through the Salesforce Bulk Loader."},
				{"app-crm2", "AccountDesk", "v-salesforce", "Salesforce Sales Cloud for account managers, with its web client and reports."},
			},
			from: "security@salesforce.com", subject: "Security incident: Files Connect API keys",
			body: "A diagnostic export exposed API keys of Files Connect. Revoke the old key and create a new one by March 20, 2027; " +
				"keys not revoked by then will be disabled. Not affected: the web client, the Bulk Loader and single sign-on.",
			reached: []string{"app-extranet"}, notReached: []string{"app-dictate", "app-crm2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apps, why := decideApps(t, withApps(tc.apps...), tc.from, tc.subject, tc.body)
			for _, id := range tc.reached {
				if !slices.Contains(apps, id) {
					t.Errorf("%s not reached: %v\n%s", id, apps, why)
				}
			}
			for _, id := range tc.notReached {
				if slices.Contains(apps, id) {
					t.Errorf("%s reached: %v\n%s", id, apps, why)
				}
			}
		})
	}
}
