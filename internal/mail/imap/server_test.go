package imap

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

const (
	testUser     = "notices@example-corp.com"
	testPassword = "correct horse"
)

// testServer is an in-process IMAP server (go-imap's imapserver backed by
// imapmemserver) on 127.0.0.1.
type testServer struct {
	host  string
	port  int
	user  *imapmemserver.User
	roots *x509.CertPool
}

// serverOptions choose the server's transport and authentication.
type serverOptions struct {
	security   Security // tls: implicit TLS; starttls: offer STARTTLS; none: plain
	oauthToken string   // accept only XOAUTH2 with this token
}

// tLogger sends the server's log lines to the test log.
type tLogger struct{ t *testing.T }

func (l tLogger) Printf(format string, args ...any) { l.t.Logf("imapserver: "+format, args...) }

func startServer(t *testing.T, opts serverOptions) *testServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(testUser, testPassword)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatalf("create INBOX: %v", err)
	}
	mem.AddUser(user)

	cert, roots := selfSignedCert(t)
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	caps := goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapIMAP4rev2: {}}
	if opts.oauthToken != "" {
		caps = goimap.CapSet{goimap.CapIMAP4rev1: {}} // the wrapper hides MOVE
	}
	srvOpts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if opts.oauthToken != "" {
				return &oauthSession{Session: mem.NewSession(), token: opts.oauthToken}, nil, nil
			}
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: opts.security != SecurityTLS && opts.security != SecuritySTARTTLS,
		Logger:       tLogger{t},
	}
	if opts.security == SecuritySTARTTLS {
		srvOpts.TLSConfig = tlsCfg
	}
	srv := imapserver.New(srvOpts)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	if opts.security == SecurityTLS {
		ln = tls.NewListener(ln, tlsCfg)
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
		t.Fatalf("split address: %v", err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("port: %v", err)
	}
	return &testServer{host: host, port: p, user: user, roots: roots}
}

// config returns a Config for this server.
func (s *testServer) config(security Security) Config {
	return Config{
		Host: s.host, Port: s.port, Security: security,
		Username: testUser, Password: testPassword,
		TLSConfig: &tls.Config{RootCAs: s.roots},
	}
}

// deliver appends a vendor notice with the given number to folder and
// returns its raw bytes.
func (s *testServer) deliver(t *testing.T, folder string, n int) []byte {
	t.Helper()
	raw := []byte(fmt.Sprintf("Message-ID: <notice-%d@visa.com>\r\nFrom: Visa <notices@visa.com>\r\n"+
		"Subject: Notice %d\r\nDate: Mon, 3 Mar 2025 14:02:07 +0000\r\n\r\nEndpoint change %d.\r\n", n, n, n))
	opts := &goimap.AppendOptions{Time: time.Date(2025, 3, 3, 14, 0, n, 0, time.UTC)}
	if _, err := s.user.Append(folder, bytes.NewReader(raw), opts); err != nil {
		t.Fatalf("append to %s: %v", folder, err)
	}
	return raw
}

// status returns the message and unseen counts of folder.
func (s *testServer) status(t *testing.T, folder string) (messages, unseen uint32) {
	t.Helper()
	st, err := s.user.Status(folder, &goimap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		t.Fatalf("status %s: %v", folder, err)
	}
	return *st.NumMessages, *st.NumUnseen
}

// selfSignedCert makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSignedCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "imap.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("create certificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// oauthSession adds the XOAUTH2 mechanism to a memserver session, the way
// Gmail and Microsoft 365 offer it.
type oauthSession struct {
	imapserver.Session
	token string
}

func (s *oauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2"} }

func (s *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	if mech != "XOAUTH2" {
		return nil, &goimap.Error{Type: goimap.StatusResponseTypeNo, Text: "unsupported mechanism"}
	}
	return &xoauth2Server{session: s}, nil
}

// xoauth2Server is the server side of XOAUTH2: on a bad token it sends the
// JSON error challenge, then fails.
type xoauth2Server struct {
	session *oauthSession
	failed  bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, imapserver.ErrAuthFailed
	}
	if resp == nil {
		return nil, false, nil // ask for the initial response
	}
	var user, token string
	for _, f := range strings.Split(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(f, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(f, "auth=Bearer "); ok {
			token = v
		}
	}
	if token != x.session.token {
		x.failed = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	return nil, true, x.session.Login(user, testPassword)
}

// closedPort returns a 127.0.0.1 port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return port
}
