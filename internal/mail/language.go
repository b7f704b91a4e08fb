package mail

import (
	"bufio"
	"io"
	"net/textproto"
	"regexp"
	"strings"
)

// languageTagRE is a BCP 47 language tag as mail programs write them:
// a language and optional subtags ("en", "en-GB", "zh-Hant-TW").
var languageTagRE = regexp.MustCompile(`^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$`)

// languageTag reads the first language of a Content-Language header
// ("de-DE, en-US" → "de-DE"); "" when it holds no tag.
func languageTag(header string) string {
	first, _, _ := strings.Cut(header, ",")
	first = strings.TrimSpace(first)
	if !languageTagRE.MatchString(first) {
		return ""
	}
	return first
}

// ContentLanguageOf reads the Content-Language header of a raw message from
// its header block alone (see SourceEmail.ContentLanguage): for a stored
// message whose parse did not keep it. "" when the header is missing or
// the header block cannot be read.
func ContentLanguageOf(r io.Reader) string {
	h, err := textproto.NewReader(bufio.NewReader(r)).ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return "" // no header block to read: the message says nothing of its language
	}
	return languageTag(h.Get("Content-Language"))
}
