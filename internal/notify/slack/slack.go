// Package slack sends VendorSync notifications through Slack's Web API with
// a bot token: posts in channels (a ticket's alert channel, the war room,
// the triage channel) and direct messages to people, found by user id or by
// email address.
package slack

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
)

// Config is a tenant's Slack connection.
type Config struct {
	// Token is the bot token (xoxb-…), decrypted by the caller from the
	// tenant's secrets. It needs chat:write, im:write and users:read.email.
	Token string
	// APIURL is the Web API's base URL, ending in "/"; Slack's when empty.
	// Tests point it at an in-process server.
	APIURL string
	// HTTPClient carries the calls under the httpx layer; nil means the
	// default transport.
	HTTPClient *http.Client
	// Telemetry receives the calls' metrics and debug logs.
	Telemetry httpx.Telemetry
}

// upstream names Slack in errors, metrics and logs.
const upstream = "slack"

// policy bounds each Web API call to 30 seconds and waits out only short
// rate limits in place: a longer wait goes back to the delivery job, which
// snoozes for it instead of holding a worker.
var policy = httpx.Policy{AttemptTimeout: 30 * time.Second, MaxRetryAfter: 5 * time.Second}

// Client talks to one Slack workspace.
type Client struct {
	api *slackapi.Client
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("slack.New: no bot token configured")
	}
	hc := httpx.NewClient(upstream, policy, httpx.WithBase(cfg.HTTPClient), httpx.WithTelemetry(cfg.Telemetry))
	opts := []slackapi.Option{slackapi.OptionHTTPClient(hc)}
	if cfg.APIURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(cfg.APIURL))
	}
	return &Client{api: slackapi.New(cfg.Token, opts...)}, nil
}

// Post posts m in channel (an id such as C0123 or a #name) and returns
// "<channel id>/<message ts>", which identifies the message in Slack.
func (c *Client) Post(ctx context.Context, channel string, m notify.Message) (string, error) {
	return c.post(ctx, channel, m)
}

func (c *Client) post(ctx context.Context, channel string, m notify.Message) (string, error) {
	blocks, fallback := Render(m)
	id, ts, err := c.api.PostMessageContext(ctx, channel,
		slackapi.MsgOptionBlocks(blocks...),
		slackapi.MsgOptionText(fallback, false),
		slackapi.MsgOptionDisableLinkUnfurl(),
		slackapi.MsgOptionDisableMediaUnfurl())
	if err != nil {
		return "", classify(ctx, "chat.postMessage to "+channel, err)
	}
	return id + "/" + ts, nil
}

// DirectMessage sends m to one person: user is a Slack user id (U…, W…) or
// an email address, which is looked up first (users.lookupByEmail).
func (c *Client) DirectMessage(ctx context.Context, user string, m notify.Message) (string, error) {
	id := user
	if strings.Contains(user, "@") {
		u, err := c.api.GetUserByEmailContext(ctx, user)
		if err != nil {
			return "", classify(ctx, "users.lookupByEmail "+user, err)
		}
		id = u.ID
	}
	op := "conversations.open with " + id
	dm, _, _, err := c.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{id}})
	if err != nil {
		return "", classify(ctx, op, err)
	}
	if dm == nil || dm.ID == "" {
		e := httpx.BadResponse(upstream, op, http.StatusOK, "no channel in the answer")
		e.Code = "bad_response"
		return "", e
	}
	return c.post(ctx, dm.ID, m)
}

// Channel is the client as the notify.Channel for channel posts.
func (c *Client) Channel() notify.Channel { return channelPoster{c} }

// DM is the client as the notify.Channel for direct messages.
func (c *Client) DM() notify.Channel { return directMessenger{c} }

type channelPoster struct{ c *Client }

func (p channelPoster) Send(ctx context.Context, to notify.Target, m notify.Message) (string, error) {
	return p.c.Post(ctx, to.Address, m)
}

type directMessenger struct{ c *Client }

func (d directMessenger) Send(ctx context.Context, to notify.Target, m notify.Message) (string, error) {
	return d.c.DirectMessage(ctx, to.Address, m)
}

// codeKinds classifies the Web API's "ok": false error codes worth telling
// apart; every other code (not_in_channel, is_archived, invalid_blocks,
// msg_too_long…) will fail again the same way: Permanent.
var codeKinds = map[string]httpx.Kind{
	"ratelimited": httpx.RateLimited, "rate_limited": httpx.RateLimited,
	"internal_error": httpx.Transient, "fatal_error": httpx.Transient,
	"service_unavailable": httpx.Transient, "request_timeout": httpx.Transient,
	"invalid_auth": httpx.Auth, "not_authed": httpx.Auth, "account_inactive": httpx.Auth,
	"token_revoked": httpx.Auth, "token_expired": httpx.Auth,
	"missing_scope": httpx.Permission, "not_allowed_token_type": httpx.Permission,
	"channel_not_found": httpx.NotFound, "users_not_found": httpx.NotFound, "user_not_found": httpx.NotFound,
}

// classify turns an error from slack-go into an *httpx.Error.
func classify(ctx context.Context, op string, err error) *httpx.Error {
	var rl *slackapi.RateLimitedError
	var api slackapi.SlackErrorResponse
	var status slackapi.StatusCodeError
	var netErr net.Error
	switch {
	case ctx.Err() != nil, errors.As(err, &netErr), errors.Is(err, httpx.ErrCircuitOpen):
		return httpx.CallError(ctx, upstream, op, err)
	case errors.As(err, &rl):
		return &httpx.Error{Upstream: upstream, Op: op, Kind: httpx.RateLimited, Status: http.StatusTooManyRequests,
			Code: "ratelimited", RetryAfter: rl.RetryAfter, Err: err}
	case errors.As(err, &api):
		kind, ok := codeKinds[api.Err]
		if !ok {
			kind = httpx.Permanent
		}
		return &httpx.Error{Upstream: upstream, Op: op, Kind: kind, Code: api.Err, Err: err}
	case errors.As(err, &status):
		kind := httpx.KindForStatus(status.Code)
		if kind == "" {
			kind = httpx.Permanent
		}
		return &httpx.Error{Upstream: upstream, Op: op, Kind: kind, Status: status.Code, Code: strconv.Itoa(status.Code), Err: err}
	}
	// An answer slack-go could not read: most likely a proxy or an outage
	// page in front of Slack, so worth another try.
	e := httpx.BadResponse(upstream, op, 0, "%w", err)
	e.Code = "unknown"
	return e
}
