package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/email"
)

// notifySettingsPage is the data of the notification settings page.
type notifySettingsPage struct {
	Settings dispatch.ChannelSettings
	// Form is what the form shows: the stored settings or what was typed.
	Form   dispatch.Input
	Senior string // senior management emails, one per line
	Test   *dispatch.ChannelTestResult
	// TestChannel and TestTarget are the last test's inputs.
	TestChannel, TestTarget string
	TLSModes                []email.TLSMode
	// TestChannels are the channels a test can be sent on.
	TestChannels []string
}

func (s *Server) uiNotifySettings(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderNotifySettings(w, r, p, http.StatusOK, nil, nil, nil)
}

// renderNotifySettings shows the page; form nil means the stored settings.
func (s *Server) renderNotifySettings(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, form *dispatch.Input,
	test *notifySettingsPage, formErr error) error {
	svc, err := s.notifier()
	if err != nil {
		return err
	}
	st, err := svc.GetSettings(r.Context(), p)
	if err != nil {
		return err
	}
	data := notifySettingsPage{Settings: st, TLSModes: []email.TLSMode{email.StartTLS, email.ImplicitTLS, email.NoTLS},
		TestChannels: []string{string(notify.ChannelSlack), string(notify.ChannelSlackDM), string(notify.ChannelEmail),
			string(notify.ChannelPagerDuty)},
		Form: dispatch.Input{SlackEnabled: st.SlackEnabled, DefaultChannel: st.DefaultChannel, TriageChannel: st.TriageChannel,
			WarRoomChannel: st.WarRoomChannel, EmailEnabled: st.EmailEnabled, SMTPHost: st.SMTPHost, SMTPPort: st.SMTPPort,
			SMTPTLS: st.SMTPTLS, SMTPUsername: st.SMTPUsername, SMTPFrom: st.SMTPFrom, PagerDutyEnabled: st.PagerDutyEnabled,
			PagerDutyBaseURL: st.PagerDutyBaseURL, SeniorManagement: st.SeniorManagement}}
	if form != nil {
		data.Form = *form
	}
	if test != nil {
		data.Test, data.TestChannel, data.TestTarget = test.Test, test.TestChannel, test.TestTarget
	}
	data.Senior = strings.Join(data.Form.SeniorManagement, "\n")
	v := viewWithErr(View{Title: "Notifications", Nav: "notify-settings"}, formErr)
	v.Data = data
	s.render(w, r, status, "notify_settings.html", v)
	return nil
}

func (s *Server) uiSaveNotifySettings(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.notifier()
	if err != nil {
		return err
	}
	port, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("smtp_port"))) // not a number reads as 0: the default port
	on := func(name string) bool { return r.PostFormValue(name) == "on" }
	in := dispatch.Input{SlackEnabled: on("slack_enabled"), SlackToken: r.PostFormValue("slack_token"),
		DefaultChannel: r.PostFormValue("default_channel"), TriageChannel: r.PostFormValue("triage_channel"),
		WarRoomChannel: r.PostFormValue("war_room_channel"), EmailEnabled: on("email_enabled"),
		SMTPHost: r.PostFormValue("smtp_host"), SMTPPort: port, SMTPTLS: email.TLSMode(r.PostFormValue("smtp_tls")),
		SMTPUsername: r.PostFormValue("smtp_username"), SMTPPassword: r.PostFormValue("smtp_password"),
		SMTPFrom: r.PostFormValue("smtp_from"), PagerDutyEnabled: on("pagerduty_enabled"),
		PagerDutyRoutingKey: r.PostFormValue("pagerduty_routing_key"), PagerDutyBaseURL: r.PostFormValue("pagerduty_base_url"),
		SeniorManagement: strings.FieldsFunc(r.PostFormValue("senior_management_emails"), func(c rune) bool {
			return c == '\n' || c == '\r' || c == ',' || c == ' '
		}), Clear: r.PostForm["clear"]}
	_, err = svc.SaveSettings(r.Context(), p, in)
	if formFailure(err) {
		in.SlackToken, in.SMTPPassword, in.PagerDutyRoutingKey = "", "", "" // secrets are never echoed
		return s.renderNotifySettings(w, r, p, Status(err), &in, nil, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Notification settings saved.")
	redirect(w, r, "/settings/notifications")
	return nil
}

func (s *Server) uiTestNotify(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.notifier()
	if err != nil {
		return err
	}
	page := &notifySettingsPage{TestChannel: r.PostFormValue("channel"), TestTarget: r.PostFormValue("target")}
	res, err := svc.Test(r.Context(), p, dispatch.TestInput{Channel: notify.ChannelName(page.TestChannel), Target: page.TestTarget})
	if formFailure(err) {
		return s.renderNotifySettings(w, r, p, Status(err), nil, page, err)
	}
	if err != nil {
		return err
	}
	page.Test = &res
	return s.renderNotifySettings(w, r, p, http.StatusOK, nil, page, nil)
}

// notificationsPage is the data of the notification log page.
type notificationsPage struct {
	Entries                 []dispatch.LogEntry
	Next                    string
	Status, Channel, Ticket string
	Statuses                []dispatch.Status
	Channels                []notify.ChannelName
}

func (s *Server) uiNotifications(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.notifier()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data := notificationsPage{Status: q.Get("status"), Channel: q.Get("channel"), Ticket: strings.TrimSpace(q.Get("ticket")),
		Statuses: dispatch.Statuses, Channels: []notify.ChannelName{notify.ChannelSlack, notify.ChannelSlackDM,
			notify.ChannelEmail, notify.ChannelPagerDuty, notify.ChannelTrackerComment}}
	v := View{Title: "Notification log", Nav: "notifications"}
	f, err := notificationFilter(data.Status, data.Channel, data.Ticket, q.Get("cursor"), 50)
	if err == nil {
		data.Entries, data.Next, err = svc.List(r.Context(), p, f)
	}
	if apperr.Is(err, apperr.Invalid) {
		v = viewWithErr(v, err)
		err = nil
	}
	if err != nil {
		return err
	}
	v.Data = data
	s.render(w, r, http.StatusOK, "notifications.html", v)
	return nil
}

func (s *Server) uiReplayNotification(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.notifier()
	if err != nil {
		return err
	}
	e, err := svc.Replay(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.flash(r, "The "+string(e.Channel)+" notification to "+e.Target+" is queued again.")
	back := "/notifications"
	if ref := r.PostFormValue("back"); strings.HasPrefix(ref, "/notifications") {
		if u, perr := url.Parse(ref); perr == nil && u.Host == "" {
			back = u.RequestURI()
		}
	}
	redirect(w, r, back)
	return nil
}
