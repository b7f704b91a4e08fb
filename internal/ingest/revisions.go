package ingest

import (
	"context"
	"encoding/json"
	"io"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// maxRevisionBytes bounds one archived revision read back for display.
const maxRevisionBytes = 1 << 20

// Revision is one archived revision of a normalized event.
type Revision struct {
	Revision int             `json:"revision"`
	BlobKey  string          `json:"blobKey" doc:"Where the revision is archived."`
	Body     json.RawMessage `json:"event,omitempty" doc:"The revision's bytes, as archived."`
	SHA256   string          `json:"sha256,omitempty" doc:"SHA-256 of the archived bytes."`
	Missing  string          `json:"missing,omitempty" doc:"Why the revision cannot be shown (not archived yet, or archived under another event type)."`
}

// NormalizedHistory is a normalized event with its revisions, newest first.
type NormalizedHistory struct {
	NormalizedEvent
	Revisions []Revision `json:"revisions" nullable:"false"`
}

// NormalizedWithRevisions returns the normalized event of an ingest event
// with every revision archived under its current event type, newest first
// (the blob store is write-once, so earlier revisions stay readable).
func (s *Service) NormalizedWithRevisions(ctx context.Context, p auth.Principal, ingestID string) (NormalizedHistory, error) {
	n, err := s.Normalized(ctx, p, ingestID)
	if err != nil {
		return NormalizedHistory{}, err
	}
	h := NormalizedHistory{NormalizedEvent: n, Revisions: []Revision{}}
	for r := n.Revision; r >= 1; r-- {
		rev := Revision{Revision: r, BlobKey: NormalizedKey(n.EventType, n.IngestID, r)}
		if r == n.Revision && n.ArchivedAt == nil {
			rev.Body, rev.SHA256, rev.Missing = n.Body, n.SHA256, "not archived yet"
			h.Revisions = append(h.Revisions, rev)
			continue
		}
		b, err := s.readBlob(ctx, rev.BlobKey)
		switch {
		case err == nil:
			rev.Body, rev.SHA256 = b, sha256Hex(b)
		case apperr.Is(err, apperr.NotFound):
			rev.Missing = "not archived under " + n.EventType
		default:
			return NormalizedHistory{}, err
		}
		h.Revisions = append(h.Revisions, rev)
	}
	return h, nil
}

func (s *Service) readBlob(ctx context.Context, key string) ([]byte, error) {
	if s.Blobs == nil {
		return nil, apperr.E(apperr.NotFound, "no blob store")
	}
	rc, err := s.Blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, maxRevisionBytes))
}
