package p21

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/httpx"
)

// tokenMargin renews a token this long before it expires, so a request
// never leaves with a token that expires on the way.
const tokenMargin = 30 * time.Second

// tokenAnswer is the token endpoint's answer.
type tokenAnswer struct {
	AccessToken      string `json:"AccessToken"`
	RefreshToken     string `json:"RefreshToken"`
	ExpiresInSeconds int64  `json:"ExpiresInSeconds"`
	TokenType        string `json:"TokenType"`
}

// authorize sets the request's Authorization header by the connector's
// mode, signing in first when the mode uses tokens and none is held.
func (c *Client) authorize(ctx context.Context, req *http.Request) error {
	switch c.settings.AuthMode {
	case erp.AuthAPIKey:
		req.Header.Set("Authorization", "Bearer "+c.settings.Secret)
	case erp.AuthBasic:
		req.SetBasicAuth(c.settings.Username, c.settings.Secret)
	default:
		tok, err := c.bearer(ctx)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return nil
}

// usesTokens says whether a 401 may be cured by signing in again.
func (c *Client) usesTokens() bool {
	return c.settings.AuthMode == erp.AuthPassword || c.settings.AuthMode == erp.AuthConsumerKey
}

// forget drops the held token if it is still tok, so the next request
// signs in again (the service answered 401: it expired or was revoked).
func (c *Client) forget(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

// heldToken returns the token in use, "" when none.
func (c *Client) heldToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// bearer returns a valid token, signing in when none is held or it is
// about to expire. Concurrent callers share one sign-in.
func (c *Client) bearer(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires.Add(-tokenMargin)) {
		return c.token, nil
	}
	ans, err := c.login(ctx)
	if err != nil {
		return "", err
	}
	c.token = ans.AccessToken
	ttl := time.Duration(ans.ExpiresInSeconds) * time.Second
	if ttl <= 0 {
		ttl = time.Hour
	}
	c.expires = c.now().Add(ttl)
	return c.token, nil
}

// login posts the credentials to the token endpoint.
func (c *Client) login(ctx context.Context) (tokenAnswer, error) {
	const op = "sign in"
	var body any
	if c.settings.AuthMode == erp.AuthConsumerKey {
		body = map[string]string{"ClientSecret": c.settings.Secret, "GrantType": "client_credentials"}
	} else {
		body = map[string]string{"username": c.settings.Username, "password": c.settings.Secret}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return tokenAnswer{}, c.fail(op, httpx.BadRequest, 0, "", fmt.Errorf("encode request: %w", err))
	}
	// Signing in changes nothing on the server: safe to retry.
	req, err := http.NewRequestWithContext(httpx.MarkIdempotent(ctx), http.MethodPost, c.base+TokenPath, bytes.NewReader(data))
	if err != nil {
		return tokenAnswer{}, c.fail(op, httpx.BadRequest, 0, "the base URL is not valid", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "VendorSync")
	resp, err := c.http.Do(req)
	if err != nil {
		return tokenAnswer{}, httpx.CallError(ctx, upstream, op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return tokenAnswer{}, c.fail(op, httpx.Transient, resp.StatusCode, "", fmt.Errorf("read response: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		return tokenAnswer{}, c.statusError(op, resp, raw)
	}
	var ans tokenAnswer
	if err := json.Unmarshal(raw, &ans); err != nil || ans.AccessToken == "" {
		return tokenAnswer{}, c.fail(op, httpx.Transient, resp.StatusCode, "P21 answered the sign-in without a token", err)
	}
	return ans, nil
}
