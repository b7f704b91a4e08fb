package tracker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// CommentFinder is implemented by providers that can read an issue's
// comments back. Its answer is exact (comments are read from the issue,
// not from a search index that may lag), so CommentOnce can trust a "no".
type CommentFinder interface {
	// HasComment reports whether a comment on the issue with key contains
	// marker.
	HasComment(ctx context.Context, key, marker string) (bool, error)
}

// CommentMarkerPrefix starts every comment marker.
const CommentMarkerPrefix = "vsc-"

// CommentMarker is the reference VendorSync writes at the end of a comment
// posted for ref (a notification's dedup key): "vsc-" and 16 hex digits of
// its SHA-256. It holds only letters, digits and '-', so every markup and
// JSON encoding keeps it verbatim, and the ref itself (which names
// internal ids) is not published on the issue.
func CommentMarker(ref string) string {
	sum := sha256.Sum256([]byte(ref))
	return CommentMarkerPrefix + hex.EncodeToString(sum[:8])
}

// CommentOnce posts body on the issue with key at most once per ref. The
// comment ends with a "Ref: <marker>" line; before posting, a provider that
// can read comments back (CommentFinder) is asked whether one with the
// marker exists, and nothing is posted when it does. That makes a retry
// safe after a comment timed out although the tracker stored it. Without a
// ref, or with a provider that cannot read comments, the comment is posted
// as it is. It reports whether it posted.
func CommentOnce(ctx context.Context, p Provider, key string, body Document, ref string) (bool, error) {
	if ref == "" {
		return true, p.Comment(ctx, key, body)
	}
	marker := CommentMarker(ref)
	if f, ok := p.(CommentFinder); ok {
		found, err := f.HasComment(ctx, key, marker)
		if err != nil {
			return false, err
		}
		if found {
			return false, nil
		}
	}
	body.Paragraphs = append(append([]Paragraph(nil), body.Paragraphs...), Paragraph{Label: "Ref", Text: marker})
	if err := p.Comment(ctx, key, body); err != nil {
		return false, err
	}
	return true, nil
}
