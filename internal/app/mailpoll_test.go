package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

const (
	imapUser     = "vendor-notices@example.com"
	imapPassword = "imap-e2e-password"
)

// startIMAP runs an in-process IMAP server (go-imap's imapserver over
// imapmemserver) on 127.0.0.1 with a Vendors folder.
func startIMAP(t *testing.T) (*imapmemserver.User, int) {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(imapUser, imapPassword)
	for _, f := range []string{"INBOX", "Vendors"} {
		if err := user.Create(f, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close IMAP server: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("IMAP server: %v", err)
		}
	})
	return user, ln.Addr().(*net.TCPAddr).Port
}

// vendorMail is a vendor notification as it arrives in the shared mailbox.
func vendorMail(messageID, from, subject, body string) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: vendor-notices@example.com\r\nSubject: %s\r\nDate: Mon, 1 Mar 2027 09:00:00 +0000\r\n"+
		"Message-ID: <%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", from, subject, messageID, body))
}

var e2eMails = map[string][]byte{
	"e2e-visa-1@notices.visa.com": vendorMail("e2e-visa-1@notices.visa.com", "Visa Developer Platform <developer-notices@visa.com>",
		"Action required: Visa authorization API v2 endpoint URL change effective April 20, 2030",
		"Effective April 20, 2030, all authorization requests must be sent to https://auth.api.visa.com/v2/authorization\r\n"+
			"instead of https://api.visa.com/v2/authorization. The old URL will be decommissioned on that date and\r\n"+
			"requests sent to it will be rejected. Update the authorization endpoint URL in your integration."),
	"e2e-stripe-1@stripe.com": vendorMail("e2e-stripe-1@stripe.com", "Stripe <notifications@stripe.com>",
		"Upcoming deprecation: API version 2024-06-20 will be retired on 15 September 2030",
		"Your account is pinned to Stripe API version 2024-06-20. This API version is deprecated and will be retired on\r\n"+
			"15 September 2030. After that date, requests made with this version will fail and webhook events for invoice\r\n"+
			"and payment_intent will use the payload shape of the latest version. Upgrade your integration before then."),
}

func deliverAll(t *testing.T, user *imapmemserver.User) {
	t.Helper()
	for _, id := range []string{"e2e-visa-1@notices.visa.com", "e2e-stripe-1@stripe.com"} {
		if _, err := user.Append("Vendors", bytes.NewReader(e2eMails[id]), &goimap.AppendOptions{Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
}

// apiClient calls the API with a signed-in browser session.
type apiClient struct {
	t    *testing.T
	c    *http.Client
	base string
}

func (a apiClient) call(method, path string, body any, out any) int {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	if res.StatusCode >= 300 {
		a.t.Logf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return res.StatusCode
}

type e2eEmail struct {
	Status   string `json:"status"`
	TicketID string `json:"ticket_id"`
	SourceID string `json:"source_id"`
}

// emails returns the arrivals of a Message-ID.
func (a apiClient) emails(messageID string) []e2eEmail {
	a.t.Helper()
	var page struct {
		Items []e2eEmail `json:"items"`
	}
	a.call(http.MethodGet, "/api/v1/emails?limit=100&q="+url.QueryEscape(messageID), nil, &page)
	return page.Items
}

func (a apiClient) ticketCount() int {
	a.t.Helper()
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	a.call(http.MethodGet, "/api/v1/tickets?limit=500", nil, &page)
	return len(page.Items)
}

type e2eStatus struct {
	LastPollAt   *time.Time `json:"last_poll_at"`
	FetchedTotal int        `json:"fetched_total"`
	StoredTotal  int        `json:"stored_total"`
	LastError    string     `json:"last_error"`
}

func (a apiClient) status(id string) e2eStatus {
	a.t.Helper()
	var m struct {
		Status e2eStatus `json:"status"`
	}
	a.call(http.MethodGet, "/api/v1/mail-sources/"+id, nil, &m)
	return m.Status
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestMailboxToTickets runs the product with a mailbox on an in-process
// IMAP server: the periodic poll stores the vendor mail, the pipeline
// triages it into tickets, polling again adds nothing, and a mailbox reset
// (UIDVALIDITY change) delivers duplicates, not new tickets.
func TestMailboxToTickets(t *testing.T) {
	eachEngine(t, func(t *testing.T, dbURL string) {
		user, port := startIMAP(t)
		deliverAll(t, user)
		s := startServe(t, envOf("VENDORSYNC_DATABASE_URL", dbURL), "--demo", "--mail-poll-interval", "1s")
		c := browser(t)
		login(t, c, s.URL, s.Email, s.Password)
		api := apiClient{t: t, c: c, base: s.URL}
		before := api.ticketCount()

		var m struct {
			ID string `json:"id"`
		}
		body := map[string]any{"name": "Vendor notices", "kind": "imap",
			"imap":        map[string]any{"host": "127.0.0.1", "port": port, "security": "none", "username": imapUser, "folder": "Vendors", "mark_seen": true},
			"credentials": map[string]any{"password": imapPassword}}
		if code := api.call(http.MethodPost, "/api/v1/mail-sources", body, &m); code != http.StatusCreated {
			t.Fatalf("create mail source: %d", code)
		}
		eventually(t, "both emails triaged into tickets", func() bool {
			for id := range e2eMails {
				es := api.emails(id)
				if len(es) != 1 || es[0].Status != "triaged" || es[0].TicketID == "" || es[0].SourceID != m.ID {
					return false
				}
			}
			return true
		})
		tickets := api.ticketCount()
		if tickets != before+2 {
			t.Errorf("tickets %d -> %d, want two new ones", before, tickets)
		}

		st := api.status(m.ID)
		eventually(t, "two more polls", func() bool {
			now := api.status(m.ID)
			return now.LastPollAt != nil && st.LastPollAt != nil && now.LastPollAt.Sub(*st.LastPollAt) > 1500*time.Millisecond
		})
		for id := range e2eMails {
			if es := api.emails(id); len(es) != 1 {
				t.Errorf("%s arrived %d times after re-polls, want once", id, len(es))
			}
		}
		if st := api.status(m.ID); st.FetchedTotal != 2 || st.StoredTotal != 2 || st.LastError != "" {
			t.Errorf("mail source status = %+v", st)
		}

		// The folder is recreated (a server migration): new UIDVALIDITY,
		// the same messages again.
		if err := user.Delete("Vendors"); err != nil {
			t.Fatal(err)
		}
		if err := user.Create("Vendors", nil); err != nil {
			t.Fatal(err)
		}
		deliverAll(t, user)
		if code := api.call(http.MethodPost, "/api/v1/mail-sources/"+m.ID+"/poll", nil, nil); code != http.StatusAccepted {
			t.Errorf("poll now: %d", code)
		}
		eventually(t, "the repeats stored as duplicates", func() bool {
			for id := range e2eMails {
				es := api.emails(id)
				dups := 0
				for _, e := range es {
					if e.Status == "duplicate" {
						dups++
					}
				}
				if len(es) != 2 || dups != 1 {
					return false
				}
			}
			return true
		})
		if n := api.ticketCount(); n != tickets {
			t.Errorf("tickets %d after the mailbox reset, want still %d", n, tickets)
		}
		// Fetched counts every message read; stored only the new
		// emails, so the repeats show as the difference.
		if st := api.status(m.ID); st.FetchedTotal != 4 || st.StoredTotal != 2 {
			t.Errorf("fetched %d, stored %d; want 4 fetched (two messages, then the same two again), 2 stored", st.FetchedTotal, st.StoredTotal)
		}
	})
}
