package tracker_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

func validSpec() tracker.IssueSpec {
	return tracker.IssueSpec{ProjectKey: "PAY", IssueType: "Task", Summary: "Visa — URL endpoint change [VS-2847]",
		DueDate: "2027-04-20", IdempotencyKey: "VS-2847-app42"}
}

func TestIssueSpecValidate(t *testing.T) {
	cases := map[string]struct {
		edit func(*tracker.IssueSpec)
		want string // substring of the message; "" for valid
	}{
		"valid":              {func(*tracker.IssueSpec) {}, ""},
		"no project":         {func(s *tracker.IssueSpec) { s.ProjectKey = " " }, "project key is required"},
		"no type":            {func(s *tracker.IssueSpec) { s.IssueType = "" }, "issue type is required"},
		"no summary":         {func(s *tracker.IssueSpec) { s.Summary = "" }, "summary is required"},
		"255 runes is fine":  {func(s *tracker.IssueSpec) { s.Summary = strings.Repeat("é", 255) }, ""},
		"256 runes":          {func(s *tracker.IssueSpec) { s.Summary = strings.Repeat("é", 256) }, "longer than 255"},
		"line break":         {func(s *tracker.IssueSpec) { s.Summary = "a\nb" }, "line break"},
		"bad date":           {func(s *tracker.IssueSpec) { s.DueDate = "2027-02-30" }, "due date"},
		"bad key":            {func(s *tracker.IssueSpec) { s.IdempotencyKey = "has space" }, "idempotency key"},
		"javascript link":    {func(s *tracker.IssueSpec) { s.Description.Link = &tracker.Link{URL: "javascript:alert(1)"} }, "link"},
		"no idempotency key": {func(s *tracker.IssueSpec) { s.IdempotencyKey = "" }, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := validSpec()
			tc.edit(&s)
			err := s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tc.want != "" && (httpx.KindOf(err) != httpx.BadRequest || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate = %v, want bad_request mentioning %q", err, tc.want)
			}
		})
	}
}

func TestIdempotencyLabel(t *testing.T) {
	if got := tracker.IdempotencyLabel("VS-2847-0190aB"); got != "vsid-vs-2847-0190ab" {
		t.Errorf("label = %q", got)
	}
	for key, ok := range map[string]bool{"VS-1-a.b_c:d": true, "": false, "a b": false, `a"b`: false, strings.Repeat("k", 201): false} {
		if got := tracker.ValidIdempotencyKey(key); got != ok {
			t.Errorf("ValidIdempotencyKey(%q) = %v, want %v", key, got, ok)
		}
	}
}

func TestDate(t *testing.T) {
	loc := time.FixedZone("UTC+10", 10*3600)
	if got := tracker.DateOf(time.Date(2027, 4, 19, 20, 0, 0, 0, time.UTC), loc); got != "2027-04-20" {
		t.Errorf("DateOf = %s, want 2027-04-20", got)
	}
	for d, ok := range map[tracker.Date]bool{"2027-04-20": true, "2027-4-20": false, "2028-02-29": true, "2027-02-29": false} {
		if d.Valid() != ok {
			t.Errorf("%s.Valid() = %v, want %v", d, !ok, ok)
		}
	}
}

func TestMarkdown(t *testing.T) {
	d := tracker.Document{
		Title: "VENDOR CHANGE — Visa *urgent*",
		Fields: []tracker.Field{
			{Name: "Vendor", Value: "Visa"},
			{Name: "Effective date", Value: "April 20, 2027 (D-180)"},
		},
		Paragraphs: []tracker.Paragraph{
			{Label: "Summary", Text: "# not a heading\n- not a list\n1. not a list\n[click](https://evil.example) <b>x</b>"},
			{Text: "snake_case & `code`"},
		},
		Link: &tracker.Link{Label: "Direct link", Text: "VS-2847", URL: "https://vs.example.com/tickets/VS-2847"},
	}
	want := "### VENDOR CHANGE — Visa \\*urgent\\*\n\n---\n\n" +
		"- **Vendor:** Visa\n- **Effective date:** April 20, 2027 (D-180)\n\n" +
		"**Summary:** \\# not a heading  \n\\- not a list  \n1\\. not a list  \n\\[click\\](https://evil.example) \\<b\\>x\\</b\\>\n\n" +
		"snake\\_case \\& \\`code\\`\n\n" +
		"**Direct link:** [VS-2847](<https://vs.example.com/tickets/VS-2847>)\n\n---"
	if diff := cmp.Diff(want, d.Markdown()); diff != "" {
		t.Errorf("markdown (-want +got):\n%s", diff)
	}
}
