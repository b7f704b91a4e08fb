package mail

import "testing"

func TestContentLanguage(t *testing.T) {
	for _, c := range []struct{ name, header, want string }{
		{"a language and region", "Content-Language: en-GB\r\n", "en-GB"},
		{"the first of several", "Content-Language: de-DE, en-US\r\n", "de-DE"},
		{"a language alone", "Content-Language: fr\r\n", "fr"},
		{"not a tag", "Content-Language: <script>\r\n", ""},
		{"missing", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := "From: Vendor <notices@vendor.example>\r\nTo: it@customer.example\r\nSubject: Notice\r\n" +
				"Date: Tue, 06 Apr 2027 08:00:00 +0000\r\nMessage-ID: <n1@vendor.example>\r\n" + c.header +
				"Content-Type: text/plain; charset=utf-8\r\n\r\nKeys rotate on 04/05/2027.\r\n"
			e, err := Parse([]byte(raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if e.ContentLanguage != c.want {
				t.Errorf("ContentLanguage %q, want %q", e.ContentLanguage, c.want)
			}
		})
	}
}
