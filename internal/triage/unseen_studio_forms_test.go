package triage

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestBusinessLetterDates: Swedish, Czech and Turkish months, a quarter
// of the fiscal year the email states, "the 1st prox.", a day and month
// written with dots and no year, and a close-of-business weekday that a
// date follows are read as the day they name.
func TestBusinessLetterDates(t *testing.T) {
	sent := time.Date(2027, 4, 15, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct{ name, lang, body, want string }{
		{"a Swedish month", "sv-SE", "Från och med den 1 augusti 2027 avvisas anrop med Basic-autentisering.", "2027-08-01"},
		{"a Czech month after a dotted day", "cs-CZ", "Co je potřeba udělat do 1. července 2027: převést integrace na API verze 2.", "2027-07-01"},
		{"a Turkish month", "tr-TR", "Sunucularınızın IP adresleri 15 Eylül 2027 tarihinde değişecektir.", "2027-09-15"},
		{"a quarter of the stated fiscal year", "", "API v1 reaches end of support in FY28 Q2. (Our fiscal year 2028 begins on 1 February 2028.)", "2028-07-31"},
		{"a fiscal quarter without a stated year", "", "The old console is retired in FY27 Q3.", "2027-09-30"},
		{"proximo", "", "The scope is refused from the 1st prox.", "2027-05-01"},
		{"a dotted day and month without a year", "", "Update your allow-lists by 30.09. when the old ranges are removed.", "2027-09-30"},
		{"a close-of-business weekday with its date", "", "Accept the terms no later than close of business on Friday 16 July 2027.", "2027-07-16"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fd, ok := extractDate("Notice", c.body, "notices@vendor.example", c.lang, sent, DateOf(sent, time.UTC), time.UTC)
			if !ok || fd.date.String() != c.want {
				t.Errorf("date %s from %q (%s), want %s", fd.date, fd.text, fd.note, c.want)
			}
		})
	}
	t.Run("a version is no dotted date", func(t *testing.T) {
		fd, ok := extractDate("Notice", "Update the SDK to 9.4. Nothing else changes.", "notices@vendor.example", "", sent, DateOf(sent, time.UTC), time.UTC)
		if ok {
			t.Errorf("date %s from %q", fd.date, fd.text)
		}
	})
}

// TestSwedishCzechTurkishAndLetterCues: Swedish, Czech and Turkish "will
// no longer" and "no action is required", their webinars and scheduled
// maintenance; English "must be updated", "stops answering", "retires",
// "will have processing suspended"; and "Action required: none", a
// renewal that keeps everything and an exhibitor's news.
func TestSwedishCzechTurkishAndLetterCues(t *testing.T) {
	for _, body := range []string{
		"Från och med den 1 september 2027 tar API:t inte längre emot Basic-autentisering; anropen avvisas med HTTP 401.",
		"1. července 2027 ukončíme provoz API verze 1; požadavky budou odmítány.",
		"Bu tarihten itibaren eski adresler kullanılamayacaktır.",
		"Android apps must be updated to SDK 9.4 or later by then.",
		"The old host stops answering for your account on the migration date.",
		"Webhook payload version 2024-10 retires two weeks from today.",
		"Accounts that have not accepted them will have payment processing suspended.",
	} {
		wantStrong(t, "breaking", breakingSignal, body)
	}
	for _, body := range []string{
		"Planerat underhåll den 22 juni kl. 02:00-04:00. Ingen åtgärd krävs från er sida.",
		"Zveme vás na bezplatný webinář o lokalizaci her.",
		"Tüm hizmetler normal şekilde çalışmaktadır. Herhangi bir işlem yapılması gerekmemektedir.",
		"Window: Tuesday 01:00-03:00 UTC. Purge requests are queued.\nAction required: none.",
		"Nothing changes on our side: your seats renew at the same price, so there is nothing for you to sign.",
		"Meet our team at Gamescom in Cologne, hall 4.1.",
	} {
		wantStrong(t, "informational", informationalSignal, body)
	}
	if s := breakingSignal(Email{Subject: "Maintenance (no action required)", Body: "Action required: none."}); s.strong() {
		t.Errorf("action required none: breaking %q", s)
	}
}

// wantStrong fails when the signal is not strong on a notice with body.
func wantStrong(t *testing.T, what string, signalOf func(Email) signal, body string) {
	t.Helper()
	if s := signalOf(Email{Subject: "Notice", Body: body}); !s.strong() {
		t.Errorf("%q: %s %q (%d)", body, what, s, s.score)
	}
}

// studioRegistry is an identity provider for players and staff, with a
// workforce sign-on that other applications sign in through, and an
// application that only reads a copy of the provider's data.
func studioRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{
			{ID: "v-idp", Name: "Loginhaven", Tier: registry.Tier1, EmailDomains: []string{"loginhaven.example"},
				Aliases: []string{"Loginhaven Players"}, IsActive: true},
		},
		Applications: []registry.Application{
			{ID: "app-sso", Name: "StaffID", IsActive: true, IsCritical: true, VendorIDs: []string{"v-idp"},
				Description: "Workforce single sign-on on Loginhaven with SAML 2.0."},
			{ID: "app-wiki", Name: "Handbook", IsActive: true, VendorIDs: nil,
				Description: "Internal handbook. Staff sign in with StaffID through SAML."},
			{ID: "app-game", Name: "Stormline", IsActive: true, IsCritical: true, VendorIDs: []string{"v-idp"},
				Description: "Online game. Players log in with their Loginhaven Players accounts."},
			{ID: "app-shop", Name: "GemShop", IsActive: true, IsCritical: true, VendorIDs: []string{"v-idp"},
				Description: "Web shop for in-game currency. Buyers sign in with Loginhaven Players; payments are taken by a card gateway."},
			{ID: "app-launch", Name: "Launchpad", IsActive: true, IsCritical: true, VendorIDs: []string{"v-idp"},
				Description: "Desktop launcher that installs and patches our games. Players sign in to it with Loginhaven Players (OAuth device flow)."},
			{ID: "app-fans", Name: "FanSite", IsActive: true, VendorIDs: []string{"v-idp"},
				Description: "Portal where streamers request review keys. Creators sign in with Loginhaven Players; the portal is cached by a CDN."},
			{ID: "app-recover", Name: "Recovery", IsActive: true, VendorIDs: nil,
				Description: "Account recovery service. Requests are checked against Loginhaven Players data exported nightly."},
		},
	}
}

func decideStudio(t *testing.T, from, subject, body string) Decision {
	t.Helper()
	d, err := (&Agent{}).Decide(context.Background(), Email{MessageID: "s@x", FromAddress: from, Subject: subject, Body: body, Date: testNow},
		studioRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func sortedApps(d Decision) []string {
	apps := slices.Clone(d.AffectedApplicationIDs)
	sort.Strings(apps)
	return apps
}

// TestStatusPageReach: an update from a status page that labels an
// incident under way is one, whether or not it says "incident"; it
// reaches every application that signs in through an application it
// reaches, and not one that only reads a copy of the vendor's data.
func TestStatusPageReach(t *testing.T) {
	d := decideStudio(t, "status@status.loginhaven.example", "[Investigating] Push approvals delayed",
		"Loginhaven - Investigating\n\nWe are investigating delays of up to 15 minutes in push approvals. Users asked for a push approval may be unable to complete sign-in.")
	if want := []string{"app-fans", "app-game", "app-launch", "app-shop", "app-sso", "app-wiki"}; d.Classification != Actionable || !slices.Equal(sortedApps(d), want) {
		t.Errorf("incident under way: %s %v, want actionable %v\n%s", d.Classification, sortedApps(d), want, d.Reasoning)
	}
	d = decideStudio(t, "driftinfo@loginhaven.example", "Störning: fördröjd inloggning",
		"Störning - vi undersöker\n\nSedan kl. 13:55 tar inloggningen upp till 20 minuter. Ingen åtgärd krävs från er sida.")
	if d.Classification != Actionable || len(d.AffectedApplicationIDs) == 0 {
		t.Errorf("Swedish incident under way: %s %v\n%s", d.Classification, d.AffectedApplicationIDs, d.Reasoning)
	}
}

// TestOAuthScopeChangeReachesEverySignIn: a change to the OAuth scopes
// applications ask for when users sign in with the vendor reaches every
// application whose users sign in with it, named in the email or not, and
// not one that signs in with another of its products or only reads a
// copy of its data.
func TestOAuthScopeChangeReachesEverySignIn(t *testing.T) {
	d := decideStudio(t, "devrel@loginhaven.example", "Action required: update your OAuth clients",
		"The profile.read OAuth scope of Loginhaven Players is split in two on 1 June 2027. From that day an authorisation request that asks for "+
			"profile.read is refused with invalid_scope, and players will not be able to log in to games or launchers that still request it.")
	for _, id := range []string{"app-game", "app-shop", "app-launch", "app-fans"} {
		if !slices.Contains(d.AffectedApplicationIDs, id) {
			t.Errorf("%s not reached: %v\n%s", id, d.AffectedApplicationIDs, d.Reasoning)
		}
	}
	for _, id := range []string{"app-recover", "app-sso", "app-wiki"} {
		if slices.Contains(d.AffectedApplicationIDs, id) {
			t.Errorf("%s reached: %v\n%s", id, d.AffectedApplicationIDs, d.Reasoning)
		}
	}
}

// resellerRegistry is a reseller no application uses, two suppliers whose
// subscriptions it sells, and an SDK vendor with a mobile and a desktop
// variant.
func resellerRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{
			{ID: "v-resell", Name: "Licencia", Tier: registry.Tier3, EmailDomains: []string{"licencia.example"}, IsActive: true},
			{ID: "v-ci", Name: "Buildmoor", Tier: registry.Tier3, EmailDomains: []string{"buildmoor.example"}, IsActive: true},
			{ID: "v-desk", Name: "Ticketly", Tier: registry.Tier3, EmailDomains: []string{"ticketly.example"}, IsActive: true},
			{ID: "v-sdk", Name: "Bugwhistle", Tier: registry.Tier3, EmailDomains: []string{"bugwhistle.example"}, IsActive: true},
		},
		Applications: []registry.Application{
			{ID: "app-ci", Name: "Pipelines", IsActive: true, VendorIDs: []string{"v-ci"},
				Description: "Build farm on Buildmoor with self-hosted build agents."},
			{ID: "app-desk", Name: "Helpdesk", IsActive: true, VendorIDs: []string{"v-desk"},
				Description: "Player helpdesk on Ticketly."},
			{ID: "app-mobile", Name: "Pocket", IsActive: true, VendorIDs: []string{"v-sdk"},
				Description: "Mobile game. Crashes are reported through the Bugwhistle iOS and Android SDKs."},
			{ID: "app-pc", Name: "Tower", IsActive: true, VendorIDs: []string{"v-sdk"},
				Description: "PC game. Crashes of release builds are reported through the Bugwhistle desktop SDK."},
		},
	}
}

// TestPassedOnNoticeAndUnaffectedVariant: a reseller's email that passes
// on one supplier's change reaches that supplier's applications; an
// application whose use of a vendor is a variant the email says is not
// affected ("the desktop SDKs are not affected") is not reached.
func TestPassedOnNoticeAndUnaffectedVariant(t *testing.T) {
	decide := func(from, subject, body string) Decision {
		t.Helper()
		d, err := (&Agent{}).Decide(context.Background(), Email{MessageID: "r@x", FromAddress: from, Subject: subject, Body: body, Date: testNow},
			resellerRegistry(), testSettings())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := decide("renewals@licencia.example", "Buildmoor: new licence server for build agents",
		"Buildmoor is moving its licence service. Self-hosted build agents must be configured to use license.eu.buildmoor.example by 30 September 2027; "+
			"agents that cannot reach it stop taking jobs. Your Ticketly subscription is not affected.")
	if !slices.Equal(d.AffectedApplicationIDs, []string{"app-ci"}) {
		t.Errorf("passed on: %v, want [app-ci]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
	d = decide("product@bugwhistle.example", "App Store: Bugwhistle iOS SDK 5.2 required",
		"From May 1, App Store review will reject builds with Bugwhistle iOS SDK versions earlier than 5.2. Update the SDK in your iOS apps before you submit your next build. "+
			"The Bugwhistle Android and desktop SDKs are not affected.")
	if !slices.Equal(d.AffectedApplicationIDs, []string{"app-mobile"}) {
		t.Errorf("unaffected variant: %v, want [app-mobile]\n%s", d.AffectedApplicationIDs, d.Reasoning)
	}
}
