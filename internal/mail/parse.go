package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// maxHeaderBlock bounds the header block read from an oversized message.
const maxHeaderBlock = 1 << 20

// parser is tolerant: a broken part is skipped and noted instead of failing
// the whole message, a multipart without boundary is read as one part, and
// corrupt base64 text keeps what could be decoded. HTML is converted to text
// by HTMLToText, not by enmime.
var parser = enmime.NewParser(
	enmime.SkipMalformedParts(true),
	enmime.MultipartWOBoundaryAsSinglePart(true),
	enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
	enmime.DisableTextConversion(true),
	enmime.MaxStoredPartErrors(50),
)

// Parse turns one raw RFC 5322 message into a SourceEmail. It is tolerant by
// design: bad headers, broken MIME boundaries, unknown charsets, a missing
// Message-ID or Date, and attachments over the limits all yield a usable
// SourceEmail whose ParseErrors say what went wrong. Only input that is empty
// or not a readable message at all returns an error, with code
// apperr.Invalid. Zero fields of limits take the defaults.
func Parse(raw []byte, limits Limits) (SourceEmail, error) {
	limits = limits.withDefaults()
	if len(bytes.TrimSpace(raw)) == 0 {
		return SourceEmail{}, apperr.Invalidf("email is empty")
	}
	sum := sha256.Sum256(raw)
	e := SourceEmail{Size: len(raw), RawSHA256: hex.EncodeToString(sum[:])}

	full := len(raw) <= limits.MaxMessageBytes
	body := stripEnvelopeLine(raw)
	whole := body
	if !full {
		e.note("message is %d bytes, over the %d-byte limit: only headers were parsed", len(raw), limits.MaxMessageBytes)
		body = headerBlock(body)
	} else if why, over := scanShape(body).overBound(); over {
		e.note("message has %s: only headers were parsed", why)
		full, body = false, headerBlock(body)
	}
	env, err := readEnvelope(body)
	switch {
	case !readable(raw) && (err != nil || !readable(headerBlock(body))):
		// Binary junk, whether or not the tolerant MIME reader made
		// something of it: a message's header section is always text.
		if err == nil {
			err = errors.New("the header section is not text")
		}
		return SourceEmail{}, apperr.Wrap(apperr.Invalid, err, "email is not a readable message")
	case err != nil:
		e.note("MIME structure unreadable (%v): body kept as raw text", err)
		hdr := headerBlock(body)
		if full {
			e.TextBody = plainText(string(body[len(hdr):]))
		}
		if env, err = readEnvelope(hdr); err != nil {
			// Not even the headers parse: keep the input as text so the
			// message is still triaged and deduplicated by its hash.
			e.note("headers unreadable: %v", err)
			if full {
				e.TextBody = plainText(string(body))
			}
		}
	case full:
		e.fillBody(env, limits)
	}
	if env != nil {
		e.fillHeaders(env)
		for _, pe := range env.Errors {
			if pe.Name == enmime.ErrorPlainTextFromHTML {
				continue // expected for HTML-only mail; HTMLToText handles it
			}
			e.ParseErrors = append(e.ParseErrors, clean(pe.Error()))
		}
	}
	if e.MessageID == "" {
		e.MessageID = "sha256-" + e.RawSHA256 + "@vendorsync.invalid"
		e.MessageIDSynthetic = true
		e.note("missing Message-ID: using a synthetic id derived from the raw bytes")
	}
	e.ContentSHA256 = contentHash(e, full, whole)
	e.ParseErrors = slices.Compact(e.ParseErrors) // enmime repeats a warning per bad line
	return e, nil
}

// contentHash is the SHA-256 of what a message says (see
// SourceEmail.ContentSHA256). body is the message without its envelope
// line; parsed says whether its body was read.
func contentHash(e SourceEmail, parsed bool, body []byte) string {
	h := sha256.New()
	if !parsed {
		h.Write([]byte("raw\x00"))
		h.Write(body[len(headerBlock(body)):])
		return hex.EncodeToString(h.Sum(nil))
	}
	h.Write([]byte("text\x00"))
	h.Write([]byte(strings.Join(strings.Fields(e.TextBody), " ")))
	sums := make([]string, 0, len(e.Attachments))
	for _, a := range e.Attachments {
		sums = append(sums, a.SHA256)
	}
	slices.Sort(sums)
	for _, s := range sums {
		h.Write([]byte("\x00attachment\x00" + s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readEnvelope runs enmime on raw. A panic inside the third-party parser is
// turned into an error so that one hostile email cannot crash a worker; our
// own code is not covered by this recover.
func readEnvelope(raw []byte) (env *enmime.Envelope, err error) {
	defer func() {
		if r := recover(); r != nil {
			env, err = nil, fmt.Errorf("MIME parser panic: %v", r)
		}
	}()
	env, err = parser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read MIME message: %w", err)
	}
	if env == nil || env.Root == nil {
		return nil, errors.New("read MIME message: no root part")
	}
	return env, nil
}

// fillHeaders copies the header fields from env into e.
func (e *SourceEmail) fillHeaders(env *enmime.Envelope) {
	if id := env.GetHeader("Message-Id"); strings.TrimSpace(id) != "" {
		ids := parseIDList(id)
		if len(ids) == 0 {
			e.note("unreadable Message-ID %q", clean(id))
		} else {
			e.MessageID = ids[0]
		}
	}
	e.From = e.firstAddress(env, "From")
	if e.From.Address == "" {
		e.note("missing or unreadable From header")
	}
	e.ReplyTo = e.addressList(env, "Reply-To")
	e.To = e.addressList(env, "To")
	e.Cc = e.addressList(env, "Cc")
	e.Subject = strings.TrimSpace(clean(env.GetHeader("Subject")))
	if d, err := env.Date(); err == nil {
		e.Date = d.UTC()
	} else if errors.Is(err, mail.ErrHeaderNotPresent) {
		e.note("missing Date header")
	} else {
		e.note("unreadable Date header %q: %v", clean(env.GetHeader("Date")), err)
	}
	if ids := parseIDList(env.GetHeader("In-Reply-To")); len(ids) > 0 {
		e.InReplyTo = ids[0]
	}
	e.fillAuthResults(env)
	e.ContentLanguage = languageTag(env.GetHeader("Content-Language"))
	e.References = parseIDList(env.GetHeader("References"))
	if len(e.References) > maxReferences {
		e.note("References header lists %d ids: kept the last %d", len(e.References), maxReferences)
		e.References = e.References[len(e.References)-maxReferences:]
	}
}

// fillBody copies the text, HTML and attachments from env into e.
func (e *SourceEmail) fillBody(env *enmime.Envelope, limits Limits) {
	e.HTMLBody = clean(env.HTML)
	e.TextBody = plainText(env.Text)
	if e.HTMLBody != "" {
		text, hidden := HTMLToTextHidden(e.HTMLBody)
		e.HiddenContent = hidden
		if strings.TrimSpace(e.TextBody) == "" {
			e.TextBody = text
		}
	}
	e.Attachments = e.collectAttachments(env, limits)
	root := env.Root
	if e.TextBody == "" && e.HTMLBody == "" && len(e.Attachments) == 0 &&
		root.FirstChild == nil && len(root.Content) > 0 && readable(root.Content) {
		// A single part of an unexpected type (say multipart/mixed without
		// a boundary) would otherwise vanish; keep it as text.
		e.note("body of type %q kept as plain text", clean(root.ContentType))
		e.TextBody = plainText(string(root.Content))
	}
}

// stripEnvelopeLine drops leading blank lines and an mbox "From " envelope
// line, which files saved from mail clients often start with and which is
// not a header.
func stripEnvelopeLine(raw []byte) []byte {
	raw = bytes.TrimLeft(raw, "\r\n")
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			return raw[i+1:]
		}
	}
	return raw
}

// note records one parse problem.
func (e *SourceEmail) note(format string, args ...any) {
	e.ParseErrors = append(e.ParseErrors, fmt.Sprintf(format, args...))
}

// headerBlock returns raw up to and including the blank line that ends the
// header, capped at maxHeaderBlock.
func headerBlock(raw []byte) []byte {
	end := len(raw)
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if i := bytes.Index(raw, []byte(sep)); i >= 0 && i+len(sep) < end {
			end = i + len(sep)
		}
	}
	if end > maxHeaderBlock {
		end = maxHeaderBlock
	}
	return raw[:end]
}

// readable reports whether raw looks like text at all: at most 5% control
// characters. Binary junk (about 13% control bytes when random) is not a
// message and is rejected rather than stored as an email.
func readable(raw []byte) bool {
	sample := raw
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	var control, total int
	for len(sample) > 0 {
		r, n := utf8.DecodeRune(sample)
		sample = sample[n:]
		total++
		// Invalid UTF-8 counts as text: legacy 8-bit charsets are valid mail.
		if r != utf8.RuneError && !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			control++
		}
	}
	return total > 0 && control*20 <= total
}

// plainText normalises a text body: clean, "\n" line ends, and without the
// "\n--\n" separator enmime leaves when a multipart ends with an empty text
// part.
func plainText(s string) string {
	s = strings.ReplaceAll(clean(s), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	trimmed := strings.TrimRight(s, " \n")
	for strings.HasSuffix(trimmed, "\n--") {
		trimmed = strings.TrimRight(strings.TrimSuffix(trimmed, "\n--"), " \n")
		s = trimmed + "\n"
	}
	return s
}

// clean makes s safe for any text column: valid UTF-8 without NUL bytes.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}
