// Package gmail is the Gmail API mailbox adapter of package mail. It talks
// to the REST API over net/http with golang.org/x/oauth2 tokens (a service
// account with domain-wide delegation, or a user's refresh token) and syncs
// with users.messages.list once, then users.history.list.
package gmail

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/mail/internal/restclient"
)

// Defaults for Config.
const (
	DefaultBaseURL = "https://gmail.googleapis.com"
	DefaultLabel   = "INBOX"
)

// Config is one Gmail mailbox.
type Config struct {
	// UserID is the mailbox address, or "me" (the default) for the user of
	// a refresh token.
	UserID string
	// TokenSource authenticates every call; see ServiceAccountTokenSource
	// and RefreshTokenSource.
	TokenSource oauth2.TokenSource
	// LabelID is the label polled; default INBOX.
	LabelID string
	// Query narrows the first full listing (Gmail search syntax, e.g.
	// "newer_than:30d"); later polls follow history, which has no query.
	Query string
	// MarkRead makes Done remove the UNREAD label; AddLabelIDs and
	// RemoveLabelIDs are applied too (remove "INBOX" to archive).
	MarkRead       bool
	AddLabelIDs    []string
	RemoveLabelIDs []string
	// BaseURL defaults to DefaultBaseURL.
	BaseURL string
	// HTTPClient's transport carries the API calls under the httpx layer;
	// nil means the default transport (each attempt is bounded anyway).
	HTTPClient *http.Client
	// Telemetry receives the API calls' metrics and debug logs.
	Telemetry httpx.Telemetry
}

// upstream names the Gmail API in errors, metrics and logs.
const upstream = "gmail"

// Source polls one Gmail label.
type Source struct {
	cfg Config
	api *restclient.Client
}

var _ mail.Source = (*Source)(nil)

// New validates cfg and returns its Source; an invalid cfg is an
// apperr.Invalid listing every bad field.
func New(cfg Config) (*Source, error) {
	var v apperr.Validation
	v.Check(cfg.TokenSource != nil, "credentials", "a service account key or a refresh token is required")
	if cfg.UserID == "" {
		cfg.UserID = "me"
	}
	if cfg.LabelID == "" {
		cfg.LabelID = DefaultLabel
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	u, err := url.Parse(cfg.BaseURL)
	v.Check(err == nil && u.Scheme != "" && u.Host != "", "base_url", "must be an absolute URL")
	if err := v.Err(); err != nil {
		return nil, err
	}
	tokens := oauth2.ReuseTokenSource(nil, cfg.TokenSource)
	api := restclient.New(upstream, "Gmail API", cfg.HTTPClient, cfg.Telemetry, func(base http.RoundTripper) http.RoundTripper {
		return &oauth2.Transport{Source: tokens, Base: base}
	})
	return &Source{cfg: cfg, api: api}, nil
}

// userURL builds a URL under /gmail/v1/users/{userId}.
func (s *Source) userURL(path ...string) string {
	var b strings.Builder
	b.WriteString(s.cfg.BaseURL + "/gmail/v1/users/" + url.PathEscape(s.cfg.UserID))
	for _, p := range path {
		b.WriteString("/" + url.PathEscape(p))
	}
	return b.String()
}

// profile is users.getProfile.
type profile struct {
	EmailAddress string `json:"emailAddress"`
	HistoryID    string `json:"historyId"`
}

// getProfile returns the mailbox profile, whose historyId marks "now".
func (s *Source) getProfile(ctx context.Context) (profile, error) {
	var p profile
	err := s.api.JSON(ctx, http.MethodGet, s.userURL("profile"), nil, &p)
	if err == nil && p.HistoryID == "" {
		err = &httpx.Error{Upstream: upstream, Op: "get profile", Kind: httpx.Transient, Status: http.StatusOK,
			Message: "Gmail API returned a profile without historyId"}
	}
	return p, err
}

// Test reads the profile and the label, which proves the credentials, the
// delegation and the label.
func (s *Source) Test(ctx context.Context) error {
	if _, err := s.getProfile(ctx); err != nil {
		return annotate(err, "gmail.Test profile "+s.cfg.UserID)
	}
	var label struct {
		ID string `json:"id"`
	}
	if err := s.api.JSON(ctx, http.MethodGet, s.userURL("labels", s.cfg.LabelID), nil, &label); err != nil {
		return annotate(err, "gmail.Test label "+s.cfg.LabelID)
	}
	return nil
}
