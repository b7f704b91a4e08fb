// Package imap is the IMAP mailbox adapter of package mail: it fetches raw
// messages by UID with go-imap's client, authenticating with a password
// (LOGIN) or an OAuth2 access token (AUTHENTICATE XOAUTH2, for Microsoft 365
// and Google Workspace).
package imap

import (
	"crypto/tls"
	"net"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Security is how the connection to the server is protected.
type Security string

// The supported connection security modes.
const (
	// SecurityTLS is implicit TLS, usually on port 993.
	SecurityTLS Security = "tls"
	// SecuritySTARTTLS upgrades a plain connection, usually on port 143.
	SecuritySTARTTLS Security = "starttls"
	// SecurityNone sends credentials in clear text; it is accepted only for
	// a loopback host (tests, a local bridge such as davmail).
	SecurityNone Security = "none"
)

// Default settings.
const (
	DefaultFolder      = "INBOX"
	DefaultDialTimeout = 30 * time.Second
)

// Config is one IMAP mailbox.
type Config struct {
	Host string
	// Port defaults to 993 for SecurityTLS and 143 otherwise.
	Port int
	// Security defaults to SecurityTLS.
	Security Security
	Username string
	Password string
	// TokenSource, when set, authenticates with XOAUTH2 using its access
	// token instead of Password.
	TokenSource oauth2.TokenSource
	// Folder is the mailbox polled; default INBOX.
	Folder string
	// MoveTo, when set, is the folder Done moves processed messages to.
	MoveTo string
	// MarkSeen makes Done set \Seen on processed messages.
	MarkSeen bool
	// TLSConfig overrides the TLS settings (say, a private CA); its
	// ServerName defaults to Host.
	TLSConfig *tls.Config
	// DialTimeout bounds connecting; default 30s. Commands are bounded by
	// the context passed to each call.
	DialTimeout time.Duration
}

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	var v apperr.Validation
	c.Host = strings.TrimSpace(c.Host)
	v.Check(c.Host != "", "host", "is required")
	if c.Security == "" {
		c.Security = SecurityTLS
	}
	switch c.Security {
	case SecurityTLS, SecuritySTARTTLS:
	case SecurityNone:
		v.Check(isLoopback(c.Host), "security", "none is only allowed for a loopback host")
	default:
		v.Add("security", "must be tls, starttls or none")
	}
	if c.Port == 0 {
		c.Port = 143
		if c.Security == SecurityTLS {
			c.Port = 993
		}
	}
	v.Check(c.Port > 0 && c.Port < 65536, "port", "must be between 1 and 65535")
	v.Check(c.Username != "", "username", "is required")
	v.Check(c.Password != "" || c.TokenSource != nil, "password", "is required unless OAuth2 is configured")
	if c.Folder == "" {
		c.Folder = DefaultFolder
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	return c, v.Err()
}

// addr is the host:port to dial.
func (c Config) addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// tlsConfig returns the TLS settings for the connection.
func (c Config) tlsConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		cfg = c.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = c.Host
	}
	if cfg.NextProtos == nil {
		cfg.NextProtos = []string{"imap"}
	}
	return cfg
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
