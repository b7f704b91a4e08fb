package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/email"
	"github.com/vendorsync/vendorsync/internal/notify/pagerduty"
	"github.com/vendorsync/vendorsync/internal/notify/slack"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// ChannelConfig is what one tenant's channel clients are built from; a
// nil field is a channel that is not configured.
type ChannelConfig struct {
	Slack     *slack.Config
	Email     *email.Config
	PagerDuty *pagerduty.Config
}

// PagerDutyTarget is the target of every page: the tenant has one
// PagerDuty service, the one its routing key names.
const PagerDutyTarget = "on-call"

// available lists the channels a tenant's settings enable, without
// building any client, for planning.
func (s *Service) available(st ChannelSettings) map[notify.ChannelName]bool {
	out := map[notify.ChannelName]bool{}
	if st.SlackEnabled && st.SlackTokenSet {
		out[notify.ChannelSlack], out[notify.ChannelSlackDM] = true, true
	}
	if st.EmailEnabled && st.SMTPHost != "" {
		out[notify.ChannelEmail] = true
	}
	if st.PagerDutyEnabled && st.PagerDutyKeySet {
		out[notify.ChannelPagerDuty] = true
	}
	if s.Trackers != nil {
		out[notify.ChannelTrackerComment] = true
	}
	return out
}

// config builds the channels' client configuration from the settings and
// the decrypted secrets. enabledOnly leaves out channels that are switched
// off (a "send test" tries a configured channel even while it is off).
func (s *Service) config(ctx context.Context, st ChannelSettings, enabledOnly bool) (ChannelConfig, error) {
	var cfg ChannelConfig
	secret := func(name string) (string, error) {
		b, err := s.Store.NotificationSecret(ctx, st.TenantID, name)
		if apperr.Is(err, apperr.NotFound) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("notification secret %s: %w", name, err)
		}
		return string(b), nil
	}
	if st.SlackTokenSet && (st.SlackEnabled || !enabledOnly) {
		tok, err := secret(SecretSlackToken)
		if err != nil {
			return cfg, err
		}
		cfg.Slack = &slack.Config{Token: tok, Telemetry: s.Telemetry}
	}
	if st.SMTPHost != "" && (st.EmailEnabled || !enabledOnly) {
		pw := ""
		if st.SMTPUsername != "" {
			var err error
			if pw, err = secret(SecretSMTPPassword); err != nil {
				return cfg, err
			}
		}
		cfg.Email = &email.Config{Host: st.SMTPHost, Port: st.SMTPPort, TLS: st.SMTPTLS, Username: st.SMTPUsername,
			Password: pw, From: st.SMTPFrom, Timeout: 30 * time.Second}
	}
	if st.PagerDutyKeySet && (st.PagerDutyEnabled || !enabledOnly) {
		key, err := secret(SecretPagerDutyKey)
		if err != nil {
			return cfg, err
		}
		cfg.PagerDuty = &pagerduty.Config{RoutingKey: key, BaseURL: st.PagerDutyBaseURL, Telemetry: s.Telemetry}
	}
	if s.Configure != nil {
		s.Configure(&cfg)
	}
	return cfg, nil
}

// channels builds the tenant's channel clients. A client that cannot be
// built (a bad stored value) leaves its channel out, so its deliveries
// fail permanently with "not configured" while the others go out; why is
// logged.
func (s *Service) channels(ctx context.Context, st ChannelSettings, enabledOnly bool) (notify.Channels, error) {
	cfg, err := s.config(ctx, st, enabledOnly)
	if err != nil {
		return nil, err
	}
	cs := notify.Channels{}
	log := s.log().With("tenant_id", st.TenantID)
	if cfg.Slack != nil {
		if c, err := slack.New(*cfg.Slack); err != nil {
			log.WarnContext(ctx, "slack channel not usable", "err", err.Error())
		} else {
			cs[notify.ChannelSlack], cs[notify.ChannelSlackDM] = c.Channel(), c.DM()
		}
	}
	if cfg.Email != nil {
		if c, err := email.New(*cfg.Email); err != nil {
			log.WarnContext(ctx, "email channel not usable", "err", err.Error())
		} else {
			cs[notify.ChannelEmail] = c
		}
	}
	if cfg.PagerDuty != nil {
		if c, err := pagerduty.New(*cfg.PagerDuty); err != nil {
			log.WarnContext(ctx, "pagerduty channel not usable", "err", err.Error())
		} else {
			cs[notify.ChannelPagerDuty] = c
		}
	}
	if s.Trackers != nil && enabledOnly {
		cs[notify.ChannelTrackerComment] = commentChannel{tenantID: st.TenantID, c: s.Trackers}
	}
	return cs, nil
}

// commentChannel posts Message.Comment on a tracker issue.
type commentChannel struct {
	tenantID string
	c        Commenter
}

// Send posts the comment; the issue key is the target, and its link picks
// the tracker. The tracker's own failures pass through as they are
// (*httpx.Error, with their kind and wait); no tracker being connected is
// permanent until an admin connects one, and so is an issue no link has.
// The message's dedup key makes a retried comment find the one an earlier
// attempt posted instead of posting it again.
func (cc commentChannel) Send(ctx context.Context, to notify.Target, m notify.Message) (string, error) {
	op := "comment on " + to.Address
	if strings.TrimSpace(m.Comment) == "" {
		return "", &httpx.Error{Upstream: trackerUpstream, Op: op, Kind: httpx.Permanent, Message: "the message has no tracker comment"}
	}
	err := cc.c.Comment(ctx, cc.tenantID, to.Address, CommentDocument(m.Comment, m.Link), m.DedupKey)
	switch {
	case err == nil:
		return to.Address + "/" + m.DedupKey, nil
	case apperr.Is(err, apperr.Conflict):
		return "", &httpx.Error{Upstream: trackerUpstream, Op: op, Kind: httpx.Permanent, Code: "not_connected", Err: err}
	case httpx.KindOf(err) == "" && apperr.Is(err, apperr.NotFound):
		return "", &httpx.Error{Upstream: trackerUpstream, Op: op, Kind: httpx.NotFound, Code: "not_linked", Err: err}
	case ctx.Err() != nil:
		return "", httpx.CallError(ctx, trackerUpstream, op, err)
	}
	return "", err
}

// trackerUpstream names the tracker in failures found before it was called.
const trackerUpstream = "tracker"

// CommentDocument turns the seed's comment text into a tracker document:
// its blank-line separated blocks become paragraphs, and the closing
// "VendorSync ticket: <link>" line a real link.
func CommentDocument(text, link string) tracker.Document {
	var doc tracker.Document
	blocks := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n")
	for i, b := range blocks {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if i == len(blocks)-1 && link != "" && strings.HasSuffix(b, link) {
			label := strings.TrimSpace(strings.TrimSuffix(b, link))
			doc.Link = &tracker.Link{Label: label, URL: link}
			if doc.Validate() == nil {
				continue
			}
			doc.Link = nil
		}
		doc.Paragraphs = append(doc.Paragraphs, tracker.Paragraph{Text: b})
	}
	return doc
}
