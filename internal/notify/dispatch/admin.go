package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
)

// List pages through the tenant's notification log, newest first.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]LogEntry, string, error) {
	if err := p.Require(auth.PermManageJobs); err != nil {
		return nil, "", err
	}
	var v apperr.Validation
	v.Check(f.Status == "" || f.Status.Valid(), "status", "must be one of queued, sent, failed, dead")
	v.Check(f.Channel == "" || validChannel(f.Channel), "channel", "must be one of slack_channel, slack_dm, email, pagerduty, tracker_comment")
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	out, next, err := s.Store.ListNotifications(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("dispatch.List: %w", err)
	}
	return out, next, nil
}

func validChannel(c notify.ChannelName) bool {
	switch c {
	case notify.ChannelSlack, notify.ChannelSlackDM, notify.ChannelEmail, notify.ChannelPagerDuty, notify.ChannelTrackerComment:
		return true
	}
	return false
}

// Get returns one entry of the tenant's log.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (LogEntry, error) {
	if err := p.Require(auth.PermManageJobs); err != nil {
		return LogEntry{}, err
	}
	e, err := s.Store.Notification(ctx, p.TenantID, id)
	if err != nil {
		return LogEntry{}, fmt.Errorf("dispatch.Get %.40s: %w", id, err)
	}
	return e, nil
}

// Replay sends a failed or dead notification again: the entry goes back
// to queued and a new delivery job is enqueued with the audit row, in one
// transaction. It renders from the same frozen snapshot.
func (s *Service) Replay(ctx context.Context, p auth.Principal, id string) (LogEntry, error) {
	if err := p.Require(auth.PermManageJobs); err != nil {
		return LogEntry{}, err
	}
	e, err := s.Store.Notification(ctx, p.TenantID, id)
	if err != nil {
		return LogEntry{}, fmt.Errorf("dispatch.Replay %.40s: %w", id, err)
	}
	if !e.Status.Replayable() {
		return LogEntry{}, apperr.E(apperr.Conflict, "this notification is %s; %s", e.Status, errNotReplayable)
	}
	ev := audit.Record(p, "notification.replay", "notification", e.ID, map[string]any{"status": e.Status, "last_error": e.LastError},
		map[string]any{"status": Queued})
	now := s.now()
	if err := s.Store.ReplayNotification(ctx, p.TenantID, e.ID, now, ev, deliverJob(e)); err != nil {
		return LogEntry{}, fmt.Errorf("dispatch.Replay %s: %w", e.ID, err)
	}
	e.Status, e.UpdatedAt = Queued, now
	return e, nil
}

// TestInput names a channel and target to send a test notification to.
type TestInput struct {
	Channel notify.ChannelName
	// Target is a Slack channel, a Slack user id or email, an email
	// address; ignored for PagerDuty.
	Target string
}

// ChannelTestResult is the outcome of a test notification.
type ChannelTestResult struct {
	OK             bool   `json:"ok"`
	Message        string `json:"message"`
	Code           string `json:"code,omitempty" doc:"The provider's error code, when it gave one."`
	ProviderRef    string `json:"provider_ref,omitempty"`
	NotificationID string `json:"notification_id" doc:"The test's entry in the notification log."`
	LatencyMS      int64  `json:"latency_ms"`
}

// Test sends a test notification now, through the tenant's configured
// channel (even one switched off), and logs it. A failing provider is a
// result, not an error.
func (s *Service) Test(ctx context.Context, p auth.Principal, in TestInput) (ChannelTestResult, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return ChannelTestResult{}, err
	}
	in.Target = strings.TrimSpace(in.Target)
	if in.Channel == notify.ChannelPagerDuty {
		in.Target = PagerDutyTarget
	}
	var v apperr.Validation
	switch in.Channel {
	case notify.ChannelSlack, notify.ChannelSlackDM, notify.ChannelEmail, notify.ChannelPagerDuty:
	default:
		v.Add("channel", "must be one of slack_channel, slack_dm, email, pagerduty")
	}
	v.Check(in.Target != "", "target", "is required")
	v.Check(utf8.RuneCountInString(in.Target) <= maxLine, "target", "must be at most %d characters", maxLine)
	if err := v.Err(); err != nil {
		return ChannelTestResult{}, err
	}
	st, err := s.settings(ctx, p.TenantID)
	if err != nil {
		return ChannelTestResult{}, err
	}
	cs, err := s.channels(ctx, st, false)
	if err != nil {
		return ChannelTestResult{}, err
	}
	if cs[in.Channel] == nil {
		return ChannelTestResult{}, apperr.E(apperr.Conflict, "%s is not configured yet: save its settings first", in.Channel)
	}
	now := s.now()
	ev := notify.Event{Kind: notify.KindTest, Subject: ident.New()}
	snap := notify.NewTestSnapshot(fmt.Sprintf("%s sent this test from VendorSync's notification settings.", p.Label), s.BaseURL, now)
	to := notify.Target{Address: in.Target}
	e := LogEntry{ID: ident.New(), TenantID: p.TenantID, Kind: ev.Kind, Subject: ev.Subject, Channel: in.Channel, Target: in.Target,
		DedupKey: notify.DedupKey(ev.Key(), in.Channel, to), Status: Queued, Snapshot: snap, CreatedAt: now, UpdatedAt: now}
	if _, err := s.Store.PlanNotifications(ctx, []LogEntry{e}, func(LogEntry) jobargs.Args { return nil }); err != nil {
		return ChannelTestResult{}, fmt.Errorf("dispatch.Test: log: %w", err)
	}
	m, err := notify.Compose(ev, snap)
	if err != nil {
		return ChannelTestResult{}, fmt.Errorf("dispatch.Test: %w", err)
	}
	sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	start := time.Now()
	ref, sendErr := cs.Send(sendCtx, e.Delivery(), m)
	res := ChannelTestResult{NotificationID: e.ID, LatencyMS: time.Since(start).Milliseconds(), ProviderRef: ref}
	o := Outcome{TenantID: p.TenantID, ID: e.ID, Status: Sent, ProviderRef: ref, At: s.now()}
	if sendErr != nil {
		o.Status, o.LastError = Failed, oneLine(sendErr.Error())
		res.Message = o.LastError
		var he *httpx.Error
		if errors.As(sendErr, &he) {
			res.Code, res.Message = he.Code, oneLine(he.Explain())
		}
	} else {
		res.OK, res.Message = true, fmt.Sprintf("Test notification sent to %s via %s.", in.Target, in.Channel)
	}
	if err := s.Store.RecordNotificationAttempt(ctx, o); err != nil {
		return ChannelTestResult{}, fmt.Errorf("dispatch.Test: record: %w", err)
	}
	return res, nil
}
