package web

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/email"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// notifySettingsBody is the notification settings as clients send them,
// with write-only secrets.
type notifySettingsBody struct {
	SlackEnabled        bool          `json:"slack_enabled,omitempty"`
	SlackToken          string        `json:"slack_token,omitempty" writeOnly:"true" maxLength:"4096" doc:"Write-only: the Slack bot token (xoxb-…), stored encrypted; leave out to keep the stored one."`
	DefaultChannel      string        `json:"default_channel,omitempty" maxLength:"200" doc:"Slack channel for tickets whose rule and owner team name none."`
	TriageChannel       string        `json:"triage_channel,omitempty" maxLength:"200" doc:"Slack channel for unknown-vendor alerts; admins get a DM when empty."`
	WarRoomChannel      string        `json:"war_room_channel,omitempty" maxLength:"200" doc:"Slack channel for D-1 alerts; the ticket's channel when empty."`
	EmailEnabled        bool          `json:"email_enabled,omitempty"`
	SMTPHost            string        `json:"smtp_host,omitempty" maxLength:"200"`
	SMTPPort            int           `json:"smtp_port,omitempty" minimum:"0" maximum:"65535"`
	SMTPTLS             email.TLSMode `json:"smtp_tls,omitempty" enum:"starttls,tls,none"`
	SMTPUsername        string        `json:"smtp_username,omitempty" maxLength:"200"`
	SMTPPassword        string        `json:"smtp_password,omitempty" writeOnly:"true" maxLength:"4096" doc:"Write-only: stored encrypted; leave out to keep the stored one."`
	SMTPFrom            string        `json:"smtp_from,omitempty" maxLength:"320"`
	PagerDutyEnabled    bool          `json:"pagerduty_enabled,omitempty"`
	PagerDutyRoutingKey string        `json:"pagerduty_routing_key,omitempty" writeOnly:"true" maxLength:"4096" doc:"Write-only: the Events API v2 integration key, stored encrypted."`
	PagerDutyBaseURL    string        `json:"pagerduty_base_url,omitempty" maxLength:"500"`
	SeniorManagement    []string      `json:"senior_management_emails,omitempty" maxItems:"50" doc:"Emailed about every breach."`
	Clear               []string      `json:"clear,omitempty" maxItems:"3" doc:"Stored secrets to remove: slack_token, smtp_password, pagerduty_routing_key."`
	// Read-only fields are accepted so a client may send back what it read.
	Configured      *bool   `json:"configured,omitempty" doc:"Ignored: returned by GET."`
	SlackTokenSet   *bool   `json:"slack_token_set,omitempty" doc:"Ignored: returned by GET."`
	SMTPPasswordSet *bool   `json:"smtp_password_set,omitempty" doc:"Ignored: returned by GET."`
	PagerDutyKeySet *bool   `json:"pagerduty_routing_key_set,omitempty" doc:"Ignored: returned by GET."`
	UpdatedAt       *string `json:"updated_at,omitempty" doc:"Ignored: returned by GET."`
	UpdatedBy       *string `json:"updated_by,omitempty" doc:"Ignored: returned by GET."`
}

func (b notifySettingsBody) input() dispatch.Input {
	return dispatch.Input{SlackEnabled: b.SlackEnabled, SlackToken: b.SlackToken, DefaultChannel: b.DefaultChannel,
		TriageChannel: b.TriageChannel, WarRoomChannel: b.WarRoomChannel, EmailEnabled: b.EmailEnabled, SMTPHost: b.SMTPHost,
		SMTPPort: b.SMTPPort, SMTPTLS: b.SMTPTLS, SMTPUsername: b.SMTPUsername, SMTPPassword: b.SMTPPassword, SMTPFrom: b.SMTPFrom,
		PagerDutyEnabled: b.PagerDutyEnabled, PagerDutyRoutingKey: b.PagerDutyRoutingKey, PagerDutyBaseURL: b.PagerDutyBaseURL,
		SeniorManagement: b.SeniorManagement, Clear: b.Clear}
}

type notifySettingsIn struct {
	Body wholeBody[notifySettingsBody]
}

type notifySettingsOut struct {
	Body dispatch.ChannelSettings
}

// notifyTestBody names the channel and target of a test.
type notifyTestBody struct {
	Channel string `json:"channel" enum:"slack_channel,slack_dm,email,pagerduty"`
	Target  string `json:"target,omitempty" maxLength:"200" doc:"A Slack channel (#name or id), a Slack user id or email, an email address; ignored for pagerduty."`
}

type notifyTestIn struct {
	Body notifyTestBody
}

type notifyTestOut struct {
	Body dispatch.ChannelTestResult
}

type notificationsIn struct {
	PageQuery
	Status  string `query:"status" enum:"queued,sent,failed,dead" doc:"Only entries in this state."`
	Channel string `query:"channel" enum:"slack_channel,slack_dm,email,pagerduty,tracker_comment" doc:"Only entries on this channel."`
	Ticket  string `query:"ticket" maxLength:"40" doc:"Only entries about this ticket (VS-0042)."`
}

type notificationOut struct {
	Body dispatch.LogEntry
}

// notifier returns the notification service, or Unavailable without one.
func (s *Server) notifier() (*dispatch.Service, error) {
	if s.Notify == nil {
		return nil, apperr.E(apperr.Unavailable, "notifications are not configured on this server")
	}
	return s.Notify, nil
}

func (s *Server) apiGetNotifySettings(ctx context.Context, _ *struct{}) (*notifySettingsOut, error) {
	svc, err := s.notifier()
	if err != nil {
		return nil, err
	}
	st, err := svc.GetSettings(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return &notifySettingsOut{Body: st}, nil
}

func (s *Server) apiPutNotifySettings(ctx context.Context, in *notifySettingsIn) (*notifySettingsOut, error) {
	svc, err := s.notifier()
	if err != nil {
		return nil, err
	}
	st, err := svc.SaveSettings(ctx, principal(ctx), in.Body.Value.input())
	if err != nil {
		return nil, err
	}
	return &notifySettingsOut{Body: st}, nil
}

func (s *Server) apiTestNotify(ctx context.Context, in *notifyTestIn) (*notifyTestOut, error) {
	svc, err := s.notifier()
	if err != nil {
		return nil, err
	}
	res, err := svc.Test(ctx, principal(ctx), dispatch.TestInput{Channel: notify.ChannelName(in.Body.Channel), Target: in.Body.Target})
	if err != nil {
		return nil, err
	}
	return &notifyTestOut{Body: res}, nil
}

// notificationFilter reads the list filter; an unknown ticket key matches
// nothing.
func notificationFilter(status, channel, key, cursor string, limit int) (dispatch.Filter, error) {
	f := dispatch.Filter{Status: dispatch.Status(status), Channel: notify.ChannelName(channel), Cursor: cursor, Limit: limit}
	if key != "" {
		n, err := ticket.ParseKey(key)
		if err != nil {
			return f, apperr.Invalidf("ticket %q is not a ticket key such as VS-0042", key)
		}
		f.TicketNumber = n
	}
	return f, nil
}

func (s *Server) apiListNotifications(ctx context.Context, in *notificationsIn) (*PageOut[dispatch.LogEntry], error) {
	svc, err := s.notifier()
	if err != nil {
		return nil, err
	}
	f, err := notificationFilter(in.Status, in.Channel, in.Ticket, in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	out, next, err := svc.List(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

func (s *Server) apiReplayNotification(ctx context.Context, in *IDPath) (*notificationOut, error) {
	svc, err := s.notifier()
	if err != nil {
		return nil, err
	}
	e, err := svc.Replay(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &notificationOut{Body: e}, nil
}

// Operations of the notifications API; routes.go registers them with their
// permission.
var (
	docGetNotifySettings = huma.Operation{Summary: "Get the notification channels",
		Description: "Slack, SMTP and PagerDuty settings, the triage and war-room channels and senior management. " +
			"Secrets are never returned: *_set says whether each is stored."}
	docPutNotifySettings = huma.Operation{Summary: "Save the notification channels",
		Description: "Replaces the settings. slack_token, smtp_password and pagerduty_routing_key are write-only and stored " +
			"encrypted; leave them out to keep the stored values, or name them in clear to remove them. An empty object is refused.", SkipValidateBody: true}
	docTestNotify = huma.Operation{Summary: "Send a test notification",
		Description: "Sends a test message now through the saved settings of a channel (even one switched off) to the target, " +
			"and logs it. A provider's refusal answers 200 with ok=false; 409 when the channel is not configured."}
	docListNotifications = huma.Operation{Summary: "List the notification log",
		Description: "Every notification planned, newest first, with its attempts and last error."}
	docReplayNotification = huma.Operation{Summary: "Replay a failed or dead notification",
		Description: "Queues the notification again, rendered from the same frozen snapshot. 409 unless it is failed or dead."}
)
