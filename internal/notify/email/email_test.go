package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/email/smtptest"
	"github.com/vendorsync/vendorsync/internal/notify/notifytest"
)

var update = flag.Bool("update", false, "rewrite golden files")

var olga = notify.Target{Address: "olga@company.com", Name: "Olga Owner"}

func newSender(t *testing.T, srv *smtptest.Server, mode TLSMode, password string) *Sender {
	t.Helper()
	s, err := New(Config{Host: "127.0.0.1", Port: srv.Port, TLS: mode, Username: smtptest.User, Password: password,
		From: "VendorSync <vendorsync@company.com>", TLSConfig: &tls.Config{RootCAs: srv.CA}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// part is one decoded MIME part.
type part struct {
	ContentType string
	Body        string
}

// parse reads a message as a mail client would: headers, then the parts of
// its multipart/alternative body, decoded.
func parse(t *testing.T, data []byte) (mail.Header, []part) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	var parts []part
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part{p.Header.Get("Content-Type"), string(b)})
	}
	return msg.Header, parts
}

func TestSend(t *testing.T) {
	m := notifytest.Message(t, notify.KindEscalationD7, 7)
	for _, mode := range []TLSMode{StartTLS, ImplicitTLS, NoTLS} {
		t.Run(string(mode), func(t *testing.T) {
			srv := smtptest.New(t, smtptest.Mode(mode))
			s := newSender(t, srv, mode, smtptest.Password)
			ref, err := s.Send(context.Background(), olga, m)
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server got %d messages, want 1", len(got))
			}
			if g := got[0]; !g.Authed || g.From != "vendorsync@company.com" || !cmp.Equal(g.To, []string{"olga@company.com"}) {
				t.Errorf("envelope: authed %v, from %q, to %v", g.Authed, g.From, g.To)
			}
			want, err := s.Render(olga, m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, got[0].Data) {
				t.Errorf("sent bytes differ from a fresh rendering:\nsent:\n%s\nrendered:\n%s", got[0].Data, want)
			}
			h, parts := parse(t, got[0].Data)
			subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			if err != nil {
				t.Fatal(err)
			}
			wantHeaders := map[string]string{
				"Subject":    "[VendorSync] D-7 reminder: VS-2847 Visa — URL endpoint change is due April 20, 2027 (in 7 days)",
				"Message-ID": ref, "Date": "Tue, 13 Apr 2027 08:00:00 +0000",
				"From": `"VendorSync" <vendorsync@company.com>`, "To": `"Olga Owner" <olga@company.com>`,
				"Auto-Submitted": "auto-generated", "X-VendorSync-Kind": "escalation_d7",
			}
			headers := map[string]string{"Subject": subject}
			for k := range wantHeaders {
				if k != "Subject" {
					headers[k] = h.Get(k)
				}
			}
			if diff := cmp.Diff(wantHeaders, headers); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(ref, "<") || !strings.HasSuffix(ref, "@company.com>") {
				t.Errorf("Message-ID %q", ref)
			}
			if len(parts) != 2 || !strings.HasPrefix(parts[0].ContentType, "text/plain") || !strings.HasPrefix(parts[1].ContentType, "text/html") {
				t.Fatalf("parts %+v, want text/plain then text/html", parts)
			}
			for _, s := range []string{m.Title, "Vendor deadline approaching: April 20, 2027 (in 7 days)",
				"Applications: PaymentService, Checkout", "Open VS-2847 in VendorSync: " + notifytest.Link} {
				if !strings.Contains(parts[0].Body, s) {
					t.Errorf("text part lacks %q:\n%s", s, parts[0].Body)
				}
			}
			for _, s := range []string{`<h1 style="margin:0 0 16px;font-size:18px;line-height:1.4;">` + m.Title + `</h1>`,
				`<a href="` + notifytest.Link + `"`, ">PaymentService, Checkout</td>"} {
				if !strings.Contains(parts[1].Body, s) {
					t.Errorf("HTML part lacks %q:\n%s", s, parts[1].Body)
				}
			}
		})
	}
}

// TestRender keeps the whole D-7 email in testdata/d7.eml (go test -update
// rewrites it) and checks that vendor text cannot inject HTML.
func TestRender(t *testing.T) {
	s, err := New(Config{Host: "localhost", TLS: NoTLS, From: "VendorSync <vendorsync@company.com>"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Render(olga, notifytest.Message(t, notify.KindEscalationD7, 7))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "d7.eml"), b)

	m := notifytest.Message(t, notify.KindTicketCreated, 0)
	m.Title = `<script>alert(1)</script> & "co"`
	b, err = s.Render(olga, m)
	if err != nil {
		t.Fatal(err)
	}
	_, parts := parse(t, b)
	if strings.Contains(parts[1].Body, "<script>") || !strings.Contains(parts[1].Body, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;co&#34;") {
		t.Errorf("HTML part does not escape the title:\n%s", parts[1].Body)
	}
	if !strings.Contains(parts[0].Body, m.Title) {
		t.Errorf("text part should carry the title as is:\n%s", parts[0].Body)
	}
	other, err := s.Render(notify.Target{Address: "otto@company.com"}, m)
	if err != nil {
		t.Fatal(err)
	}
	h1, _ := parse(t, b)
	h2, _ := parse(t, other)
	if h1.Get("Message-ID") == h2.Get("Message-ID") {
		t.Errorf("two recipients share Message-ID %s", h1.Get("Message-ID"))
	}
}

func TestSendErrors(t *testing.T) {
	m := notifytest.Message(t, notify.KindBreach, 0)
	ctx := context.Background()
	t.Run("wrong password is permanent", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.StartTLS)
		_, err := newSender(t, srv, StartTLS, "wrong").Send(ctx, olga, m)
		checkError(t, err, false, "535")
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("server got %d messages", n)
		}
	})
	t.Run("unknown mailbox is permanent", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.StartTLS)
		_, err := newSender(t, srv, StartTLS, smtptest.Password).Send(ctx, notify.Target{Address: "nobody@company.com"}, m)
		checkError(t, err, false, "550")
	})
	t.Run("a full mailbox is retryable", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.StartTLS)
		_, err := newSender(t, srv, StartTLS, smtptest.Password).Send(ctx, notify.Target{Address: "full@company.com"}, m)
		checkError(t, err, true, "451")
	})
	t.Run("an untrusted certificate is permanent", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.StartTLS)
		s, err := New(Config{Host: "127.0.0.1", Port: srv.Port, TLS: StartTLS, From: "vendorsync@company.com"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Send(ctx, olga, m)
		checkError(t, err, false, "tls")
	})
	t.Run("a server without STARTTLS is a configuration mistake", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.Plain)
		_, err := newSender(t, srv, StartTLS, smtptest.Password).Send(ctx, olga, m)
		checkError(t, err, false, "unsupported")
	})
	t.Run("server down is retryable", func(t *testing.T) {
		srv := smtptest.New(t, smtptest.StartTLS)
		s := newSender(t, srv, StartTLS, smtptest.Password)
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		_, err := s.Send(ctx, olga, m)
		checkError(t, err, true, "network")
	})
	t.Run("bad configuration", func(t *testing.T) {
		for name, cfg := range map[string]Config{
			"no host":             {TLS: StartTLS, From: "a@b.c"},
			"no sender":           {Host: "smtp.company.com", TLS: StartTLS},
			"unknown TLS mode":    {Host: "smtp.company.com", TLS: "ssl", From: "a@b.c"},
			"clear text off-host": {Host: "smtp.company.com", TLS: NoTLS, From: "a@b.c"},
		} {
			if _, err := New(cfg); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
	})
}

func TestSendErrorKinds(t *testing.T) {
	m := notifytest.Message(t, notify.KindBreach, 0)
	ctx := context.Background()
	srv := smtptest.New(t, smtptest.StartTLS)
	for _, tc := range []struct {
		name     string
		password string
		to       notify.Target
		want     httpx.Kind
	}{
		{"a refused login is auth", "wrong", olga, httpx.Auth},
		{"an unknown mailbox is permanent", smtptest.Password, notify.Target{Address: "nobody@company.com"}, httpx.Permanent},
		{"a full mailbox is transient", smtptest.Password, notify.Target{Address: "full@company.com"}, httpx.Transient},
	} {
		_, err := newSender(t, srv, StartTLS, tc.password).Send(ctx, tc.to, m)
		var e *httpx.Error
		if !errors.As(err, &e) || e.Kind != tc.want || e.Upstream != "smtp" {
			t.Errorf("%s: %v, want %s from smtp", tc.name, err, tc.want)
		}
	}
}

func checkError(t *testing.T, err error, retryable bool, code string) {
	t.Helper()
	var e *httpx.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *httpx.Error", err)
	}
	if e.Temporary() != retryable || e.Code != code {
		t.Errorf("got retryable=%v code=%q, want %v %q (%v)", e.Temporary(), e.Code, retryable, code, err)
	}
}

func golden(t *testing.T, path string, b []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(b)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}
