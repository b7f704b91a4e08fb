package dispatch

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/notify/email"
)

// The names of the channel secrets in the secrets table.
const (
	SecretSlackToken   = "notify.slack_token"
	SecretSMTPPassword = "notify.smtp_password"
	SecretPagerDutyKey = "notify.pagerduty_routing_key"
)

// ChannelSettings are a tenant's notification channels as stored and shown; the
// secrets are never part of them, only whether each is stored.
type ChannelSettings struct {
	TenantID string `json:"-"`
	// Configured is false when the tenant never saved its settings.
	Configured bool `json:"configured"`

	SlackEnabled  bool `json:"slack_enabled"`
	SlackTokenSet bool `json:"slack_token_set" doc:"Whether a Slack bot token is stored; it is never returned."`
	// DefaultChannel is where ticket notifications go when neither the
	// ticket's rule nor its owner team names a Slack channel.
	DefaultChannel string `json:"default_channel"`
	// TriageChannel is where unknown-vendor alerts go.
	TriageChannel string `json:"triage_channel"`
	// WarRoomChannel is where D-1 alerts go.
	WarRoomChannel string `json:"war_room_channel"`

	EmailEnabled    bool          `json:"email_enabled"`
	SMTPHost        string        `json:"smtp_host"`
	SMTPPort        int           `json:"smtp_port" doc:"0 means the TLS mode's default: 587, 465 or 25."`
	SMTPTLS         email.TLSMode `json:"smtp_tls" enum:"starttls,tls,none"`
	SMTPUsername    string        `json:"smtp_username"`
	SMTPPasswordSet bool          `json:"smtp_password_set" doc:"Whether an SMTP password is stored; it is never returned."`
	SMTPFrom        string        `json:"smtp_from" doc:"The sender, e.g. VendorSync <vendorsync@example.com>."`

	PagerDutyEnabled bool   `json:"pagerduty_enabled"`
	PagerDutyKeySet  bool   `json:"pagerduty_routing_key_set" doc:"Whether a routing key is stored; it is never returned."`
	PagerDutyBaseURL string `json:"pagerduty_base_url,omitempty" doc:"Events API base URL; PagerDuty's own when empty."`

	// SeniorManagement are emailed about every breach.
	SeniorManagement []string `json:"senior_management_emails" nullable:"false"`

	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// Input is the settings as an admin saves them. Secrets are write-only:
// empty keeps the stored value; Clear names the ones to remove.
type Input struct {
	SlackEnabled                                  bool
	SlackToken                                    string
	DefaultChannel, TriageChannel, WarRoomChannel string
	EmailEnabled                                  bool
	SMTPHost                                      string
	SMTPPort                                      int
	SMTPTLS                                       email.TLSMode
	SMTPUsername, SMTPPassword, SMTPFrom          string
	PagerDutyEnabled                              bool
	PagerDutyRoutingKey, PagerDutyBaseURL         string
	SeniorManagement                              []string
	// Clear lists stored secrets to remove: "slack_token", "smtp_password",
	// "pagerduty_routing_key".
	Clear []string
}

// clearable maps the names Input.Clear takes to the secrets they remove.
var clearable = map[string]string{"slack_token": SecretSlackToken, "smtp_password": SecretSMTPPassword,
	"pagerduty_routing_key": SecretPagerDutyKey}

// Limits of the settings' values.
const (
	maxSecret      = 4096
	maxLine        = 200
	maxSeniorEmail = 50
)

// defaults are the settings of a tenant that never saved any.
func defaults(tenantID string) ChannelSettings {
	return ChannelSettings{TenantID: tenantID, SMTPTLS: email.StartTLS, SeniorManagement: []string{}}
}

// settings returns the tenant's stored settings or the defaults.
func (s *Service) settings(ctx context.Context, tenantID string) (ChannelSettings, error) {
	st, err := s.Store.NotificationSettings(ctx, tenantID)
	if apperr.Is(err, apperr.NotFound) {
		return defaults(tenantID), nil
	}
	if err != nil {
		return ChannelSettings{}, fmt.Errorf("notification settings of tenant %s: %w", tenantID, err)
	}
	if st.SeniorManagement == nil {
		st.SeniorManagement = []string{}
	}
	return st, nil
}

// GetSettings returns the tenant's notification settings.
func (s *Service) GetSettings(ctx context.Context, p auth.Principal) (ChannelSettings, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return ChannelSettings{}, err
	}
	return s.settings(ctx, p.TenantID)
}

// SaveSettings validates and stores the tenant's notification settings and
// the secrets given, encrypted, in one transaction with its audit row.
func (s *Service) SaveSettings(ctx context.Context, p auth.Principal, in Input) (ChannelSettings, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return ChannelSettings{}, err
	}
	old, err := s.settings(ctx, p.TenantID)
	if err != nil {
		return ChannelSettings{}, err
	}
	trim := strings.TrimSpace
	st := ChannelSettings{TenantID: p.TenantID, Configured: true,
		SlackEnabled: in.SlackEnabled, DefaultChannel: trim(in.DefaultChannel), TriageChannel: trim(in.TriageChannel),
		WarRoomChannel: trim(in.WarRoomChannel), EmailEnabled: in.EmailEnabled, SMTPHost: trim(in.SMTPHost),
		SMTPPort: in.SMTPPort, SMTPTLS: email.TLSMode(trim(string(in.SMTPTLS))), SMTPUsername: trim(in.SMTPUsername),
		SMTPFrom: trim(in.SMTPFrom), PagerDutyEnabled: in.PagerDutyEnabled,
		PagerDutyBaseURL: strings.TrimRight(trim(in.PagerDutyBaseURL), "/"), SeniorManagement: []string{},
		UpdatedAt: s.now(), UpdatedBy: p.Label}
	if st.SMTPTLS == "" {
		st.SMTPTLS = email.StartTLS
	}
	for _, a := range in.SeniorManagement {
		if a = trim(a); a != "" {
			st.SeniorManagement = append(st.SeniorManagement, a)
		}
	}
	secrets := map[string][]byte{}
	cleared := map[string]bool{}
	for _, c := range in.Clear {
		if _, ok := clearable[c]; !ok {
			return ChannelSettings{}, apperr.Invalidf("clear: %q is not a stored secret (slack_token, smtp_password, pagerduty_routing_key)", c)
		}
		cleared[clearable[c]] = true
	}
	put := func(name, value string, set *bool, was bool) {
		*set = was
		switch {
		case value != "":
			secrets[name], *set = []byte(value), true
		case cleared[name]:
			secrets[name], *set = nil, false
		}
	}
	put(SecretSlackToken, in.SlackToken, &st.SlackTokenSet, old.SlackTokenSet)
	put(SecretSMTPPassword, in.SMTPPassword, &st.SMTPPasswordSet, old.SMTPPasswordSet)
	put(SecretPagerDutyKey, in.PagerDutyRoutingKey, &st.PagerDutyKeySet, old.PagerDutyKeySet)
	if err := validate(st, in); err != nil {
		return ChannelSettings{}, err
	}
	var before any
	if old.Configured {
		before = auditView(old, nil)
	}
	ev := audit.Record(p, "notification.settings.update", "notification_settings", p.TenantID, before, auditView(st, secrets))
	if err := s.Store.SaveNotificationSettings(ctx, st, secrets, ev); err != nil {
		return ChannelSettings{}, fmt.Errorf("dispatch.SaveSettings: %w", err)
	}
	return st, nil
}

// validate reports every invalid field at once.
func validate(st ChannelSettings, in Input) error {
	var v apperr.Validation
	line := func(field, val string) {
		v.Check(utf8.RuneCountInString(val) <= maxLine, field, "must be at most %d characters", maxLine)
		v.Check(!strings.ContainsAny(val, "\r\n\t "), field, "must not contain spaces or line breaks")
	}
	line("default_channel", st.DefaultChannel)
	line("triage_channel", st.TriageChannel)
	line("war_room_channel", st.WarRoomChannel)
	line("smtp_host", st.SMTPHost)
	v.Check(utf8.RuneCountInString(st.SMTPUsername) <= maxLine, "smtp_username", "must be at most %d characters", maxLine)
	for field, val := range map[string]string{"slack_token": in.SlackToken, "smtp_password": in.SMTPPassword,
		"pagerduty_routing_key": in.PagerDutyRoutingKey} {
		v.Check(len(val) <= maxSecret, field, "must be at most %d bytes", maxSecret)
		v.Check(!strings.ContainsAny(val, "\r\n"), field, "must be a single line")
	}
	v.Check(!st.SlackEnabled || st.SlackTokenSet, "slack_token", "is required to enable Slack")
	v.Check(st.SMTPPort >= 0 && st.SMTPPort <= 65535, "smtp_port", "must be between 1 and 65535 (0 for the default)")
	switch st.SMTPTLS {
	case email.StartTLS, email.ImplicitTLS, email.NoTLS:
	default:
		v.Add("smtp_tls", "must be one of starttls, tls, none")
	}
	if st.EmailEnabled || st.SMTPHost != "" || st.SMTPFrom != "" {
		v.Check(st.SMTPHost != "", "smtp_host", "is required to enable email")
		if _, err := mail.ParseAddress(st.SMTPFrom); err != nil || utf8.RuneCountInString(st.SMTPFrom) > 320 {
			v.Add("smtp_from", "must be an address such as VendorSync <vendorsync@example.com>")
		}
		if st.SMTPHost != "" && st.SMTPTLS == email.NoTLS {
			if _, err := email.New(email.Config{Host: st.SMTPHost, TLS: st.SMTPTLS, From: "x@example.com"}); err != nil {
				v.Add("smtp_tls", "none is only allowed to a relay on localhost")
			}
		}
	}
	v.Check(st.SMTPUsername == "" || st.SMTPPasswordSet, "smtp_password", "is required with a username")
	v.Check(!st.PagerDutyEnabled || st.PagerDutyKeySet, "pagerduty_routing_key", "is required to enable PagerDuty")
	if st.PagerDutyBaseURL != "" {
		u, err := url.Parse(st.PagerDutyBaseURL)
		ok := err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(st.PagerDutyBaseURL) <= 500
		v.Check(ok, "pagerduty_base_url", "must be an absolute http(s) URL")
	}
	v.Check(len(st.SeniorManagement) <= maxSeniorEmail, "senior_management_emails", "at most %d addresses", maxSeniorEmail)
	for _, a := range st.SeniorManagement {
		if _, err := auth.NormalizeEmail(a); err != nil {
			v.Add("senior_management_emails", "%q is not an email address", a)
			break
		}
	}
	return v.Err()
}

// auditView is what the audit log records of settings: never a secret,
// only which ones changed.
func auditView(st ChannelSettings, secrets map[string][]byte) map[string]any {
	m := map[string]any{"slack_enabled": st.SlackEnabled, "default_channel": st.DefaultChannel,
		"triage_channel": st.TriageChannel, "war_room_channel": st.WarRoomChannel, "email_enabled": st.EmailEnabled,
		"smtp_host": st.SMTPHost, "smtp_port": st.SMTPPort, "smtp_tls": st.SMTPTLS, "smtp_username": st.SMTPUsername,
		"smtp_from": st.SMTPFrom, "pagerduty_enabled": st.PagerDutyEnabled, "pagerduty_base_url": st.PagerDutyBaseURL,
		"senior_management_emails": st.SeniorManagement}
	for name := range secrets {
		m[name+"_changed"] = true
	}
	return m
}
