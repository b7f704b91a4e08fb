package triage

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

func TestExtractDate(t *testing.T) {
	sent := time.Date(2027, 2, 26, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, text, want, note string
	}{
		{"ISO", "The change is effective 2027-04-20 for all clients.", "2027-04-20", ""},
		{"month day year", "Effective April 20, 2027, requests must use v2.", "2027-04-20", ""},
		{"month day ordinal", "Deadline: Apr 20th 2027.", "2027-04-20", ""},
		{"day month year", "The endpoint will be retired on 20 April 2027.", "2027-04-20", ""},
		{"day month year, 31st", "Starting 31 January 2028 the old format is rejected.", "2028-01-31", ""},
		{"day first slash", "Keys rotate on 20/04/2027.", "2027-04-20", ""},
		{"day first dots", "From 12.04.2027 files go to the new host.", "2027-04-12", ""},
		{"month first when day > 12", "Scheduled for 04/20/2027.", "2027-04-20", "month-first"},
		{"ambiguous read day first", "Registration deadline 04/05/2027.", "2027-05-04", "day-first"},
		{"month only is its last day", "Browsers distrust the root in June 2027.", "2027-06-30", "last day of the month"},
		{"quarter is its last day", "The v1 feed is sunset in Q3 2027.", "2027-09-30", "quarter"},
		{"past dates ignored", "Announced on January 5, 2027; effective May 3, 2027.", "2027-05-03", ""},
		{"deadline word beats an earlier plain date", "Webinar March 10, 2027. Old API retired by June 1, 2027.", "2027-06-01", ""},
		{"soonest of equal cues", "Deprecated by 2027-09-01 and removed by 2027-05-01.", "2027-05-01", ""},
		{"own date line ignored", "Date: Mon, April 5, 2027\nNo other date here.", "", ""},
		{"sending day without a cue ignored", "February 26, 2027\n\nDear client,", "", ""},
		{"impossible date ignored", "Effective 2027-02-30.", "", ""},
		{"no date", "We are improving our API.", "", ""},
		{"ISO with slashes", "Effective as of 2027/03/15.", "2027-03-15", ""},
		{"day-month-year with dashes", "Effective 15-Mar-2027.", "2027-03-15", ""},
		{"two-digit year", "Cut-over on 3/15/27.", "2027-03-15", "month-first"},
		{"ordinal without a year", "Starting March 15th, requests need TLS 1.3.", "2027-03-15", "no year given"},
		{"day of month without a year", "Effective the 2nd of February, the old host is gone.", "2028-02-02", "no year given"},
		// A day and month without a year just before the email was sent
		// is the recent past, not next year's deadline.
		{"a recent day without a year is history", "A defect introduced on February 10 logged your secrets. Roll them within 10 days of this email.", "2027-03-08", "relative"},
		// Tables: a column or a row about a test environment is not the
		// change's date, and on a table of releases the row of the
		// version the email says you run wins, whether its cells are set
		// apart by bars or by runs of spaces (plain text, PDF).
		{"a table's sandbox column", "Milestone | Sandbox | Production\nv2 read-only | 1 June 2027 | 16 August 2027\nv2 switched off (HTTP 410) | 15 June 2027 | 31 August 2027", "2027-08-31", ""},
		{"a plain-text table's sandbox column", "Milestone          Sandbox          Production\nv2 switched off    15 June 2027     31 August 2027", "2027-08-31", ""},
		{"a plain-text table whose header leaves the labels' cell empty", "                  Sandbox      Production\nv2 read-only      2027-07-01   2027-09-01\nv2 switched off   2027-08-02   2027-10-29", "2027-10-29", ""},
		{"a row about demo accounts", "Milestone | Date\nv1 disabled in demo accounts | Sep 15, 2027\nv1 requests refused in production accounts | Nov 30, 2027", "2027-11-30", ""},
		{"the end of a month without a year", "Submit the registration by the end of August; unregistered traffic will be blocked.", "2027-08-31", "no year given"},
		{"the end of a month without a year that has passed this year", "Move to v2 by the end of January.", "2028-01-31", "no year given"},
		{"a row about a development environment", "Instance | Type | Upgrade date\nacme-dev | Development | Apr 5, 2027\nacme-prod | Production | May 17, 2027", "2027-05-17", ""},
		{"a plain-text table of versions", "Your organization (customer 0041877) runs Widget 23.1.\nVersion      Release      End of support\nWidget 22.1      2022-06-15      2027-03-31\nWidget 23.1      2023-06-14      2027-09-30", "2027-09-30", "the row of the version the email says you run"},
		{"the verb may is no month", "You may 3 times retry. Effective 2027-04-01.", "2027-04-01", ""},
		{"a step before the change is not its date", "Passwords are reset on March 15, 2027. New credentials will be sent to you on March 12, 2027.", "2027-03-15", ""},
		{"range start takes the range's year", "Tokens created by customers between January 4 and February 19, 2027 are revoked on March 15, 2027.", "2027-03-15", ""},
		{"end of a month", "Uploads stop at the end of April 2027 (subject: from May 2027).", "2027-04-30", "last day of the month"},
		{"in N days", "The old keys stop working in 90 days.", "2027-05-27", "relative to the email's date"},
		{"within N days", "Rotate your keys within 30 days.", "2027-03-28", "relative"},
		{"N weeks from now", "The change lands 6 weeks from now.", "2027-04-09", "relative"},
		{"spelled-out count", "Migrate within thirty days.", "2027-03-28", "relative"},
		{"next weekday", "The new endpoint goes live next Wednesday.", "2027-03-03", "relative"},
		// The cut-over, a deadline word, beats the maintenance window; the
		// email's 03/20/2027 says 04/05/2027 is month-first.
		{"ambiguous resolved by another date in the email", "Maintenance 03/20/2027, cut-over 04/05/2027.", "2027-04-05", "month-first"},
		{"ambiguous resolved month-first by another date", "Webinar on 03/20/2027.\nSunset: 04/05/2027.", "2027-04-05", "month-first: the email writes 03/20/2027 month-first"},
		{"spelled-out weeks from the date of the notice", "Six weeks from the date of this notice, the v1 endpoint is removed.", "2027-04-09", "relative"},
		{"end of support beats a recommended booking date",
			"Release 9.4 reaches end of support on 31.10.2027. We recommend booking your upgrade before 30.06.2027.", "2027-10-31", ""},
		{"a timeline item says what happens on its date",
			"Timeline\n- 06/21/2027: OAuth client credentials available in production.\n- 08/02/2027: basic authentication is turned off. Requests that use it will be rejected.",
			"2027-08-02", ""},
		{"a timeline table's row says what happens on its date",
			"Date | Change\n2027-06-21 | OAuth client credentials available in production\n2027-08-02 | Basic authentication turned off; requests will be rejected",
			"2027-08-02", ""},
		{"a newsletter's notice beats its event",
			"What's new\n- Join our webinar on paperless billing on March 24.\n\nAction required\nFrom 06/30/2027, webhooks are signed and the legacy field will no longer be sent.",
			"2027-06-30", ""},
		{"the table row of the version the customer runs",
			"Release | General availability | End of support\n2020.x | 15-Jun-2020 | 31-Mar-2027\n2021.x | 14-Jun-2021 | 30-Sep-2027\n" +
				"2022.x | 13-Jun-2022 | 31-Mar-2028\nOur records show that your site runs Ledger 2021.6.", "2027-09-30", "the version"},
	}
	today := Date{2027, time.March, 1}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := extractDate("", tt.text, "", "", sent, today, time.UTC)
			if tt.want == "" {
				if ok {
					t.Errorf("found %s from %q, want none", got.date, got.text)
				}
				return
			}
			if !ok || got.date.String() != tt.want {
				t.Fatalf("date = %s (found %v), want %s", got.date, ok, tt.want)
			}
			if !strings.Contains(got.note, tt.note) {
				t.Errorf("note = %q, want it to mention %q", got.note, tt.note)
			}
		})
	}
}

func TestDateJSON(t *testing.T) {
	var d struct {
		A Date `json:"a,omitzero"`
		B Date `json:"b"`
	}
	d.B = Date{2027, time.April, 20}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"b":"2027-04-20"}` {
		t.Errorf("marshal = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"a":"","b":"2028-02-29"}`), &d); err != nil || !d.A.IsZero() || d.B.String() != "2028-02-29" {
		t.Errorf("unmarshal = %+v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`{"b":"2027-02-29"}`), &d); err == nil {
		t.Error("29 February 2027 accepted")
	}
	if got := (Date{2027, time.April, 20}).DaysAfter(Date{2027, time.March, 1}); got != 50 {
		t.Errorf("DaysAfter = %d, want 50", got)
	}
}

func TestStem(t *testing.T) {
	groups := [][]string{
		{"authorization", "authorizations", "authorize", "authorized"},
		{"deprecation", "deprecated", "deprecate", "deprecating"},
		{"certificate", "certificates"},
		{"endpoint", "endpoints"},
		{"file", "files"},
		{"runtime", "runtimes"},
		{"policy", "policies"},
		{"process", "processes", "processing"},
	}
	for _, g := range groups {
		for _, w := range g[1:] {
			if stem(w) != stem(g[0]) {
				t.Errorf("stem(%q) = %q, stem(%q) = %q", w, stem(w), g[0], stem(g[0]))
			}
		}
	}
	for _, w := range []string{"tls", "status", "access", "use"} {
		if s := stem(w); s != w {
			t.Errorf("stem(%q) = %q, want it unchanged", w, s)
		}
	}
}

// TestNumericDateLocale: an ambiguous numeric date is read in the order the
// sender's country writes dates, and says so; with no hint it is read
// day-first and flagged for a person to check.
func TestNumericDateLocale(t *testing.T) {
	sent := time.Date(2027, 2, 26, 9, 0, 0, 0, time.UTC)
	today := Date{2027, time.March, 1}
	for from, want := range map[string][2]string{
		"it@bank.de":         {"2027-05-04", "the sender's domain bank.de writes dates day-first"},
		"ops@agency.us":      {"2027-04-05", "the sender's domain agency.us is American"},
		"noreply@vendor.com": {"2027-05-04", "ambiguous numeric date read day-first: check it"},
		// A .com sender's postal address in its footer.
		"noreply@vendor.com\n302 South 4th Street, Suite 500, Manhattan, KS 66502": {"2027-04-05", "the sender's address (KS 66502) is American"},
		"noreply@vendor.com\nProduct Lifecycle, Zürich, Switzerland":               {"2027-05-04", "the sender's address (Switzerland) writes dates day-first"},
	} {
		from, footer, _ := strings.Cut(from, "\n")
		got, ok := extractDate("", "Effective 04/05/2027.\n\n"+footer, from, "", sent, today, time.UTC)
		if !ok || got.date.String() != want[0] || !strings.Contains(got.note, want[1]) {
			t.Errorf("%s: %s %q, want %s %q", from, got.date, got.note, want[0], want[1])
		}
	}
}

// TestVersionTableFromRegistry: a table of releases that does not say which
// one the customer runs is read at the row of the version the registry's
// descriptions give for the sender's product; without one, the soonest
// deadline stands.
func TestVersionTableFromRegistry(t *testing.T) {
	snap := withApps([4]string{"app-gl", "FinanceSuite", "v-ledger", "Ledgerly Books 2021.6 hosted by Ledgerly for general ledger and payroll."})
	snap.Vendors = append(snap.Vendors, registry.Vendor{ID: "v-ledger", Name: "Ledgerly Software", Tier: registry.Tier1,
		EmailDomains: []string{"ledgerly.example"}, Aliases: []string{"Ledgerly", "Books"}, IsActive: true})
	body := "Each Books release is supported for a fixed period; after end of support no fixes are provided and hosting ends.\n\n" +
		"Release | General availability | End of support\n2020.x | 15-Jun-2020 | 31-Mar-2027\n2021.x | 14-Jun-2021 | 30-Sep-2027\n" +
		"2022.x | 13-Jun-2022 | 31-Mar-2028\n\nPlease schedule your upgrade with your account manager."
	e := Email{MessageID: "t@ledgerly.example", FromAddress: "support@ledgerly.example", Subject: "Books release support schedule",
		Body: body, Date: testNow}
	d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if d.EffectiveDate.String() != "2027-09-30" || !strings.Contains(d.Reasoning, "the registry says you run") {
		t.Errorf("effective date %s, want 2027-09-30 from the registry's version\n%s", d.EffectiveDate, d.Reasoning)
	}
	snap.Applications[len(snap.Applications)-1].Description = "Ledgerly Books hosted by Ledgerly for general ledger and payroll."
	if d, _ := (&Agent{}).Decide(context.Background(), e, snap, testSettings()); d.EffectiveDate.String() != "2027-03-31" {
		t.Errorf("without a version in the registry: %s, want the soonest end of support 2027-03-31", d.EffectiveDate)
	}
}

// TestPastDatesAreHistory: a date before the email was sent says what
// already happened (when an incident was found, which keys were issued
// before it); the date the notice sets for the change wins.
func TestPastDatesAreHistory(t *testing.T) {
	sent := time.Date(2027, 3, 10, 8, 0, 0, 0, time.UTC)
	body := "On 8 March 2027 our security team identified unauthorised access to an internal logging system. " +
		"All keys issued before 8 March 2027 will be revoked on 24 March 2027; after that, requests signed with them will be rejected."
	fd, ok := extractDate("Security incident: rotate your keys", body, "security@stripe.com", "", sent, DateOf(testNow, time.UTC), time.UTC)
	if !ok || fd.date != (Date{2027, time.March, 24}) {
		t.Errorf("got %v (%q), want 2027-03-24", fd.date, fd.text)
	}
}
