package email

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	gomail "github.com/wneessen/go-mail"

	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/registry"
)

//go:embed templates
var templateFS embed.FS

var (
	textTemplate = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/message.txt"))
	htmlTemplate = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/message.html"))
)

// view is what the templates see.
type view struct {
	notify.Message
	// Reason completes "VendorSync sent you this …".
	Reason string
	// Accent is the HTML part's top border colour.
	Accent string
}

func newView(m notify.Message) view {
	v := view{Message: m, Reason: "notification about a vendor change", Accent: "#0052cc"}
	switch m.Kind {
	case notify.KindEscalationD7, notify.KindEscalationD3, notify.KindEscalationD1:
		v.Reason = "reminder because a vendor deadline is approaching"
	case notify.KindBreach:
		v.Reason = "alert because a vendor change missed its deadline"
	case notify.KindThreadUpdate:
		v.Reason = "update because a vendor wrote about a change your team owns"
	case notify.KindSyncConflict:
		v.Reason = "notice because a linked issue of a change your team owns was edited on both sides"
	case notify.KindUnknownVendor, notify.KindUserProvisioned, notify.KindTrackerAlert, notify.KindIngestDrift, notify.KindIngestAlert:
		v.Reason = "alert as a VendorSync administrator"
	case notify.KindScoreBand:
		v.Reason = "alert because a vendor's risk score changed band"
	case notify.KindTest:
		v.Reason = "test from the notification settings"
	}
	switch {
	case m.Kind == notify.KindBreach || m.Kind == notify.KindEscalationD1 || m.Severity == registry.SeverityCritical:
		v.Accent = "#de350b"
	case m.Severity == registry.SeverityHigh:
		v.Accent = "#ff8b00"
	}
	return v
}

// SubjectPrefix starts every subject, so people can filter on it.
const SubjectPrefix = "[VendorSync] "

// Render returns the whole email for m to one recipient as it goes over
// the wire (RFC 5322), for previews and tests. Rendering the same message
// to the same recipient always gives the same bytes.
func (s *Sender) Render(to notify.Target, m notify.Message) ([]byte, error) {
	msg, _, err := s.build(to, m)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := msg.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("email: write message: %w", err)
	}
	return b.Bytes(), nil
}

// build assembles the message and returns it with its Message-ID.
func (s *Sender) build(to notify.Target, m notify.Message) (*gomail.Msg, string, error) {
	var text, html bytes.Buffer
	v := newView(m)
	if err := textTemplate.Execute(&text, v); err != nil {
		return nil, "", fmt.Errorf("email: render text part: %w", err)
	}
	if err := htmlTemplate.Execute(&html, v); err != nil {
		return nil, "", fmt.Errorf("email: render HTML part: %w", err)
	}

	// Ids derive from what makes the delivery unique: the event and the
	// recipient. A retry of the same delivery carries the same Message-ID,
	// so receiving servers and people can tell it is one message.
	seed := m.DedupKey
	if seed == "" {
		seed = m.Title + "\x00" + m.Time.String()
	}
	sum := sha256.Sum256([]byte(seed + "\x00" + strings.ToLower(to.Address)))
	digest := hex.EncodeToString(sum[:])
	domain := "vendorsync.invalid"
	if at := strings.LastIndexByte(s.from.Address, '@'); at >= 0 {
		domain = s.from.Address[at+1:]
	}
	id := digest[:32] + "@" + domain

	msg := gomail.NewMsg(gomail.WithBoundary("vendorsync-"+digest[32:56]), gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	var err error
	if to.Name != "" {
		err = msg.AddToFormat(to.Name, to.Address)
	} else {
		err = msg.To(to.Address)
	}
	if err != nil {
		return nil, "", fmt.Errorf("email: recipient %q: %w", to.Address, err)
	}
	msg.Subject(SubjectPrefix + m.Title)
	msg.SetMessageIDWithValue(id)
	if !m.Time.IsZero() {
		msg.SetDateWithValue(m.Time.UTC())
	}
	msg.SetUserAgent("VendorSync")
	// Automatic mail: out-of-office replies and auto-responders stay away.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader("X-VendorSync-Kind", string(m.Kind))
	if m.Kind == notify.KindBreach || m.Kind == notify.KindEscalationD1 || m.Severity == registry.SeverityCritical {
		msg.SetImportance(gomail.ImportanceHigh)
	}
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, "<" + id + ">", nil
}
