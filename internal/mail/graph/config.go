// Package graph is the Microsoft 365 mailbox adapter of package mail: it
// reads a mailbox folder through Microsoft Graph with an app registration's
// client credentials (application permission Mail.Read, or Mail.ReadWrite
// for MarkRead and MoveTo), so no user has to sign in.
package graph

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/mail/internal/restclient"
)

// Defaults for Config.
const (
	DefaultBaseURL  = "https://graph.microsoft.com/v1.0"
	DefaultTokenURL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
	DefaultScope    = "https://graph.microsoft.com/.default"
	DefaultFolder   = "inbox"
	DefaultPageSize = 50
)

// Config is one Microsoft 365 mailbox.
type Config struct {
	TenantID     string
	ClientID     string
	ClientSecret string
	// Mailbox is the user id or user principal name of the mailbox
	// ("vendor-notices@example-corp.com").
	Mailbox string
	// Folder is a folder id or well-known name; default "inbox".
	Folder string
	// MarkRead makes Done set isRead on processed messages.
	MarkRead bool
	// MoveTo, when set, is the folder id or well-known name ("archive")
	// Done moves processed messages to.
	MoveTo string
	// BaseURL defaults to DefaultBaseURL; TokenURL to DefaultTokenURL with
	// the tenant filled in (national clouds and tests change them).
	BaseURL  string
	TokenURL string
	// PageSize is the $top of each listing page; default 50.
	PageSize int
	// HTTPClient's transport carries the token requests and the API calls
	// under the httpx layer; nil means the default transport (each attempt
	// is bounded anyway).
	HTTPClient *http.Client
	// Telemetry receives the calls' metrics and debug logs.
	Telemetry httpx.Telemetry
}

// upstream names Microsoft Graph in errors, metrics and logs.
const upstream = "graph"

// Source polls one mailbox folder through Graph. Reuse it between polls:
// it caches the access token.
type Source struct {
	cfg    Config
	api    *restclient.Client
	origin string // scheme://host of BaseURL; @odata.nextLink must stay on it
}

var _ mail.Source = (*Source)(nil)

// New validates cfg and returns its Source; an invalid cfg is an
// apperr.Invalid listing every bad field.
func New(cfg Config) (*Source, error) {
	var v apperr.Validation
	v.Check(cfg.TenantID != "" || cfg.TokenURL != "", "tenant_id", "is required")
	v.Check(cfg.ClientID != "", "client_id", "is required")
	v.Check(cfg.ClientSecret != "", "client_secret", "is required")
	v.Check(cfg.Mailbox != "", "mailbox", "is required")
	if cfg.Folder == "" {
		cfg.Folder = DefaultFolder
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	base, err := url.Parse(cfg.BaseURL)
	v.Check(err == nil && base.Scheme != "" && base.Host != "", "base_url", "must be an absolute URL")
	if cfg.TokenURL == "" {
		cfg.TokenURL = strings.ReplaceAll(DefaultTokenURL, "{tenant}", url.PathEscape(cfg.TenantID))
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 1000 {
		cfg.PageSize = DefaultPageSize
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cc := clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     cfg.TokenURL,
		Scopes:       []string{DefaultScope},
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	// The context only carries the HTTP client for token requests; tokens
	// are fetched lazily, within each API request.
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, restclient.TokenClient(cfg.HTTPClient, cfg.Telemetry))
	tokens := cc.TokenSource(tokenCtx)
	api := restclient.New(upstream, "Microsoft Graph", cfg.HTTPClient, cfg.Telemetry, func(base http.RoundTripper) http.RoundTripper {
		return &oauth2.Transport{Source: tokens, Base: base}
	})
	// Immutable ids survive MoveTo, so Done stays idempotent.
	api.Header = http.Header{"Prefer": {`IdType="ImmutableId"`}}
	return &Source{cfg: cfg, api: api, origin: base.Scheme + "://" + base.Host}, nil
}

// userURL builds a URL under /users/{mailbox}.
func (s *Source) userURL(path ...string) string {
	var b strings.Builder
	b.WriteString(s.cfg.BaseURL + "/users/" + url.PathEscape(s.cfg.Mailbox))
	for _, p := range path {
		b.WriteString("/" + url.PathEscape(p))
	}
	return b.String()
}

// Test fetches the folder (and MoveTo), which proves the credentials, the
// permission and the folder.
func (s *Source) Test(ctx context.Context) error {
	for _, folder := range []string{s.cfg.Folder, s.cfg.MoveTo} {
		if folder == "" {
			continue
		}
		var f struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
		}
		u := s.userURL("mailFolders", folder) + "?$select=id,displayName"
		if err := s.api.JSON(ctx, http.MethodGet, u, nil, &f); err != nil {
			return annotate(err, "graph.Test folder "+folder)
		}
	}
	return nil
}
