// Package smtptest is an in-process SMTP server for tests: go-smtp's
// server with a backend that records every message it accepts. It
// requires a login (PLAIN), and refuses recipients the way mail servers do:
// 550 for nobody@…, 451 for full@….
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The only login the server accepts.
const (
	User     = "vendorsync"
	Password = "s3cret"
)

// Mode says how the server secures connections.
type Mode string

// The modes, named as the email package's TLS modes.
const (
	// StartTLS offers STARTTLS and refuses to log in before it.
	StartTLS Mode = "starttls"
	// ImplicitTLS speaks TLS from the first byte.
	ImplicitTLS Mode = "tls"
	// Plain never encrypts and accepts a login in clear.
	Plain Mode = "none"
)

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
	// Authed reports whether the session logged in first.
	Authed bool
}

// Server is a running SMTP server.
type Server struct {
	// Addr is host:port on 127.0.0.1, and Port its port.
	Addr string
	Port int
	// CA trusts the server's self-signed certificate (for 127.0.0.1 and
	// localhost).
	CA    *x509.CertPool
	srv   *smtp.Server
	l     net.Listener
	mu    sync.Mutex
	inbox []Message
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.inbox...)
}

// New runs a server on 127.0.0.1 in mode, stopped when the test ends.
func New(t testing.TB, mode Mode) *Server {
	t.Helper()
	return NewAt(t, mode, "127.0.0.1:0")
}

// NewAt runs a server in mode listening on addr, stopped when the test
// ends: given a stopped server's Addr, it is that mail server coming back.
func NewAt(t testing.TB, mode Mode, addr string) *Server {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &Server{CA: pool}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	srv.ErrorLog = testLogger{t}
	s.srv = srv
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case StartTLS:
		srv.TLSConfig = tc
	case ImplicitTLS:
		l = tls.NewListener(l, tc)
	case Plain:
		srv.AllowInsecureAuth = true
	}
	s.l = l
	s.Addr = l.Addr().String()
	s.Port = l.Addr().(*net.TCPAddr).Port
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		<-done
	})
	return s
}

// Close stops the server early: later connections are refused, as when
// the mail server is down. It closes the listener itself too, since the
// server only knows of it once Serve has started running.
func (s *Server) Close() error {
	if err := s.srv.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return fmt.Errorf("smtptest: close server: %w", err)
	}
	if err := s.l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("smtptest: close listener: %w", err)
	}
	return nil
}

type testLogger struct{ t testing.TB }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }

type session struct {
	srv    *Server
	authed bool
	msg    Message
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != User || pass != Password {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.msg = Message{From: from, Authed: true}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case strings.HasPrefix(to, "nobody@"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	case strings.HasPrefix(to, "full@"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full, try later"}
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = b
	s.srv.mu.Lock()
	s.srv.inbox = append(s.srv.inbox, s.msg)
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.msg = Message{Authed: s.authed} }
func (s *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
