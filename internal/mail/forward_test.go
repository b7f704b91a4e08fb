package mail

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestForwardedSenders(t *testing.T) {
	t.Run("testdata", func(t *testing.T) {
		tests := map[string][]Address{
			"forwarded_notice.eml": {
				{"Visa", "notices@visa.com"},
				{"Visa Security", "security-notices@visa.com"}, // attached message/rfc822
			},
			"outlook_forward.eml":      {{"Salesforce", "noreply@salesforce.com"}},
			"visa_endpoint_change.eml": nil,
			"reply_in_reply_to.eml":    nil,
		}
		for file, want := range tests {
			e, err := Parse(readTestdata(t, file), Limits{})
			if err != nil {
				t.Fatalf("Parse %s: %v", file, err)
			}
			if diff := cmp.Diff(want, ForwardedSenders(e)); diff != "" {
				t.Errorf("ForwardedSenders(%s) (-want +got):\n%s", file, diff)
			}
		}
	})
	tests := []struct{ name, body string }{
		{"apple mail", "Look at this\n\nBegin forwarded message:\n\n> From: Visa <notices@visa.com>\n> Subject: Change\n> Date: 1 May 2025\n"},
		{"thunderbird", "-------- Forwarded Message --------\nSubject: \tChange\nDate: \tThu, 1 May 2025\nFrom: \tVisa <notices@visa.com>\n"},
		{"outlook plain", "Please triage\n\n________________________________\nFrom: Visa <notices@visa.com>\nSent: Thursday, May 1, 2025 10:00\nTo: Ops\n"},
		{"outlook mailto", "-----Original Message-----\nFrom: Visa [mailto:notices@visa.com]\nSent: Thursday, May 1, 2025 10:00\n"},
		{"bold markdown", "---------- Forwarded message ---------\n*From:* Visa <notices@visa.com>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := SourceEmail{From: Address{"Dana", "dana@example-corp.com"}, TextBody: tt.body}
			want := []Address{{"Visa", "notices@visa.com"}}
			if diff := cmp.Diff(want, ForwardedSenders(e)); diff != "" {
				t.Errorf("ForwardedSenders (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("outer sender and name only", func(t *testing.T) {
		e := SourceEmail{
			From: Address{"Dana", "dana@example-corp.com"},
			TextBody: "---------- Forwarded message ---------\nFrom: Dana <Dana@Example-Corp.com>\n\n" +
				"-----Original Message-----\nFrom: Visa Notices\nSent: today\n",
		}
		want := []Address{{Name: "Visa Notices"}}
		if diff := cmp.Diff(want, ForwardedSenders(e)); diff != "" {
			t.Errorf("ForwardedSenders (-want +got):\n%s", diff)
		}
	})
}
