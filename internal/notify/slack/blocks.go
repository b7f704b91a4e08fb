package slack

import (
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// Slack's Block Kit limits, in characters.
const (
	maxHeader      = 150
	maxSectionText = 3000
	maxFieldText   = 2000
	maxFields      = 10
	maxFallback    = 4000
)

// Render turns m into Block Kit blocks and the plain fallback text Slack
// shows in notifications and to clients without blocks. It reads only m,
// so the same message always renders to the same blocks.
func Render(m notify.Message) (blocks []slackapi.Block, fallback string) {
	title := marker(m) + " " + m.Title
	blocks = append(blocks, slackapi.NewHeaderBlock(
		slackapi.NewTextBlockObject(slackapi.PlainTextType, clip(title, maxHeader), true, false)))

	var body []string
	if m.Kind == notify.KindEscalationD1 {
		// A D-1 alert is posted in the war room: call everyone in it.
		body = append(body, "<!here> the deadline is tomorrow or today.")
	}
	for _, l := range m.Lines {
		body = append(body, escape(l))
	}
	if len(body) > 0 {
		blocks = append(blocks, slackapi.NewSectionBlock(
			slackapi.NewTextBlockObject(slackapi.MarkdownType, clip(strings.Join(body, "\n\n"), maxSectionText), false, false), nil, nil))
	}
	if len(m.Fields) > 0 {
		var fs []*slackapi.TextBlockObject
		for _, f := range m.Fields[:min(len(m.Fields), maxFields)] {
			fs = append(fs, slackapi.NewTextBlockObject(slackapi.MarkdownType,
				clip("*"+escape(f.Label)+"*\n"+escape(f.Value), maxFieldText), false, false))
		}
		blocks = append(blocks, slackapi.NewSectionBlock(nil, fs, nil))
	}
	if m.Link != "" {
		// A link in text rather than a URL button: buttons make Slack call
		// the app's interactivity endpoint, which VendorSync does not need.
		text := m.LinkText
		if text == "" {
			text = m.Link
		}
		blocks = append(blocks, slackapi.NewSectionBlock(
			slackapi.NewTextBlockObject(slackapi.MarkdownType, "<"+m.Link+"|"+escape(text)+">", false, false), nil, nil))
	}
	fallback = escape(m.Title)
	if m.Link != "" {
		fallback += " — <" + m.Link + ">"
	}
	return blocks, clip(fallback, maxFallback)
}

// marker is the emoji that starts a message's header, by how urgent it is.
func marker(m notify.Message) string {
	switch m.Kind {
	case notify.KindEscalationD1, notify.KindBreach:
		return ":rotating_light:"
	case notify.KindEscalationD7, notify.KindEscalationD3:
		return ":bell:"
	case notify.KindThreadUpdate:
		return ":incoming_envelope:"
	case notify.KindUnknownVendor:
		return ":question:"
	case notify.KindTrackerAlert, notify.KindIngestDrift, notify.KindIngestAlert, notify.KindSyncConflict:
		return ":warning:"
	case notify.KindScoreBand:
		return ":chart_with_upwards_trend:"
	case notify.KindUserProvisioned, notify.KindTest:
		return ":information_source:"
	}
	switch m.Severity {
	case registry.SeverityCritical:
		return ":red_circle:"
	case registry.SeverityHigh:
		return ":large_orange_circle:"
	case registry.SeverityMedium:
		return ":large_yellow_circle:"
	}
	return ":white_circle:"
}

// escape makes text from vendor emails inert in Slack's mrkdwn: no links,
// mentions or channel pings can be smuggled in.
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// clip shortens s to at most n characters, ending in "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
