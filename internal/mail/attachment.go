package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"path"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// collectAttachments returns the file parts of env in message order, keeping
// at most limits.MaxAttachments of at most limits.MaxAttachmentBytes each;
// everything dropped is noted in e.ParseErrors.
func (e *SourceEmail) collectAttachments(env *enmime.Envelope, limits Limits) []Attachment {
	parts := env.Root.DepthMatchAll(isFilePart)
	var out []Attachment
	for _, p := range parts {
		name := attachmentName(p)
		size := int64(len(p.Content))
		if size > limits.MaxAttachmentBytes {
			e.note("attachment %q dropped: %d bytes, over the %d-byte limit", name, size, limits.MaxAttachmentBytes)
			continue
		}
		if len(out) >= limits.MaxAttachments {
			e.note("attachment %q dropped: over the limit of %d attachments", name, limits.MaxAttachments)
			continue
		}
		sum := sha256.Sum256(p.Content)
		text, err := AttachmentText(name, p.ContentType, p.Content)
		var textErr string
		if err != nil {
			textErr = err.Error() // the file is kept as it came; only its text is missing
		}
		out = append(out, Attachment{
			Text:        text,
			TextError:   textErr,
			Filename:    name,
			ContentType: clean(strings.ToLower(p.ContentType)),
			ContentID:   normalizeID(p.ContentID),
			Inline:      p.Disposition == "inline" || (p.Disposition == "" && p.ContentID != ""),
			Size:        size,
			SHA256:      hex.EncodeToString(sum[:]),
			Data:        p.Content,
		})
	}
	return out
}

// isFilePart reports whether p is a file rather than the message body or a
// multipart container: anything marked as attachment or carrying a file
// name, and every non-text leaf part.
func isFilePart(p *enmime.Part) bool {
	ct := strings.ToLower(p.ContentType)
	if strings.HasPrefix(ct, "multipart/") || p.FirstChild != nil {
		return false
	}
	if p.Disposition == "attachment" || p.FileName != "" {
		return true
	}
	switch ct {
	case "", "text/plain", "text/html":
		return false
	}
	return true
}

// attachmentName returns the part's file name, reduced to its base name so a
// hostile "../../etc/passwd" cannot escape a directory, or a name made from
// the part id and content type when the part has none.
func attachmentName(p *enmime.Part) string {
	name := clean(strings.TrimSpace(p.FileName))
	name = strings.ReplaceAll(name, `\`, "/")
	if name != "" {
		name = path.Base(name)
	}
	if name != "" && name != "." && name != "/" && name != ".." {
		return name
	}
	ext := ".bin"
	switch ct := strings.ToLower(p.ContentType); ct {
	case "message/rfc822":
		ext = ".eml"
	case "text/plain":
		ext = ".txt"
	default:
		if exts, err := mime.ExtensionsByType(ct); err == nil && len(exts) > 0 {
			ext = exts[0]
		}
		// An unknown type keeps ".bin"; the error only says the type is unknown.
	}
	return "part-" + strings.ReplaceAll(p.PartID, ".", "-") + ext
}
