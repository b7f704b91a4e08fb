// Package email sends VendorSync notifications by SMTP: one message per
// recipient, with a plain-text and an HTML part rendered from embedded
// templates, and a Message-ID, Date and MIME boundary derived from the
// frozen notification, so that a retry sends the very same bytes.
package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
)

// TLSMode says how the connection to the SMTP server is secured.
type TLSMode string

// The TLS modes.
const (
	// StartTLS connects in clear and upgrades with STARTTLS, which the
	// server must offer (port 587 by default).
	StartTLS TLSMode = "starttls"
	// ImplicitTLS speaks TLS from the first byte (port 465 by default).
	ImplicitTLS TLSMode = "tls"
	// NoTLS sends in clear; only allowed to a relay on this machine
	// (localhost, 127.0.0.1, ::1), port 25 by default.
	NoTLS TLSMode = "none"
)

// Config is a tenant's SMTP server.
type Config struct {
	Host string
	// Port is the server's port; the TLS mode's usual port when 0.
	Port int
	TLS  TLSMode
	// Username and Password authenticate (PLAIN, else LOGIN) when Username
	// is set; the password is decrypted by the caller from the secrets.
	Username string
	Password string
	// From is the sender, "VendorSync <vendorsync@company.com>".
	From string
	// TLSConfig overrides the TLS settings, e.g. to trust a private CA;
	// its ServerName defaults to Host.
	TLSConfig *tls.Config
	// Timeout bounds connecting and each command; 30 seconds when 0.
	Timeout time.Duration
}

// Sender sends email through one SMTP server. It is a notify.Channel.
type Sender struct {
	cfg  Config
	from *mail.Address
}

// New checks cfg and returns a sender for it.
func New(cfg Config) (*Sender, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" {
		return nil, errors.New("email.New: no SMTP host configured")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("email.New: sender %q: %w", cfg.From, err)
	}
	switch cfg.TLS {
	case StartTLS, ImplicitTLS:
	case NoTLS:
		if !isLoopback(cfg.Host) {
			return nil, fmt.Errorf("email.New: TLS mode none is only allowed to a relay on localhost, not %s", cfg.Host)
		}
	default:
		return nil, fmt.Errorf("email.New: TLS mode %q: want starttls, tls or none", cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = map[TLSMode]int{StartTLS: 587, ImplicitTLS: 465, NoTLS: 25}[cfg.TLS]
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{cfg: cfg, from: from}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send emails m to one recipient and returns the message's Message-ID.
func (s *Sender) Send(ctx context.Context, to notify.Target, m notify.Message) (string, error) {
	op := fmt.Sprintf("send to %s via %s:%d", to.Address, s.cfg.Host, s.cfg.Port)
	msg, id, err := s.build(to, m)
	if err != nil {
		return "", &httpx.Error{Upstream: upstream, Op: op, Kind: httpx.Permanent, Err: err}
	}
	if err := httpx.CheckHost(ctx, s.cfg.Host); err != nil {
		return "", httpx.CallError(ctx, upstream, op, err)
	}
	c, err := gomail.NewClient(s.cfg.Host, s.options()...)
	if err != nil {
		return "", &httpx.Error{Upstream: upstream, Op: op, Kind: httpx.Permanent, Err: fmt.Errorf("configure client: %w", err)}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return "", classify(ctx, op, err)
	}
	return id, nil
}

func (s *Sender) options() []gomail.Option {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		tc = s.cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = s.cfg.Host
	}
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout), gomail.WithTLSConfig(tc)}
	switch s.cfg.TLS {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithDialContextFunc(httpx.Dialer(s.cfg.Timeout).DialContext))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithDialContextFunc(httpx.Dialer(s.cfg.Timeout).DialContext))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

// upstream names the SMTP server in errors.
const upstream = "smtp"

// classify turns an SMTP failure into an *httpx.Error: a server that
// cannot be reached and 4xx replies are Transient; a refused login (530,
// 534, 535) is Auth; other 5xx replies (an unknown recipient, a refused
// sender) and TLS certificate problems are Permanent. Code is the reply
// code, or what went wrong without one.
func classify(ctx context.Context, op string, err error) *httpx.Error {
	var sendErr *gomail.SendError
	var reply *textproto.Error
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var badCert x509.CertificateInvalidError
	var record tls.RecordHeaderError
	var netErr net.Error
	e := &httpx.Error{Upstream: upstream, Op: op, Kind: httpx.Permanent, Err: err}
	if errors.As(err, &reply) {
		e.Message = reply.Msg
	}
	switch {
	case ctx.Err() != nil:
		return httpx.CallError(ctx, upstream, op, err)
	case errors.As(err, &sendErr):
		e.Code = strconv.Itoa(sendErr.ErrorCode())
		e.Kind = replyKind(sendErr.ErrorCode(), sendErr.IsTemp())
	case reply != nil:
		e.Code = strconv.Itoa(reply.Code)
		e.Kind = replyKind(reply.Code, reply.Code >= 400 && reply.Code < 500)
	case errors.As(err, &unknownCA), errors.As(err, &badHost), errors.As(err, &badCert), errors.As(err, &record):
		e.Code = "tls"
	case errors.As(err, &netErr):
		return httpx.CallError(ctx, upstream, op, err)
	case strings.Contains(err.Error(), "does not support"):
		// go-mail's own errors for a server without STARTTLS or without a
		// usable AUTH mechanism: a configuration mistake.
		e.Code = "unsupported"
	default:
		e.Kind, e.Code = httpx.Transient, "unknown"
	}
	return e
}

// replyKind classifies an SMTP reply code.
func replyKind(code int, temporary bool) httpx.Kind {
	switch {
	case temporary:
		return httpx.Transient
	case code == 530 || code == 534 || code == 535:
		return httpx.Auth
	}
	return httpx.Permanent
}
