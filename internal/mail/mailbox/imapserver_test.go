package mailbox_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

const (
	imapUser     = "notices@example-corp.com"
	imapPassword = "imap-pa55word-do-not-log"
)

// imapServer is an in-process IMAP server (go-imap's imapserver backed by
// imapmemserver) on 127.0.0.1, without TLS (allowed for loopback hosts).
type imapServer struct {
	host string
	port int
	user *imapmemserver.User
}

type tLogger struct{ t *testing.T }

func (l tLogger) Printf(format string, args ...any) { l.t.Logf("imapserver: "+format, args...) }

func startIMAP(t *testing.T) *imapServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(imapUser, imapPassword)
	for _, f := range []string{"INBOX", "Processed", "Vendors"} {
		if err := user.Create(f, nil); err != nil {
			t.Fatalf("create %s: %v", f, err)
		}
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       tLogger{t},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
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
	host, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return &imapServer{host: host, port: p, user: user}
}

// deliver appends vendor notice n to folder.
func (s *imapServer) deliver(t *testing.T, folder string, n int) {
	t.Helper()
	raw := fmt.Sprintf("Message-ID: <notice-%d@visa.com>\r\nFrom: Visa <notices@visa.com>\r\n"+
		"Subject: Notice %d\r\nDate: Mon, 3 Mar 2025 14:02:07 +0000\r\n\r\nEndpoint change %d.\r\n", n, n, n)
	opts := &goimap.AppendOptions{Time: time.Date(2025, 3, 3, 14, 0, n%60, 0, time.UTC)}
	if _, err := s.user.Append(folder, bytes.NewReader([]byte(raw)), opts); err != nil {
		t.Fatalf("append to %s: %v", folder, err)
	}
}

// count returns the message and unseen counts of folder.
func (s *imapServer) count(t *testing.T, folder string) (messages, unseen uint32) {
	t.Helper()
	st, err := s.user.Status(folder, &goimap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		t.Fatalf("status %s: %v", folder, err)
	}
	return *st.NumMessages, *st.NumUnseen
}

// recreate deletes and recreates folder: a new UIDVALIDITY, UIDs from 1.
func (s *imapServer) recreate(t *testing.T, folder string) {
	t.Helper()
	if err := s.user.Delete(folder); err != nil {
		t.Fatalf("delete %s: %v", folder, err)
	}
	if err := s.user.Create(folder, nil); err != nil {
		t.Fatalf("create %s: %v", folder, err)
	}
}
