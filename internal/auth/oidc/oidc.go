// Package oidc signs people in with an OpenID Connect provider (Okta, Entra
// ID, Google, Keycloak…): the authorization code flow with PKCE (S256), a
// state against cross-site request forgery and a nonce bound into the ID
// token. It turns a verified ID token into an auth.Identity; what happens to
// that identity is the auth package's business.
package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
)

// Config names the provider and this application's registration with it.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is <base URL>/auth/oidc/callback, registered at the provider.
	RedirectURL string
	// Scopes default to openid, email and profile.
	Scopes []string
	// HTTPClient carries the calls to the provider (discovery, keys, code
	// exchange) under the httpx layer; default: a client whose calls,
	// retries included, end after 15 s.
	HTTPClient *http.Client
	// Telemetry receives those calls' metrics and debug logs.
	Telemetry httpx.Telemetry
}

// Client is a configured relying party. Discovery happens on first use and
// is retried until it succeeds, so a provider that is down at start-up does
// not stop the server.
type Client struct {
	cfg Config

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *gooidc.IDTokenVerifier
	provider *gooidc.Provider
}

// New checks the configuration; it does not contact the provider.
func New(cfg Config) (*Client, error) {
	cfg.Issuer = strings.TrimRight(strings.TrimSpace(cfg.Issuer), "/")
	var missing []string
	for name, v := range map[string]string{"issuer": cfg.Issuer, "client id": cfg.ClientID, "redirect URL": cfg.RedirectURL} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("oidc: missing %s", strings.Join(missing, ", "))
	}
	if !strings.HasPrefix(cfg.Issuer, "https://") && !strings.HasPrefix(cfg.Issuer, "http://") {
		return nil, fmt.Errorf("oidc: issuer %q must be an http(s) URL", cfg.Issuer)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{gooidc.ScopeOpenID, "email", "profile"}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	// Discovery and key fetches (GETs) are retried; the code exchange, a
	// POST of a one-time code, is not.
	cfg.HTTPClient = httpx.NewClient("oidc", httpx.Policy{AttemptTimeout: 10 * time.Second},
		httpx.WithBase(cfg.HTTPClient), httpx.WithTelemetry(cfg.Telemetry))
	return &Client{cfg: cfg}, nil
}

// Issuer is the provider's issuer URL.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// ctx carries the client to go-oidc and, through it, to oauth2 (the code
// exchange), so every call to the provider goes through httpx.
func (c *Client) ctx(ctx context.Context) context.Context {
	return gooidc.ClientContext(ctx, c.cfg.HTTPClient)
}

// discover fetches the provider's metadata once it answers.
func (c *Client) discover(ctx context.Context) (*oauth2.Config, *gooidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.oauth != nil {
		return c.oauth, c.verifier, nil
	}
	// The key set outlives this request: give it a context without its deadline.
	p, err := gooidc.NewProvider(c.ctx(context.WithoutCancel(ctx)), c.cfg.Issuer)
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.Unavailable, err, "the single sign-on provider cannot be reached; try again later")
	}
	c.provider = p
	c.oauth = &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: c.cfg.RedirectURL, Scopes: c.cfg.Scopes}
	c.verifier = p.Verifier(&gooidc.Config{ClientID: c.cfg.ClientID})
	return c.oauth, c.verifier, nil
}

// Begin starts a sign-in: it returns the provider URL to send the browser to
// and the state to keep in the session until the browser comes back.
func (c *Client) Begin(ctx context.Context) (string, auth.SSOState, error) {
	oc, _, err := c.discover(ctx)
	if err != nil {
		return "", auth.SSOState{}, err
	}
	st := auth.SSOState{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	u := oc.AuthCodeURL(st.State, gooidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return u, st, nil
}

// claims are the ID token claims VendorSync reads.
type claims struct {
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
}

// Finish exchanges the authorization code (with the PKCE verifier), verifies
// the ID token's signature, issuer, audience, expiry and nonce, and returns
// who it names.
func (c *Client) Finish(ctx context.Context, st auth.SSOState, code string) (auth.Identity, error) {
	oc, verifier, err := c.discover(ctx)
	if err != nil {
		return auth.Identity{}, err
	}
	bad := func(err error) error {
		return apperr.Wrap(apperr.Unauthorized, err, "single sign-on failed; try again")
	}
	tok, err := oc.Exchange(c.ctx(ctx), code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return auth.Identity{}, bad(fmt.Errorf("oidc: exchange code: %w", err))
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return auth.Identity{}, bad(errors.New("oidc: token response has no id_token"))
	}
	idt, err := verifier.Verify(c.ctx(ctx), raw)
	if err != nil {
		return auth.Identity{}, bad(fmt.Errorf("oidc: verify id_token: %w", err))
	}
	if st.Nonce == "" || idt.Nonce != st.Nonce {
		return auth.Identity{}, bad(errors.New("oidc: id_token nonce does not match"))
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return auth.Identity{}, bad(fmt.Errorf("oidc: read claims: %w", err))
	}
	if cl.Email == "" || cl.Name == "" {
		// A conforming provider may keep its ID tokens minimal and answer
		// email and name at its UserInfo endpoint only.
		if err := c.fillFromUserInfo(ctx, tok, idt.Subject, &cl); err != nil {
			return auth.Identity{}, bad(err)
		}
	}
	id := auth.Identity{Subject: idt.Subject, Email: cl.Email, Name: cl.Name}
	if len(cl.EmailVerified) > 0 && string(cl.EmailVerified) != "null" {
		v, err := parseBool(cl.EmailVerified)
		if err != nil {
			return auth.Identity{}, bad(err)
		}
		id.EmailVerified = &v
	}
	return id, nil
}

// fillFromUserInfo completes the ID token's claims with the provider's
// UserInfo answer (OpenID Connect Core 5.3): only claims the ID token lacks
// are taken, email_verified goes with the email it vouches for, and an
// answer about another subject is refused (5.3.2). A provider without a
// UserInfo endpoint leaves the claims as they are.
func (c *Client) fillFromUserInfo(ctx context.Context, tok *oauth2.Token, subject string, cl *claims) error {
	c.mu.Lock()
	p := c.provider
	c.mu.Unlock()
	var endpoint struct {
		UserInfo string `json:"userinfo_endpoint"`
	}
	if err := p.Claims(&endpoint); err != nil || endpoint.UserInfo == "" {
		return nil
	}
	info, err := p.UserInfo(c.ctx(ctx), oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("oidc: read userinfo: %w", err)
	}
	if info.Subject != subject {
		return fmt.Errorf("oidc: userinfo names subject %q, the id_token %q", info.Subject, subject)
	}
	var more claims
	if err := info.Claims(&more); err != nil {
		return fmt.Errorf("oidc: read userinfo claims: %w", err)
	}
	if cl.Email == "" {
		cl.Email, cl.EmailVerified = more.Email, more.EmailVerified
	}
	if len(cl.EmailVerified) == 0 && strings.EqualFold(cl.Email, more.Email) {
		cl.EmailVerified = more.EmailVerified
	}
	if cl.Name == "" {
		cl.Name = more.Name
	}
	return nil
}

// parseBool reads email_verified, which some providers send as a string.
func parseBool(raw json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil && (s == "true" || s == "false") {
		return s == "true", nil
	}
	return false, fmt.Errorf("oidc: email_verified is neither true nor false: %s", raw)
}

func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
