package mailbox

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Input limits.
const (
	MaxName   = 200
	maxHost   = 253
	maxUser   = 320
	maxShort  = 200
	maxURL    = 500
	maxSecret = 16 << 10
)

// checkLine trims a single-line value and checks it.
func checkLine(v *apperr.Validation, field string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	switch {
	case required && *s == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(*s) > max:
		v.Add(field, "must be at most %d characters", max)
	case strings.ContainsFunc(*s, unicode.IsControl):
		v.Add(field, "must be a single line without control characters")
	}
}

// checkURL checks an optional endpoint: absolute, https, or http only to
// this machine (a local bridge, a test server).
func checkURL(v *apperr.Validation, field string, s *string) {
	checkLine(v, field, s, maxURL, false)
	if *s == "" {
		return
	}
	u, err := url.Parse(*s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		v.Add(field, "must be an absolute https:// URL")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		v.Add(field, "must use https:// (http:// only for a loopback host)")
	case u.User != nil:
		v.Add(field, "must not contain credentials")
	}
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// validHost reports whether s looks like a host name or IP address.
func validHost(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	for _, r := range s {
		if !(r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return !strings.HasPrefix(s, ".") && !strings.HasPrefix(s, "-")
}

// normalize cleans m in place and returns the credentials it needs, taken
// from given over stored, reporting every problem at once. Only the settings
// of m.Kind are kept; credentials the kind does not use are dropped. need
// says the kind's credentials are required (an inactive mailbox may wait
// for them).
func normalize(m *Mailbox, given, stored Credentials, need bool) (Credentials, error) {
	var v apperr.Validation
	checkLine(&v, "name", &m.Name, MaxName, true)
	cred := stored.overlay(given)
	var out Credentials
	switch m.Kind {
	case KindIMAP:
		m.Graph, m.Gmail = nil, nil
		if m.IMAP == nil {
			m.IMAP = &IMAPSettings{}
		}
		out = normalizeIMAP(&v, m.IMAP, cred, need)
	case KindGraph:
		m.IMAP, m.Gmail = nil, nil
		if m.Graph == nil {
			m.Graph = &GraphSettings{}
		}
		out = normalizeGraph(&v, m.Graph, cred, need)
	case KindGmail:
		m.IMAP, m.Graph = nil, nil
		if m.Gmail == nil {
			m.Gmail = &GmailSettings{}
		}
		out = normalizeGmail(&v, m.Gmail, cred, need)
	default:
		v.Add("kind", "must be imap, graph or gmail")
	}
	for _, c := range []struct{ field, value string }{
		{"credentials.password", given.Password}, {"credentials.refresh_token", given.RefreshToken},
		{"credentials.client_secret", given.ClientSecret}, {"credentials.service_account_key", given.ServiceAccountKey},
	} {
		v.Check(len(c.value) <= maxSecret, c.field, "must be at most %d bytes", maxSecret)
	}
	return out, v.Err()
}

// overlay returns c with every non-empty field of o replacing its own.
func (c Credentials) overlay(o Credentials) Credentials {
	set := func(dst *string, s string) {
		if s != "" {
			*dst = s
		}
	}
	set(&c.Password, o.Password)
	set(&c.RefreshToken, o.RefreshToken)
	set(&c.ClientSecret, o.ClientSecret)
	set(&c.ServiceAccountKey, o.ServiceAccountKey)
	return c
}

func normalizeIMAP(v *apperr.Validation, s *IMAPSettings, cred Credentials, need bool) Credentials {
	checkLine(v, "imap.host", &s.Host, maxHost, true)
	if s.Host != "" && !validHost(s.Host) {
		v.Add("imap.host", "must be a host name or IP address")
	}
	if s.Security == "" {
		s.Security = "tls"
	}
	switch s.Security {
	case "tls", "starttls":
	case "none":
		v.Check(s.Host == "" || isLoopback(s.Host), "imap.security", "none sends the password in clear text: only allowed for a loopback host")
	default:
		v.Add("imap.security", "must be tls, starttls or none")
	}
	v.Check(s.Port >= 0 && s.Port <= 65535, "imap.port", "must be between 1 and 65535 (0 for the default)")
	checkLine(v, "imap.username", &s.Username, maxUser, true)
	checkLine(v, "imap.folder", &s.Folder, maxShort, false)
	if s.Folder == "" {
		s.Folder = "INBOX"
	}
	checkLine(v, "imap.move_to", &s.MoveTo, maxShort, false)
	v.Check(s.MoveTo == "" || s.MoveTo != s.Folder, "imap.move_to", "must differ from the polled folder")
	if s.Auth == "" {
		s.Auth = AuthPassword
	}
	var out Credentials
	switch s.Auth {
	case AuthPassword:
		s.TokenURL, s.ClientID, s.Scope = "", "", ""
		v.Check(!need || cred.Password != "", "credentials.password", "is required for password authentication")
		out.Password = cred.Password
	case AuthXOAUTH2:
		checkURL(v, "imap.token_url", &s.TokenURL)
		v.Check(s.TokenURL != "", "imap.token_url", "is required for xoauth2")
		checkLine(v, "imap.client_id", &s.ClientID, maxShort, true)
		checkLine(v, "imap.scope", &s.Scope, maxURL, false)
		v.Check(!need || cred.RefreshToken != "", "credentials.refresh_token", "is required for xoauth2")
		out.RefreshToken, out.ClientSecret = cred.RefreshToken, cred.ClientSecret
	default:
		v.Add("imap.auth", "must be password or xoauth2")
	}
	return out
}

func normalizeGraph(v *apperr.Validation, s *GraphSettings, cred Credentials, need bool) Credentials {
	checkLine(v, "graph.tenant_id", &s.TenantID, 100, true)
	if s.TenantID != "" && !validHost(s.TenantID) {
		v.Add("graph.tenant_id", "must be a tenant id (GUID) or domain")
	}
	checkLine(v, "graph.client_id", &s.ClientID, 100, true)
	checkLine(v, "graph.mailbox", &s.Mailbox, maxUser, true)
	checkLine(v, "graph.folder", &s.Folder, maxShort, false)
	if s.Folder == "" {
		s.Folder = "inbox"
	}
	checkLine(v, "graph.move_to", &s.MoveTo, maxShort, false)
	v.Check(s.MoveTo == "" || s.MoveTo != s.Folder, "graph.move_to", "must differ from the polled folder")
	checkURL(v, "graph.base_url", &s.BaseURL)
	checkURL(v, "graph.token_url", &s.TokenURL)
	v.Check(!need || cred.ClientSecret != "", "credentials.client_secret", "is required")
	return Credentials{ClientSecret: cred.ClientSecret}
}

func normalizeGmail(v *apperr.Validation, s *GmailSettings, cred Credentials, need bool) Credentials {
	checkLine(v, "gmail.user", &s.User, maxUser, false)
	if s.User == "" {
		s.User = "me"
	}
	checkLine(v, "gmail.label", &s.Label, maxShort, false)
	if s.Label == "" {
		s.Label = "INBOX"
	}
	checkLine(v, "gmail.query", &s.Query, maxURL, false)
	checkURL(v, "gmail.base_url", &s.BaseURL)
	if s.Auth == "" {
		s.Auth = AuthServiceAccount
	}
	var out Credentials
	switch s.Auth {
	case AuthServiceAccount:
		s.ClientID, s.TokenURL = "", ""
		checkLine(v, "gmail.subject", &s.Subject, maxUser, false)
		subject := s.Subject
		if subject == "" {
			subject = s.User
		}
		v.Check(strings.Contains(subject, "@"), "gmail.subject", "a service account needs the mailbox address to impersonate (set user or subject)")
		if cred.ServiceAccountKey == "" {
			v.Check(!need, "credentials.service_account_key", "is required for a service account")
		} else if msg := checkServiceAccountKey(cred.ServiceAccountKey); msg != "" {
			v.Add("credentials.service_account_key", "%s", msg)
		}
		out.ServiceAccountKey = cred.ServiceAccountKey
	case AuthRefreshToken:
		s.Subject = ""
		checkLine(v, "gmail.client_id", &s.ClientID, maxShort, true)
		checkURL(v, "gmail.token_url", &s.TokenURL)
		v.Check(!need || cred.ClientSecret != "", "credentials.client_secret", "is required for a refresh token")
		v.Check(!need || cred.RefreshToken != "", "credentials.refresh_token", "is required")
		out.ClientSecret, out.RefreshToken = cred.ClientSecret, cred.RefreshToken
	default:
		v.Add("gmail.auth", "must be service_account or refresh_token")
	}
	return out
}

// checkServiceAccountKey says what is wrong with a service account key, or
// "" when it looks usable. It never echoes the key.
func checkServiceAccountKey(s string) string {
	var key struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
		TokenURI    string `json:"token_uri"`
	}
	if err := json.Unmarshal([]byte(s), &key); err != nil {
		return "must be the JSON key file of a service account"
	}
	switch {
	case key.Type != "service_account":
		return "must be a service account key (type service_account)"
	case key.ClientEmail == "" || key.PrivateKey == "":
		return "must hold client_email and private_key"
	}
	if key.TokenURI != "" {
		var v apperr.Validation
		checkURL(&v, "token_uri", &key.TokenURI)
		if v.Err() != nil {
			return "token_uri must be an https:// URL"
		}
	}
	return ""
}

// credentialDestination is where a mailbox's credentials (or tokens made
// from them) are sent. Stored credentials are only kept across an update
// that keeps it, so changing a host cannot reveal a stored password to
// another server: the administrator must enter the credentials again.
func credentialDestination(m Mailbox) string {
	norm := func(s string) string { return strings.ToLower(strings.TrimRight(strings.TrimSpace(s), "/")) }
	switch {
	case m.Kind == KindIMAP && m.IMAP != nil:
		return fmt.Sprintf("imap|%s|%d|%s", norm(m.IMAP.Host), m.IMAP.Port, norm(m.IMAP.TokenURL))
	case m.Kind == KindGraph && m.Graph != nil:
		return "graph|" + norm(m.Graph.TenantID) + "|" + norm(m.Graph.TokenURL) + "|" + norm(m.Graph.BaseURL)
	case m.Kind == KindGmail && m.Gmail != nil:
		return "gmail|" + norm(m.Gmail.TokenURL) + "|" + norm(m.Gmail.BaseURL)
	}
	return string(m.Kind)
}
