package mail

import (
	"net/mail"
	"strings"
)

// forwardMarkers introduce a forwarded or quoted original in the body, as
// written by Gmail, Thunderbird, Apple Mail and Outlook (and a few locales).
var forwardMarkers = []string{
	"forwarded message",         // Gmail, Thunderbird
	"begin forwarded message",   // Apple Mail
	"original message",          // Outlook "-----Original Message-----"
	"weitergeleitete nachricht", // de
	"message transféré",         // fr
	"mensaje reenviado",         // es
}

// fromLabels start the original sender's line in a forwarded header block.
var fromLabels = []string{"from:", "von:", "de:"}

// outlookDateLabels follow "From:" in Outlook's header block, which often
// has no marker line at all.
var outlookDateLabels = []string{"sent:", "gesendet:", "envoyé :", "envoyé:", "enviado el:"}

// markerWindow is how many lines after a marker the "From:" line may be.
const markerWindow = 12

// ForwardedSenders returns the original senders of a forwarded email: the
// "From:" of each forwarded header block in the body (Gmail "----------
// Forwarded message ---------", Apple Mail "Begin forwarded message:",
// Outlook "From: … Sent: …") and the From of every attached message/rfc822.
// Triage uses them when a colleague forwards a vendor notice, so the vendor
// is the original sender, not the colleague. Address may be empty when the
// forward only shows a name. The outer sender is never included.
func ForwardedSenders(e SourceEmail) []Address {
	text := e.TextBody
	if strings.TrimSpace(text) == "" && e.HTMLBody != "" {
		text = HTMLToText(e.HTMLBody)
	}
	var found []Address
	lines := strings.Split(text, "\n")
	for i := range lines {
		l := strings.ToLower(headerLine(lines[i]))
		switch {
		case containsAny(l, forwardMarkers) && !hasLabel(l, fromLabels):
			for j := i + 1; j < len(lines) && j <= i+markerWindow; j++ {
				if a, ok := fromLine(lines[j]); ok {
					found = append(found, a)
					break
				}
			}
		case hasLabel(l, fromLabels) && !markerAbove(lines, i):
			for j := i + 1; j < len(lines) && j <= i+4; j++ {
				if hasLabel(strings.ToLower(headerLine(lines[j])), outlookDateLabels) {
					if a, ok := fromLine(lines[i]); ok {
						found = append(found, a)
					}
					break
				}
			}
		}
	}
	for _, att := range e.Attachments {
		if att.ContentType != "message/rfc822" || len(att.Data) == 0 {
			continue
		}
		env, err := readEnvelope(headerBlock(att.Data))
		if err != nil {
			continue // an unreadable attached message names no sender; nothing to report
		}
		// Problems with the attached message's headers are not problems of
		// e, so the scratch value's notes are discarded.
		var scratch SourceEmail
		if a := scratch.firstAddress(env, "From"); a.Address != "" {
			found = append(found, a)
		}
	}
	return dedupAddresses(found, e.From)
}

// headerLine strips quoting ("> "), markdown-style emphasis and spaces from
// a body line so "> *From:* Visa" reads as "From: Visa".
func headerLine(l string) string {
	l = strings.TrimSpace(l)
	for strings.HasPrefix(l, ">") {
		l = strings.TrimSpace(l[1:])
	}
	l = strings.ReplaceAll(l, "*", "")
	return strings.TrimSpace(l)
}

// fromLine parses a "From: Name <addr>" line.
func fromLine(line string) (Address, bool) {
	l := headerLine(line)
	lower := strings.ToLower(l)
	for _, label := range fromLabels {
		if !strings.HasPrefix(lower, label) {
			continue
		}
		value := strings.TrimSpace(l[len(label):])
		if value == "" {
			return Address{}, false
		}
		if a, err := mail.ParseAddress(value); err == nil {
			return Address{Name: cleanName(a.Name), Address: normalizeAddress(a.Address)}, true
		}
		if list := scanAddresses(value); len(list) > 0 {
			return list[0], true
		}
		return Address{Name: cleanName(value)}, true
	}
	return Address{}, false
}

// markerAbove reports whether line i is inside a marker's window, where the
// marker case already handled it.
func markerAbove(lines []string, i int) bool {
	for j := i - 1; j >= 0 && j >= i-markerWindow; j-- {
		if containsAny(strings.ToLower(headerLine(lines[j])), forwardMarkers) {
			return true
		}
	}
	return false
}

// containsAny reports whether s contains any of subs.
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// hasLabel reports whether s starts with any of labels.
func hasLabel(s string, labels []string) bool {
	for _, l := range labels {
		if strings.HasPrefix(s, l) {
			return true
		}
	}
	return false
}

// dedupAddresses drops repeats (by address, or by name when there is no
// address) and the outer sender.
func dedupAddresses(list []Address, outer Address) []Address {
	seen := map[string]bool{}
	if outer.Address != "" {
		seen[strings.ToLower(outer.Address)] = true
	}
	var out []Address
	for _, a := range list {
		key := strings.ToLower(a.Address)
		if key == "" {
			key = "name:" + strings.ToLower(a.Name)
		}
		if key == "name:" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, a)
	}
	return out
}
