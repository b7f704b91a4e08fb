package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/email/smtptest"
	"github.com/vendorsync/vendorsync/internal/notify/slack/slacktest"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestNotificationSettingsAPI saves the channels with their write-only
// secrets, sends tests through in-process Slack and SMTP servers, lists
// the log and replays a failed entry.
func TestNotificationSettingsAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			sl, mail := slacktest.New(t), smtptest.New(t, smtptest.Plain)
			e.server.Notify.Configure = func(c *dispatch.ChannelConfig) {
				if c.Slack != nil {
					c.Slack.APIURL, c.Slack.HTTPClient = sl.APIURL(), sl.HTTPClient()
				}
			}
			var st dispatch.ChannelSettings
			e.do(http.MethodGet, "/api/v1/notifications/settings", e.key, nil).JSON(t, &st)
			if st.Configured || st.SlackTokenSet || st.SMTPTLS != "starttls" {
				t.Errorf("before saving: %+v", st)
			}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/notifications/test", e.key,
				map[string]any{"channel": "email", "target": "a@acme.test"}), http.StatusConflict)
			wantProblem(t, e.do(http.MethodPut, "/api/v1/notifications/settings", e.key,
				map[string]any{"slack_enabled": true}), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodPut, "/api/v1/notifications/settings", e.key,
				map[string]any{"no_such_field": true}), http.StatusUnprocessableEntity)

			body := map[string]any{"slack_enabled": true, "slack_token": slacktest.Token, "war_room_channel": "#war-room",
				"email_enabled": true, "smtp_host": "127.0.0.1", "smtp_port": mail.Port, "smtp_tls": "none",
				"smtp_username": smtptest.User, "smtp_password": smtptest.Password, "smtp_from": "VendorSync <vs@acme.test>",
				"senior_management_emails": []string{"cfo@acme.test"}}
			res := e.do(http.MethodPut, "/api/v1/notifications/settings", e.key, body)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &st)
			if !st.SlackTokenSet || !st.SMTPPasswordSet || st.PagerDutyKeySet || st.WarRoomChannel != "#war-room" {
				t.Errorf("after saving: %+v", st)
			}
			// A client may send back what it read; the secrets stay.
			read := e.do(http.MethodGet, "/api/v1/notifications/settings", e.key, nil)
			wantStatus(t, e.do(http.MethodPut, "/api/v1/notifications/settings", e.key, string(read.Body)), http.StatusOK)
			for _, path := range []string{"/api/v1/notifications/settings", "/api/v1/audit?limit=500"} {
				if b := string(e.do(http.MethodGet, path, e.key, nil).Body); strings.Contains(b, slacktest.Token) || strings.Contains(b, smtptest.Password) {
					t.Errorf("GET %s shows a secret: %s", path, b)
				}
			}

			var test dispatch.ChannelTestResult
			for _, in := range []map[string]any{
				{"channel": "slack_channel", "target": "#war-room"},
				{"channel": "email", "target": "ops@acme.test"},
			} {
				res := e.do(http.MethodPost, "/api/v1/notifications/test", e.key, in)
				wantStatus(t, res, http.StatusOK)
				res.JSON(t, &test)
				if !test.OK || test.NotificationID == "" {
					t.Errorf("test %v: %+v", in, test)
				}
			}
			if n := len(mail.Messages()); n != 1 {
				t.Errorf("%d test emails, want 1", n)
			}
			e.do(http.MethodPost, "/api/v1/notifications/test", e.key, map[string]any{"channel": "slack_channel", "target": "#nowhere"}).JSON(t, &test)
			if test.OK || test.Code != "channel_not_found" {
				t.Errorf("test to a missing channel: %+v", test)
			}
			failedID := test.NotificationID

			var page struct {
				Items []dispatch.LogEntry `json:"items"`
			}
			e.do(http.MethodGet, "/api/v1/notifications?status=failed", e.key, nil).JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].ID != failedID || page.Items[0].Attempts != 1 || page.Items[0].LastError == "" {
				t.Fatalf("failed entries: %+v", page.Items)
			}
			e.do(http.MethodGet, "/api/v1/notifications?channel=email", e.key, nil).JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].Status != dispatch.Sent {
				t.Errorf("email entries: %+v", page.Items)
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/notifications?ticket=nonsense", e.key, nil), http.StatusUnprocessableEntity)

			res = e.do(http.MethodPost, "/api/v1/notifications/"+failedID+"/replay", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			var replayed dispatch.LogEntry
			res.JSON(t, &replayed)
			if replayed.Status != dispatch.Queued {
				t.Errorf("replayed: %+v", replayed)
			}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/notifications/"+failedID+"/replay", e.key, nil), http.StatusConflict)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/notifications/"+missingID+"/replay", e.key, nil), http.StatusNotFound)

			// Stored secrets can be removed: clearing the SMTP password
			// (with the username gone too) leaves the Slack token alone.
			clear := map[string]any{"slack_enabled": true, "war_room_channel": "#war-room", "email_enabled": true,
				"smtp_host": "127.0.0.1", "smtp_port": mail.Port, "smtp_tls": "none", "smtp_from": "vs@acme.test",
				"clear": []string{"smtp_password"}}
			res = e.do(http.MethodPut, "/api/v1/notifications/settings", e.key, clear)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &st)
			if st.SMTPPasswordSet || !st.SlackTokenSet {
				t.Errorf("after clearing the SMTP password: %+v", st)
			}
			// Clearing the token of an enabled Slack is refused, with the reason.
			clear["clear"] = []string{"slack_token"}
			wantProblem(t, e.do(http.MethodPut, "/api/v1/notifications/settings", e.key, clear), http.StatusUnprocessableEntity)
			clear["clear"] = []string{"no_such_secret"}
			wantProblem(t, e.do(http.MethodPut, "/api/v1/notifications/settings", e.key, clear), http.StatusUnprocessableEntity)
			clear["slack_enabled"], clear["clear"] = false, []string{"slack_token"}
			e.do(http.MethodPut, "/api/v1/notifications/settings", e.key, clear).JSON(t, &st)
			if st.SlackTokenSet {
				t.Errorf("the Slack token was not removed: %+v", st)
			}
		})
	}
}

// TestNotificationPages walks the settings page (save, send test) and the
// log page (filter, replay) as an admin, without JavaScript.
func TestNotificationPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	mail := smtptest.New(t, smtptest.Plain)
	s := e.signInAs(e.admin.Email, e.password)
	page := s.get(t, "/settings/notifications")
	wantStatus(t, page, http.StatusOK)
	for _, want := range []string{`action="/settings/notifications"`, `id="test-email"`, "Send test", `name="slack_token"`} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("settings page lacks %s", want)
		}
	}
	bad := s.post(t, "/settings/notifications", url.Values{"email_enabled": {"on"}, "smtp_from": {"nope"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(string(bad.Body), "field-error") {
		t.Errorf("invalid save: %d", bad.Status)
	}
	res := s.post(t, "/settings/notifications", url.Values{"email_enabled": {"on"}, "smtp_host": {"127.0.0.1"},
		"smtp_port": {strings.TrimPrefix(mail.Addr, "127.0.0.1:")}, "smtp_tls": {"none"}, "smtp_username": {smtptest.User},
		"smtp_password": {smtptest.Password}, "smtp_from": {"vs@acme.test"}, "senior_management_emails": {"cfo@acme.test\nceo@acme.test"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	page = s.get(t, "/settings/notifications")
	if !strings.Contains(string(page.Body), "ceo@acme.test") || strings.Contains(string(page.Body), smtptest.Password) {
		t.Errorf("saved page: senior management missing or password shown")
	}
	res = s.post(t, "/settings/notifications/test", url.Values{"channel": {"email"}, "target": {"ops@acme.test"}})
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "Test notification sent to ops@acme.test") {
		t.Errorf("send test: %d %s", res.Status, res.Body)
	}
	res = s.post(t, "/settings/notifications/test", url.Values{"channel": {"email"}, "target": {"nobody@acme.test"}})
	if !strings.Contains(string(res.Body), `class="alert" role="status" id="test-result"`) {
		t.Errorf("failed test not shown: %s", res.Body)
	}

	log := s.get(t, "/notifications?status=failed")
	wantStatus(t, log, http.StatusOK)
	body := string(log.Body)
	i := strings.Index(body, `action="/notifications/`)
	if i < 0 || !strings.Contains(body, "nobody@acme.test") || strings.Contains(body, "ops@acme.test") {
		t.Fatalf("log filtered by failed: %s", body)
	}
	action := body[i+len(`action="`):]
	action = action[:strings.Index(action, `"`)]
	res = s.post(t, action, url.Values{"back": {"/notifications?status=failed"}})
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/notifications?status=failed" {
		t.Errorf("replay: %d %s", res.Status, res.Header.Get("Location"))
	}
	if b := string(s.get(t, "/notifications?status=queued").Body); !strings.Contains(b, "nobody@acme.test") {
		t.Errorf("replayed entry not queued: %s", b)
	}
	nav := string(s.get(t, "/").Body)
	for _, want := range []string{`href="/settings/notifications"`, `href="/notifications"`} {
		if !strings.Contains(nav, want) {
			t.Errorf("navigation lacks %s", want)
		}
	}
}

// TestUnknownVendorAlert uploads an email from a vendor the registry does
// not know: its unknown status commits with the job that alerts the
// admins, who are emailed once, however often the job runs.
func TestUnknownVendorAlert(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	ctx := context.Background()
	mail := smtptest.New(t, smtptest.Plain)
	wantStatus(t, e.do(http.MethodPut, "/api/v1/notifications/settings", e.key, map[string]any{"email_enabled": true,
		"smtp_host": "127.0.0.1", "smtp_port": mail.Port, "smtp_tls": "none", "smtp_from": "vs@acme.test",
		"smtp_username": smtptest.User, "smtp_password": smtptest.Password}), http.StatusOK)
	e.loadDemoRegistry(t)
	wantStatus(t, e.uploadEmail(e.key, "message/rfc822", demoEmail(t, "10_unknown_logistics.eml")), http.StatusAccepted)
	e.process(t)
	q, err := jobs.New(e.db, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := q.Client.JobList(ctx, river.NewJobListParams().Kinds("notify.plan").First(100))
	if err != nil {
		t.Fatal(err)
	}
	planned := 0
	for _, j := range res.Jobs {
		var a notify.PlanJob
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			t.Fatal(err)
		}
		if a.Event.Kind != notify.KindUnknownVendor {
			continue
		}
		for range 2 { // a retried job plans nothing twice
			n, err := e.server.Notify.PlanEvent(ctx, a.TenantID, a.Event, a.Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			planned += n
		}
	}
	if planned != 1 {
		t.Fatalf("%d unknown-vendor deliveries planned, want 1 (an email to the admin)", planned)
	}
	var page struct {
		Items []dispatch.LogEntry `json:"items"`
	}
	e.do(http.MethodGet, "/api/v1/notifications", e.key, nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Target != e.admin.Email || page.Items[0].Kind != notify.KindUnknownVendor {
		t.Fatalf("log %+v", page.Items)
	}
	if r, err := e.server.Notify.Deliver(ctx, e.tenant.ID, page.Items[0].ID, false); err != nil || r.Status != dispatch.Sent {
		t.Fatalf("deliver: %+v %v", r, err)
	}
	if got := mail.Messages(); len(got) != 1 || !strings.Contains(string(got[0].Data), "unknown vendor") {
		t.Errorf("admin emails: %d", len(got))
	}
}
