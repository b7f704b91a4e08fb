// Package slack sends VendorSync notifications through Slack's Web API with
// a bot token: posts in channels (a ticket's alert channel, the war room,
// the triage channel) and direct messages to people, found by user id or by
// email address.
package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

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
	// HTTPClient makes the calls; one with a 30-second timeout when nil.
	HTTPClient *http.Client
}

// defaultTimeout bounds one Web API call when the caller gives no client.
const defaultTimeout = 30 * time.Second

// Client talks to one Slack workspace.
type Client struct {
	api *slackapi.Client
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("slack.New: no bot token configured")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	opts := []slackapi.Option{slackapi.OptionHTTPClient(hc)}
	if cfg.APIURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(cfg.APIURL))
	}
	return &Client{api: slackapi.New(cfg.Token, opts...)}, nil
}

// Post posts m in channel (an id such as C0123 or a #name) and returns
// "<channel id>/<message ts>", which identifies the message in Slack.
func (c *Client) Post(ctx context.Context, channel string, m notify.Message) (string, error) {
	return c.post(ctx, notify.ChannelSlack, channel, m)
}

func (c *Client) post(ctx context.Context, ch notify.ChannelName, channel string, m notify.Message) (string, error) {
	blocks, fallback := Render(m)
	id, ts, err := c.api.PostMessageContext(ctx, channel,
		slackapi.MsgOptionBlocks(blocks...),
		slackapi.MsgOptionText(fallback, false),
		slackapi.MsgOptionDisableLinkUnfurl(),
		slackapi.MsgOptionDisableMediaUnfurl())
	if err != nil {
		return "", fmt.Errorf("slack chat.postMessage to %s: %w", channel, classify(ctx, ch, err))
	}
	return id + "/" + ts, nil
}

// DirectMessage sends m to one person: user is a Slack user id (U…, W…) or
// an email address, which is looked up first (users.lookupByEmail).
func (c *Client) DirectMessage(ctx context.Context, user string, m notify.Message) (string, error) {
	const ch = notify.ChannelSlackDM
	id := user
	if strings.Contains(user, "@") {
		u, err := c.api.GetUserByEmailContext(ctx, user)
		if err != nil {
			return "", fmt.Errorf("slack users.lookupByEmail %s: %w", user, classify(ctx, ch, err))
		}
		id = u.ID
	}
	dm, _, _, err := c.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{id}})
	if err != nil {
		return "", fmt.Errorf("slack conversations.open with %s: %w", id, classify(ctx, ch, err))
	}
	if dm == nil || dm.ID == "" {
		return "", fmt.Errorf("slack conversations.open with %s: %w", id,
			notify.Temporary(ch, "bad_response", 0, errors.New("no channel in the answer")))
	}
	return c.post(ctx, ch, dm.ID, m)
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

// retryableCodes are the Web API error codes worth retrying; every other
// "ok": false answer (invalid_auth, channel_not_found, not_in_channel,
// users_not_found, is_archived, missing_scope, invalid_blocks…) will fail
// again the same way.
var retryableCodes = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true,
}

// classify turns an error from slack-go into a *notify.Error.
func classify(ctx context.Context, ch notify.ChannelName, err error) *notify.Error {
	if e := notify.ContextError(ctx, ch, err); e != nil {
		return e
	}
	var rl *slackapi.RateLimitedError
	var api slackapi.SlackErrorResponse
	var status slackapi.StatusCodeError
	var netErr net.Error
	switch {
	case errors.As(err, &rl):
		return notify.Temporary(ch, "ratelimited", rl.RetryAfter, err)
	case errors.As(err, &api):
		if retryableCodes[api.Err] {
			return notify.Temporary(ch, api.Err, 0, err)
		}
		return notify.PermanentCode(ch, api.Err, err)
	case errors.As(err, &status):
		if status.Retryable() {
			return notify.Temporary(ch, strconv.Itoa(status.Code), 0, err)
		}
		return notify.PermanentCode(ch, strconv.Itoa(status.Code), err)
	case errors.As(err, &netErr):
		return notify.Temporary(ch, "network", 0, err)
	}
	// An answer slack-go could not read: most likely a proxy or an outage
	// page in front of Slack, so worth another try.
	return notify.Temporary(ch, "unknown", 0, err)
}
