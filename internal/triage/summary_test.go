package triage

import (
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestSummarizeTestEmails(t *testing.T) {
	tests := []struct{ file, want string }{
		{"01_visa_endpoint.eml", "As announced in the VisaNet Business Enhancements release, Visa is moving the authorization v2 endpoint to a new host. " +
			"Effective April 20, 2027, all authorization requests must be sent to https://auth.api.visa.com/v2/authorization instead of " +
			"https://api.visa.com/v2/authorization. The old URL will be decommissioned on that date and requests sent to it will be rejected."},
		// The "You're receiving this email because" opening and the
		// signature are skipped.
		{"02_stripe_deprecation.eml", "This API version is deprecated and will be retired on 15 September 2027. " +
			"After that date, requests made with this version will fail and webhook events will be sent using the payload shape of the latest version. " +
			"To prepare, upgrade your integration to the latest API version from the Workbench, test your webhook endpoint handlers for " +
			"invoice and payment_intent events, and roll the new version out before the retirement date."},
		// The forwarder's note, the separator and the forwarded headers
		// are skipped.
		{"06_forwarded_visa_vau.eml", "Beginning 31 May 2027, the Visa Account Updater response file will use schema version 3 of the fixed-width layout. " +
			"The version 2 layout will be retired and files in that layout will no longer be supported. " +
			"Participants must migrate their file parsers before that date."},
		// A title line without a full stop is no sentence.
		{"12_mastercard_auth_iso.eml", "Effective 2027-03-20, acquirers must populate DE 48 subelement 42 in every authorization request message. " +
			"Authorization requests without it will be declined with response code 30. This change is mandatory for all regions."},
		{"13_aws_lambda_runtime.eml", "Lambda will end support for Python 3.9 on December 15, 2027. " +
			"After that date, Lambda will no longer apply security patches, and you will no longer be able to create or update functions " +
			"that use the Python 3.9 runtime. We recommend that you upgrade your functions to Python 3.13."},
		// The sentence before the one stating the change completes it.
		{"21_aws_ec2_retirement.eml", "EC2 has detected degradation of the underlying hardware hosting your EKS node instance i-0a1b2c3d4e5f " +
			"in the eu-west-1 Region. The instance is scheduled for retirement on 2027-03-20, after which it will be stopped."},
		// A forward quoted with ">": the quoted notice is all there is.
		{"22_forwarded_visa_risk_manager.eml", "The legacy Visa Risk Manager score fields in the authorization response will be removed on " +
			"April 15, 2027. Clients must read the new risk score field instead."},
		// Marketing footers are skipped.
		{"04_mastercard_webinar.eml", "Join us for a live webinar on March 18, 2027 with Mastercard product leaders on tokenization, " +
			"click to pay and the passkey roadmap. Save your seat today."},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Summarize(email(t, tt.file), testSettings())); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSummarizeSkipsGreetingsSignaturesAndQuotes(t *testing.T) {
	tests := []struct {
		name string
		e    Email
		want string
	}{
		{"reply above a quoted original", Email{Subject: "Re: Key rotation",
			Body: "Hi Maria,\n\nThe rotation moves to 20/04/2027. You must refresh cached JWKS keys before then.\n\nBest regards,\nOkta Support\n" +
				"Okta Inc. will never ask for your password.\n\nOn Mon, Feb 22, 2027, Maria wrote:\n> Will the rotation happen on 10/04/2027? Please confirm.\n"},
			"The rotation moves to 20/04/2027. You must refresh cached JWKS keys before then."},
		{"only a greeting and a signature: the subject", Email{Subject: "Fwd: [Notice] TLS 1.0 retirement",
			Body: "Hello,\n\n\x00Regards,\nThe Vendor Team"}, "TLS 1.0 retirement"},
		{"list items are sentences", Email{Subject: "API change",
			Body: "Dear customer,\nThe Orders API changes on 2027-05-01.\nWhat you need to do:\n- Update your client library to v4.\n- Retest refunds."},
			"The Orders API changes on 2027-05-01. Update your client library to v4."},
		{"untrusted text loses its control characters", Email{Subject: "x",
			Body: "The endpoint\u202e will be removed\x1b[31m on 2027-05-01.\tMigrate now."},
			"The endpoint will be removed [31m on 2027-05-01. Migrate now."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Summarize(tt.e, testSettings())); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSummarizeStaysShort(t *testing.T) {
	long := strings.Repeat("The legacy endpoint will be removed and every client must migrate to the new one ", 20) + "."
	body := "The endpoint is deprecated on 2027-05-01. " + long + " Clients must migrate before then."
	got := Summarize(Email{Subject: "x", Body: body}, testSettings())
	if got != "The endpoint is deprecated on 2027-05-01. Clients must migrate before then." {
		t.Errorf("summary = %q; want the sentences that fit", got)
	}
	got = Summarize(Email{Subject: "x", Body: long}, testSettings())
	if n := utf8.RuneCountInString(got); n > MaxSummary || n < MaxSummary-40 || !strings.HasSuffix(got, "…") {
		t.Errorf("summary of %d characters: %q; want a sentence cut after a word", n, got)
	}
}

func TestValidateLimitsSummary(t *testing.T) {
	first := "Visa moves the authorization endpoint on April 20, 2027."
	d := modelDecision()
	d.Summary = first + "\x00 Update\tthe URL.\n" + strings.Repeat("Padding sentence that goes on and on. ", 20)
	v, err := Validate(d, testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(v.Summary); n > MaxSummary || !strings.HasPrefix(v.Summary, first+" Update the URL. Padding") ||
		!strings.HasSuffix(v.Summary, "on and on.") {
		t.Errorf("summary of %d characters: %q; want it cut at a sentence boundary", n, v.Summary)
	}
	o, ok := overridden(v, "summary")
	if !ok || o.Reason != "longer than 600 characters: cut at a sentence boundary" || o.To != "566 characters" {
		t.Errorf("summary override = %+v", o)
	}
	again, _ := Validate(v, testRegistry())
	if len(again.Overrides) != len(v.Overrides) {
		t.Errorf("a second validation changed the summary again: %+v", again.Overrides)
	}
}

// modelDecision is a valid decision as parsed from a model's answer.
func modelDecision() Decision {
	return Decision{Classification: Actionable, VendorID: "v-visa", Severity: "high", Source: SourceLLM,
		AffectedApplicationIDs: []string{}, MatchedRuleIDs: []string{}}
}

func TestModelWithoutSummaryGetsTheEmails(t *testing.T) {
	for _, answer := range []string{modelAnswer(t, map[string]any{"summary": nil}), modelAnswer(t, map[string]any{"summary": " \n"})} {
		agent, srv := openAIAgent(t, answer)
		e := email(t, "01_visa_endpoint.eml")
		d, err := agent.Decide(context.Background(), e, testRegistry(), testSettings())
		if err != nil {
			t.Fatal(err)
		}
		if srv.Count() != 1 {
			t.Errorf("model asked %d times; a missing summary is no reason to ask again", srv.Count())
		}
		want := Summarize(e, testSettings())
		if d.Summary != want || !strings.HasPrefix(want, "As announced in the VisaNet") {
			t.Errorf("summary = %q, want the email's %q", d.Summary, want)
		}
		if o, ok := overridden(d, "summary"); !ok || o.To != want || o.Reason != "no summary given: extracted from the email" {
			t.Errorf("summary override = %+v", o)
		}
	}
}

func TestOfflineDecisionHasTheEmailsSummary(t *testing.T) {
	for _, l := range loadCorpus(t) {
		d, err := (&Agent{}).Decide(context.Background(), l.email, testRegistry(), testSettings())
		if err != nil {
			t.Fatal(err)
		}
		if want := Summarize(l.email, testSettings()); d.Summary != want || want == "" {
			t.Errorf("%s: summary %q, want %q", l.file, d.Summary, want)
		}
		if _, ok := overridden(d, "summary"); ok {
			t.Errorf("%s: offline summary overridden: %+v", l.file, d.Overrides)
		}
	}
}

func TestSchemaRequiresSummary(t *testing.T) {
	s := DecisionSchema().Schema
	prop, _ := s["properties"].(map[string]any)["summary"].(map[string]any)
	if prop["type"] != "string" || !strings.Contains(prop["description"].(string), "2–3 sentence") {
		t.Errorf("summary property = %v", prop)
	}
	if req := s["required"].([]string); req[len(req)-1] != "summary" {
		t.Errorf("required = %v", req)
	}
}

// FuzzSummarize summarizes arbitrary email text: no panic, and a summary
// that is short, valid UTF-8 and free of control characters.
func FuzzSummarize(f *testing.F) {
	for _, l := range loadCorpus(f) {
		f.Add(l.email.Subject, l.email.Body)
	}
	f.Add("Re: x", "> quoted.\nOn Mon wrote:\n> Will be removed on 2027-05-01. No. 3 e.g. A.\n-- \nsig")
	f.Fuzz(func(t *testing.T, subject, body string) {
		got := Summarize(Email{Subject: subject, Body: body}, testSettings())
		if n := utf8.RuneCountInString(got); n > MaxSummary || !utf8.ValidString(got) {
			t.Fatalf("summary of %d characters, valid UTF-8 %v: %q", n, utf8.ValidString(got), got)
		}
		if strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0 {
			t.Fatalf("control character in %q", got)
		}
	})
}
