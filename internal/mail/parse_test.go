package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// readTestdata returns the bytes of testdata/name.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return raw
}

// att describes an expected attachment without its bytes.
type att struct {
	Filename, ContentType, ContentID string
	Inline                           bool
	Size                             int64
}

func attachmentsOf(e SourceEmail) []att {
	var out []att
	for _, a := range e.Attachments {
		out = append(out, att{a.Filename, a.ContentType, a.ContentID, a.Inline, a.Size})
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		file     string
		limits   Limits
		want     SourceEmail // compared without bodies, attachments and errors
		wantText string      // substring of TextBody
		wantAtt  []att
		wantErrs []string // substrings, one per expected ParseErrors entry
	}{
		{
			file: "visa_endpoint_change.eml",
			want: SourceEmail{
				MessageID: "20250303140211.7F3A2B@mail.visa.com",
				From:      Address{"Visa Developer Platform", "notices@visa.com"},
				ReplyTo:   []Address{{"Visa Developer Support", "developer-support@visa.com"}},
				To:        []Address{{"", "vendor-notices@example-corp.com"}},
				Cc:        []Address{{"Payments Team", "payments@example-corp.com"}, {"", "api-owner@example-corp.com"}},
				Subject:   "Action required: Visa Direct API endpoint change effective June 30, 2025",
				Date:      time.Date(2025, 3, 3, 14, 2, 7, 0, time.UTC),
			},
			wantText: "  New: https://api.visa.com/visadirect/fundstransfer/v2/pushfundstransactions\n\nRequests",
		},
		{
			file: "stripe_deprecation_html.eml",
			want: SourceEmail{
				MessageID: "0100018f3c2a9b1e-5e1d@email.stripe.com",
				From:      Address{"Stripe", "notifications@stripe.com"},
				To:        []Address{{"", "billing-eng@example-corp.com"}},
				Subject:   "[Action required] Migrate from the Sources API by September 1, 2025",
				Date:      time.Date(2025, 4, 15, 16, 45, 0, 0, time.UTC),
				// The preheader: shown in the inbox list, not in the email.
				HiddenContent: []Hidden{{Reason: "display:none", Text: "Upgrade before the Sources API is removed"}},
			},
			wantText: "On 2025-09-01 we will:\n\n- stop accepting new Source objects,\n- return 410 Gone for POST /v1/sources, and\n" +
				"- remove card sources from the Dashboard.\n\nRead the migration guide " +
				"(https://docs.stripe.com/payments/payment-methods/transitioning) or contact support@stripe.com.\nThanks,\nThe Stripe team",
		},
		{
			file: "qp_windows1252.eml",
			want: SourceEmail{
				MessageID: "a1b2c3d4.20250410@fedex.com",
				From:      Address{"FedEx Developer Resource Center", "devresources@fedex.com"},
				To:        []Address{{"", "shipping-it@example-corp.com"}},
				Subject:   "FedEx’s Ship Manager API – retirement notice",
				Date:      time.Date(2025, 4, 10, 13, 0, 0, 0, time.UTC),
			},
			wantText: "FedEx’s Ship Manager API – version 9 – will be retired on 31 July 2025.\nFees of €0.05 per label apply to legacy requests after that date. Café locations",
		},
		{
			file: "base64_iso88591.eml",
			want: SourceEmail{
				MessageID: "8f2e1d0c9b@dhl.de",
				From:      Address{"DHL Geschäftskunden", "geschaeftskunden@dhl.de"},
				To:        []Address{{"", "logistik@example-corp.com"}},
				Subject:   "Änderung der Sendungsverfolgungs-API",
				Date:      time.Date(2025, 4, 11, 8, 30, 0, 0, time.UTC),
			},
			wantText: "am 15. Mai 2025 ändert sich die Schnittstelle für Sendungsverfolgung.",
		},
		{
			file: "iso2022jp.eml",
			want: SourceEmail{
				MessageID: "jp-notice-1@rakuten.co.jp",
				From:      Address{"楽天", "api-info@rakuten.co.jp"},
				To:        []Address{{"", "ec@example-corp.com"}},
				Subject:   "エンドポイントの変更",
				Date:      time.Date(2025, 4, 25, 1, 0, 0, 0, time.UTC),
			},
			wantText: "2025年6月1日より、API のエンドポイントが変更されます。",
		},
		{
			file: "koi8r.eml",
			want: SourceEmail{
				MessageID: "ru-1@yandex.ru",
				From:      Address{"Yandex Cloud", "noreply@cloud.yandex.ru"},
				To:        []Address{{"", "infra@example-corp.com"}},
				Subject:   "Изменение адреса API",
				Date:      time.Date(2025, 4, 25, 7, 0, 0, 0, time.UTC),
			},
			wantText: "С 1 июня 2025 года изменится адрес API.",
		},
		{
			file: "pdf_attachment.eml",
			want: SourceEmail{
				MessageID: "CAF=3xQm9pL2@mail.gmail.com",
				From:      Address{"AWS Notifications", "no-reply-aws@amazon.com"},
				To:        []Address{{"", "cloud-ops@example-corp.com"}},
				Subject:   "[Action Required] Amazon RDS for MySQL 5.7 end of standard support",
				Date:      time.Date(2025, 4, 16, 12, 0, 0, 0, time.UTC),
			},
			wantText: "Hello,\n\nAmazon RDS for MySQL 5.7 reaches end of standard support on February 29, 2024.\nThe affected",
			wantAtt: []att{
				{"affected-instances.pdf", "application/pdf", "", false, 125},
				{"aws-logo.png", "image/png", "logo@amazon.com", true, 70},
			},
		},
		{
			file: "forwarded_notice.eml",
			want: SourceEmail{
				MessageID: "CAKx9=fwd123@mail.gmail.com",
				From:      Address{"Dana Lee", "dana.lee@example-corp.com"},
				To:        []Address{{"", "vendor-notices@example-corp.com"}},
				Subject:   "Fwd: Visa Direct certificate rotation",
				Date:      time.Date(2025, 4, 17, 9, 15, 0, 0, time.UTC),
			},
			wantText: "---------- Forwarded message ---------\nFrom: Visa <notices@visa.com>\n",
			wantAtt:  []att{{"original.eml", "message/rfc822", "", false, 217}},
		},
		{
			file: "reply_in_reply_to.eml",
			want: SourceEmail{
				MessageID:  "reply-5521@visa.com",
				From:       Address{"Visa Developer Support", "developer-support@visa.com"},
				To:         []Address{{"", "vendor-notices@example-corp.com"}},
				Subject:    "RE: [VS-0042] Visa Direct API endpoint change",
				Date:       time.Date(2025, 4, 22, 11, 0, 0, 0, time.UTC),
				InReplyTo:  "vs-0042.1711111111@vendorsync.example-corp.com",
				References: []string{"20250303140211.7F3A2B@mail.visa.com", "vs-0042.1711111111@vendorsync.example-corp.com"},
			},
			wantText: "The v2 endpoint is available in sandbox now.",
		},
		{
			file: "malformed_boundary.eml",
			want: SourceEmail{
				MessageID: "broken-77@notices.twilio.com",
				From:      Address{"Twilio", "notices@twilio.com"},
				To:        []Address{{"", "sms-platform@example-corp.com"}},
				Subject:   "Twilio: TLS 1.0 and 1.1 no longer supported",
				Date:      time.Date(2025, 4, 23, 7, 0, 0, 0, time.UTC),
			},
			wantText: "Starting June 1, 2025 Twilio REST endpoints will reject TLS 1.0 and 1.1 connections.\n",
			wantAtt:  []att{{"tls.pdf", "application/pdf", "", false, 19}},
			wantErrs: []string{`Boundary "outer" was not closed`, "Malformed Base64", "Malformed Base64"},
		},
		{
			file: "missing_message_id.eml",
			want: SourceEmail{
				MessageID:          "sha256-440a7d90d065a813f4caec819c4e5ee07eeebfb322532018275149a81307f648@vendorsync.invalid",
				MessageIDSynthetic: true,
				From:               Address{"Okta Notifications", "noreply@okta.com"},
				To:                 []Address{{"", "identity@example-corp.com"}},
				Subject:            "Okta: Classic Engine org upgrade scheduled",
			},
			wantText: "Your Okta org will be upgraded to Identity Engine on 2025-05-10.",
			wantErrs: []string{`unreadable Date header "someday next week"`, `unsupported charset "x-unknown-charset"`, "missing Message-ID"},
		},
		{
			file:   "oversize_attachment.eml",
			limits: Limits{MaxAttachmentBytes: 1024},
			want: SourceEmail{
				MessageID: "big-att-1@cloudflare.com",
				From:      Address{"Cloudflare", "noreply@notify.cloudflare.com"},
				To:        []Address{{"", "edge@example-corp.com"}},
				Subject:   "Cloudflare API token changes",
				Date:      time.Date(2025, 4, 24, 12, 0, 0, 0, time.UTC),
			},
			wantText: "See attached.",
			wantAtt: []att{
				{"endpoints.csv", "text/csv", "", false, 497},
				{"part-4.json", "application/json", "", false, 20},
			},
			wantErrs: []string{`attachment "big.bin" dropped: 2048 bytes, over the 1024-byte limit`},
		},
	}
	ignore := cmpopts.IgnoreFields(SourceEmail{}, "TextBody", "HTMLBody", "Attachments", "ParseErrors", "Size", "RawSHA256", "ContentSHA256")
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".eml"), func(t *testing.T) {
			raw := readTestdata(t, tt.file)
			got, err := Parse(raw, tt.limits)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, ignore, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Parse headers (-want +got):\n%s", diff)
			}
			if !strings.Contains(got.TextBody, tt.wantText) {
				t.Errorf("TextBody = %q\nwant it to contain %q", got.TextBody, tt.wantText)
			}
			if diff := cmp.Diff(tt.wantAtt, attachmentsOf(got)); diff != "" {
				t.Errorf("attachments (-want +got):\n%s", diff)
			}
			if len(got.ParseErrors) != len(tt.wantErrs) {
				t.Fatalf("ParseErrors = %q, want %d entries like %q", got.ParseErrors, len(tt.wantErrs), tt.wantErrs)
			}
			for i, want := range tt.wantErrs {
				if !strings.Contains(got.ParseErrors[i], want) {
					t.Errorf("ParseErrors[%d] = %q, want it to contain %q", i, got.ParseErrors[i], want)
				}
			}
			if got.Size != len(raw) || len(got.RawSHA256) != 64 {
				t.Errorf("Size, RawSHA256 = %d, %q; want %d and a hex SHA-256", got.Size, got.RawSHA256, len(raw))
			}
		})
	}
}
