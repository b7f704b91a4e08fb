package triage

import (
	"slices"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// The rules first met on the zoo group's and the court service's mail.

// courtSnap is a registry of one tier_2 vendor with one application.
func courtSnap() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-cw", Name: "Casewell", Tier: registry.Tier2, IsActive: true, EmailDomains: []string{"casewell.example"}}},
		Applications: []registry.Application{{ID: "app-cms", Name: "CaseFlow", IsActive: true, VendorIDs: []string{"v-cw"},
			Description: "Case management on Casewell Cloud."}},
	}
}

// TestInvitationsRepliesAndRenewalsInMoreWords: a webinar that asks a
// question with a breaking word in it, release notes that need no
// configuration change or action, a renewal with a mandatory word in an
// upsell, replies that mark a ticket solved or will close a case, and a
// Spanish renewal are informational.
func TestInvitationsRepliesAndRenewalsInMoreWords(t *testing.T) {
	for _, c := range []struct{ subject, body string }{
		{"Going passwordless: live session", "Passkeys are now available. Could your organisation retire passwords for good?\n" +
			"Join us for a live session on Wednesday 26 April 2028. Register: https://events.casewell.example/passwordless"},
		{"Casewell 28.1 - release notes", "Release 28.1 is rolled out during the week of 17 January 2028.\nNew\n- Bulk adjournment.\n" +
			"No configuration change or action is needed on your side."},
		{"Your subscription", "Your subscription renews automatically on 1 September 2028. Nothing changes: same price, same support plan, " +
			"and there is no paperwork to sign. Some customers use Casewell Learning for mandatory training records."},
		{"Re: [Ticket #CW-77120] VAT report lines twice", "The fix went out this morning. As everything looks right, I'm marking ticket " +
			"#CW-77120 as solved. Reply within 7 days and it reopens."},
		{"Re: Case CW-88214 certificates", "Our fix went out in last night's release. Since everything looks right, I'll close case CW-88214."},
		{"Renovación de vuestra suscripción", "La suscripción se renueva el 1 de enero de 2028 con las mismas condiciones y el mismo precio. " +
			"No tenéis que hacer nada."},
	} {
		e := Email{MessageID: c.subject + "@casewell.example", FromAddress: "team@casewell.example", Date: testNow, Subject: c.subject, Body: c.body}
		if d := decideOffline(t, e, courtSnap()); d.Classification != Informational {
			t.Errorf("%q: %s, want informational\n%s", c.subject, d.Classification, d.Reasoning)
		}
	}
	// Mandatory as a change stays breaking.
	for _, body := range []string{"TLS 1.3 becomes mandatory for the Filing API on 1 March 2028.",
		"Amazon RDS has scheduled mandatory operating system maintenance for your DB instances on 16 December 2027."} {
		if s := readBreaking(Email{Subject: "Notice", Body: body}); !s.strong() {
			t.Errorf("%q: %v, want strong", body, s)
		}
	}
}

// TestWhatStopsInMoreWords: Spanish, Portuguese and Dutch words for what
// stops, addresses withdrawn, an action needed, a forward saying feeds
// will stop, and legal drafting.
func TestWhatStopsInMoreWords(t *testing.T) {
	for _, body := range []string{
		"La aplicación TPV 6.x dejará de tener soporte a finales de febrero de 2028.",
		"Desde ese momento, las tablets con la versión 6.x no podrán abrir caja.",
		"A partir de 1 de fevereiro de 2028, o Bank Connect deixa de importar extratos através de credenciais.",
		"De oude header X-Token vervalt op die datum.",
		"The current addresses are withdrawn at the same time. Action needed if you restrict outbound traffic.",
		"Our bank feeds into Finance will stop if nobody renews the consent.",
		"The Schedule shall terminate with effect from midnight on 30 September 2028; files shall no longer be transmitted.",
	} {
		if s := readBreaking(Email{Subject: "Notice", Body: body}); !s.strong() {
			t.Errorf("%q: breaking signal %v, want strong", body, s)
		}
	}
}

// TestOtherProtocolNotTouched: a SAML signing certificate change whose
// email says OpenID Connect apps "are not touched" (or "are not
// concerned") does not reach the applications that sign in through the
// identity application over OpenID Connect.
func TestOtherProtocolNotTouched(t *testing.T) {
	snap := registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-ses", Name: "Sesamo", Tier: registry.Tier1, IsActive: true,
			EmailDomains: []string{"sesamo.example"}, Aliases: []string{"Sesamo Workforce"}}},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "StaffID", IsActive: true, IsCritical: true, VendorIDs: []string{"v-ses"},
				Description: "Staff sign-in, built on Sesamo Workforce, which signs staff in to the other applications over SAML 2.0 and OpenID Connect."},
			{ID: "app-saml", Name: "Tickets", IsActive: true, Description: "Ticketing. Staff sign in with StaffID through SAML."},
			{ID: "app-oidc", Name: "Records", IsActive: true, Description: "Animal records. Keepers sign in with StaffID through OpenID Connect."},
		},
	}
	for _, words := range []string{"are not touched by this change", "are not concerned"} {
		e := Email{MessageID: "saml@sesamo.example", FromAddress: "notify@sesamo.example", Date: testNow,
			Subject: "SAML signing certificate replacement on 22 February 2028",
			Body: "From 22 February 2028, every SAML response issued by your tenant will be signed with the replacement certificate. " +
				"Load the new certificate into each SAML service provider before then. OpenID Connect apps " + words + "."}
		d := decideOffline(t, e, snap)
		if !slices.Equal(sorted(d.AffectedApplicationIDs), []string{"app-saml", "app-sso"}) {
			t.Errorf("%q: applications %v, want app-saml and app-sso\n%s", words, d.AffectedApplicationIDs, d.Reasoning)
		}
	}
}
