package mail

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// maxReferences bounds the References kept per message; threading only needs
// the most recent ancestors.
const maxReferences = 100

// maxIDLength is the longest message id kept (RFC 5322 line limit).
const maxIDLength = 998

// NormalizeMessageID returns id without angle brackets or surrounding space
// and with its domain part lower-cased, so that the same message seen through
// different mailboxes or clients gets the same key. It returns "" when id
// holds no usable id.
func NormalizeMessageID(id string) string {
	ids := parseIDList(id)
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// normalizeID normalises one id token (see NormalizeMessageID).
func normalizeID(s string) string {
	s = strings.TrimSpace(clean(s))
	s = strings.TrimPrefix(s, "<")
	s = strings.TrimSuffix(s, ">")
	s = strings.Join(strings.Fields(s), "")
	if s == "" || len(s) > maxIDLength {
		return ""
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = s[:at] + strings.ToLower(s[at:])
	}
	return s
}

// parseIDList reads a msg-id list such as a References header. Ids are
// taken from <…> tokens; a list without brackets (some clients send that) is
// split on white space and commas. Duplicates are dropped, order is kept.
func parseIDList(s string) []string {
	var tokens []string
	for rest := s; ; {
		open := strings.IndexByte(rest, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '>')
		if end < 0 {
			tokens = append(tokens, rest[open+1:])
			break
		}
		tokens = append(tokens, rest[open+1:open+end])
		rest = rest[open+end+1:]
	}
	if len(tokens) == 0 {
		tokens = strings.FieldsFunc(s, func(r rune) bool {
			return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == '\n'
		})
	}
	var ids []string
	seen := make(map[string]bool, len(tokens))
	for _, t := range tokens {
		id := normalizeID(t)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return ids
}

// addrPattern finds a bare addr-spec inside a header that does not parse.
var addrPattern = regexp.MustCompile(`[^\s<>"',;:()\[\]]+@[^\s<>"',;:()\[\]]+\.[^\s<>"',;:()\[\]]+`)

// addressList parses an address header, falling back to scanning for
// addr-specs when the header is malformed (and noting that).
func (e *SourceEmail) addressList(env *enmime.Envelope, key string) []Address {
	raw := env.GetHeader(key)
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	list, err := env.AddressList(key)
	if err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			if addr := normalizeAddress(a.Address); addr != "" {
				out = append(out, Address{Name: cleanName(a.Name), Address: addr})
			}
		}
		return out
	}
	if errors.Is(err, mail.ErrHeaderNotPresent) {
		return nil
	}
	e.note("malformed %s header %q: %v", key, clean(raw), err)
	return scanAddresses(raw)
}

// firstAddress returns the first address of an address header.
func (e *SourceEmail) firstAddress(env *enmime.Envelope, key string) Address {
	list := e.addressList(env, key)
	if len(list) == 0 {
		return Address{}
	}
	return list[0]
}

// scanAddresses extracts addr-specs from free text such as a malformed
// header or a forwarded-message "From:" line. The display name is the text
// before the first address, without quotes and brackets.
func scanAddresses(s string) []Address {
	s = clean(s)
	locs := addrPattern.FindAllStringIndex(s, -1)
	out := make([]Address, 0, len(locs))
	for i, loc := range locs {
		a := Address{Address: normalizeAddress(s[loc[0]:loc[1]])}
		if i == 0 {
			a.Name = cleanName(strings.TrimRight(s[:loc[0]], " \t<[(\"'"))
			a.Name = strings.TrimSuffix(a.Name, " mailto:")
			a.Name = strings.TrimSuffix(a.Name, "mailto:")
			a.Name = cleanName(strings.TrimRight(a.Name, " \t<[(\"'"))
		}
		out = append(out, a)
	}
	return out
}

// normalizeAddress trims an addr-spec and lower-cases its domain part.
func normalizeAddress(s string) string {
	s = strings.TrimSpace(clean(s))
	s = strings.TrimPrefix(strings.TrimSuffix(s, ">"), "<")
	s = strings.TrimPrefix(s, "mailto:")
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = s[:at] + strings.ToLower(s[at:])
	}
	return s
}

// cleanName trims a display name and its surrounding quotes.
func cleanName(s string) string {
	s = strings.TrimSpace(clean(s))
	s = strings.Trim(s, `"'`)
	return strings.TrimSpace(s)
}
