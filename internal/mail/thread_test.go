package mail

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestThreadKeys(t *testing.T) {
	e, err := Parse(readTestdata(t, "reply_in_reply_to.eml"), Limits{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []string{"vs-0042.1711111111@vendorsync.example-corp.com", "20250303140211.7F3A2B@mail.visa.com"}
	if diff := cmp.Diff(want, ThreadKeys(e)); diff != "" {
		t.Errorf("ThreadKeys (-want +got):\n%s", diff)
	}

	self := SourceEmail{MessageID: "a@x.com", InReplyTo: "<a@X.COM>", References: []string{"b@x.com", "a@x.com", "c@x.com"}}
	if diff := cmp.Diff([]string{"c@x.com", "b@x.com"}, ThreadKeys(self)); diff != "" {
		t.Errorf("ThreadKeys without own id (-want +got):\n%s", diff)
	}
	if got := ThreadKeys(SourceEmail{MessageID: "n@x.com"}); len(got) != 0 {
		t.Errorf("ThreadKeys of a new thread = %q, want none", got)
	}
}

func TestTicketRefs(t *testing.T) {
	tests := map[string][]string{
		"RE: [VS-0042] Visa Direct API endpoint change":    {"VS-0042"},
		"Fwd: [vs-7] and [ VS-0100 ] and [VS-0042] [VS-7]": {"VS-7", "VS-0100", "VS-0042"},
		"VS-0042 without brackets":                         nil,
		"[VS-] [VSX-1] [ABC-0042]":                         nil,
		"":                                                 nil,
	}
	for subject, want := range tests {
		if diff := cmp.Diff(want, TicketRefs(subject)); diff != "" {
			t.Errorf("TicketRefs(%q) (-want +got):\n%s", subject, diff)
		}
	}
}
