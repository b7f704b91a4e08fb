package triage

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// TestPortugueseAndPolishDates: Portuguese and Polish mail writes its
// months and deadline words in its own language ("até 30 de junho de
// 2027", "do 31 maja 2027 r."); they are read as their English forms are.
func TestPortugueseAndPolishDates(t *testing.T) {
	sent := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct{ name, lang, body, want string }{
		{"a Portuguese deadline", "pt-PT", "Distribua a versão 6.0 aos dispositivos até 30 de junho de 2027.", "2027-06-30"},
		{"a Polish deadline beats an earlier step", "pl-PL", "Nowy klucz jest dostępny od 15 kwietnia 2027 r. Zaktualizuj weryfikację do 31 maja 2027 r.", "2027-05-31"},
		{"a Polish month", "pl-PL", "Stary nagłówek zostanie wyłączony 30 września 2027 r.", "2027-09-30"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fd, ok := extractDate("Notice", c.body, "notices@vendor.example", c.lang, sent, DateOf(sent, time.UTC), time.UTC)
			if !ok || fd.date.String() != c.want {
				t.Errorf("date %s from %q (%s), want %s", fd.date, fd.text, fd.note, c.want)
			}
		})
	}
}

// TestTimestampsAndCountedWeekdays: an ISO timestamp is its day, a
// hyphenated step word heading a table row ("Cut-over:") is a deadline
// word as "Rollover:" is, and "the first Monday of July 2027" is that day.
func TestTimestampsAndCountedWeekdays(t *testing.T) {
	sent := time.Date(2027, 4, 12, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct{ name, body, want string }{
		{"an ISO timestamp", "Legacy tokens are refused from 2027-06-30T00:00:00Z.", "2027-06-30"},
		{"a cut-over row beats a later removal", "Milestone | When (UTC)\nNew certificate in metadata | 2027-04-19T00:00:00Z\n" +
			"Cut-over: assertions signed with the new key only | 2027-06-30T00:00:00Z\nOld certificate removed from metadata | 2027-08-31T00:00:00Z", "2027-06-30"},
		{"a counted weekday", "The endpoints switch to the new chain on the first Monday of July 2027.", "2027-07-05"},
		{"the last weekday of a month without a year", "Plain binds are refused after the last Friday in May.", "2027-05-28"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fd, ok := extractDate("Notice", c.body, "notices@vendor.example", "", sent, DateOf(sent, time.UTC), time.UTC)
			if !ok || fd.date.String() != c.want {
				t.Errorf("date %s from %q (%s), want %s", fd.date, fd.text, fd.note, c.want)
			}
		})
	}
}

// TestMoreLanguagesSayNoActionAndNoLonger: Italian, Portuguese and Polish
// "no action is required", price lists and maintenance, an advisory's
// "Customer action: none" and "nothing to do on your side" are
// informational; Polish, Portuguese and Italian "will be switched off",
// "will stop", "will no longer" are breaking-change language.
func TestMoreLanguagesSayNoActionAndNoLonger(t *testing.T) {
	for _, body := range []string{
		"Manutenzione programmata sabato 8 maggio 2027. Non è richiesta alcuna azione da parte Sua.",
		"Nowy cennik usług od 1 lipca 2027 r. Nie jest wymagane żadne działanie z Państwa strony.",
		"A fatura passa a incluir o detalhe por serviço. Não é necessária qualquer ação da sua parte.",
		"A fix was deployed to all points of presence. Customer action: none.",
		"Dashboards now support dark mode. Nothing to do on your side.",
	} {
		if s := informationalSignal(Email{Subject: "Notice", Body: body}); !s.strong() {
			t.Errorf("%q: informational %q (%d)", body, s, s.score)
		}
	}
	for _, body := range []string{
		"Obecny nagłówek zostanie wyłączony 31 maja 2027 r.",
		"As versões 5.x deixarão de conseguir sincronizar ordens de trabalho.",
		"La Rating API v3 sarà dismessa il 30/06/2027.",
	} {
		if s := breakingSignal(Email{Subject: "Notice", Body: body}); !s.strong() {
			t.Errorf("%q: breaking %q (%d)", body, s, s.score)
		}
	}
}

// TestDeprecationThatAsksNothing: a digest that lists a deprecation and
// says no action is required announces no breaking change; a deprecation
// with a removal stays one.
func TestDeprecationThatAsksNothing(t *testing.T) {
	digest := "Release 27.2 - changelog digest. No action required.\nDeprecated (no change yet): the classic invoice designer."
	if s := breakingSignal(Email{Subject: "Changelog", Body: digest}); s.strong() {
		t.Errorf("digest: breaking %q", s)
	}
	removal := "No action required today. The classic designer is deprecated and will be removed on 1 December 2027."
	if s := breakingSignal(Email{Subject: "Changelog", Body: removal}); !s.strong() {
		t.Errorf("removal: breaking %q (%d)", s, s.score)
	}
}

// statusRegistry is a DNS provider that two applications' zones are
// hosted on, with a rule that covers any incident of it.
func statusRegistry() registry.Snapshot {
	return registry.Snapshot{
		Vendors: []registry.Vendor{{ID: "v-dns", Name: "Harbourlight", Tier: registry.Tier2, EmailDomains: []string{"harbourlight.example"}, IsActive: true}},
		Applications: []registry.Application{
			{ID: "app-store", Name: "Storefront", IsCritical: true, VendorIDs: []string{"v-dns"}, IsActive: true,
				Description: "Online store shop.example.pl; its zone is hosted on Harbourlight DNS."},
			{ID: "app-site", Name: "Brochure", VendorIDs: []string{"v-dns"}, IsActive: true,
				Description: "Corporate website; the example.pl zone is hosted on Harbourlight DNS."},
		},
		Rules: []registry.Rule{{ID: "rule-dns", Name: "DNS", Severity: registry.SeverityHigh, VendorID: "v-dns", IsActive: true,
			Text: "Harbourlight changes to name servers or DNSSEC, and any Harbourlight incident, are high."}},
	}
}

// TestIncidentUnderWay: a status update on an incident not yet resolved
// is actionable even when it asks nothing of the reader, reaches every
// application that uses the vendor and takes the severity of the rule
// that covers any incident of the vendor; the update that resolves it is
// informational.
func TestIncidentUnderWay(t *testing.T) {
	sent := time.Date(2027, 5, 8, 3, 26, 0, 0, time.UTC)
	decide := func(subject, body string) Decision {
		t.Helper()
		e := Email{MessageID: subject + "@status.harbourlight.example", FromAddress: "alerts@status.harbourlight.example", Date: sent, Subject: subject, Body: body}
		d, err := (&Agent{}).Decide(context.Background(), e, statusRegistry(), testSettings())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := decide("Incident update: Identified - SERVFAIL for zones on cluster C",
		"May 8, 03:22 UTC - Identified\nA configuration push corrupted the signed zone cache; resolvers get SERVFAIL for signed zones. We are reverting it.\n\n"+
			"May 8, 02:51 UTC - Investigating\nWe are investigating reports of resolution failures.\n\nNo action is required from you; records are intact.")
	if d.Classification != Actionable || d.Severity != registry.SeverityHigh || !slices.Equal(d.AffectedApplicationIDs, []string{"app-store", "app-site"}) &&
		!slices.Equal(d.AffectedApplicationIDs, []string{"app-site", "app-store"}) {
		t.Errorf("under way: %s %s %v\n%s", d.Classification, d.Severity, d.AffectedApplicationIDs, d.Reasoning)
	}
	d = decide("[Resolved] SERVFAIL for zones on cluster C",
		"== Resolved == 04:10 UTC\nThe push was reverted and caches rebuilt. No action is required from you.\n\n== Identified == 03:22 UTC\nWe are reverting the push.")
	if d.Classification != Informational || len(d.AffectedApplicationIDs) != 0 {
		t.Errorf("resolved: %s %v\n%s", d.Classification, d.AffectedApplicationIDs, d.Reasoning)
	}
}
