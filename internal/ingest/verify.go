package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Mismatch is one event whose bytes do not hash to what was recorded at
// accept.
type Mismatch struct {
	IngestID string
	RawKey   string
	Reason   string
}

// VerifyReport is the outcome of re-hashing a window of events.
type VerifyReport struct {
	Checked    int
	Archived   int // of them, also compared with their archived object
	Mismatches []Mismatch
}

// verifyPage is how many events one round of Verify reads.
const verifyPage = 500

// Verify re-hashes the raw bytes of the tenant's events received since
// since: the copy in the database and, for archived events, the object in
// the blob store, each against the SHA-256 recorded at accept. progress,
// when set, is called after each page with the count so far.
func (s *Service) Verify(ctx context.Context, tenantID string, since time.Time, progress func(checked int)) (VerifyReport, error) {
	var r VerifyReport
	after := ""
	for {
		evs, err := s.Store.EventsSince(ctx, tenantID, since, after, verifyPage)
		if err != nil {
			return r, fmt.Errorf("ingest.Verify %s: %w", tenantID, err)
		}
		if len(evs) == 0 {
			return r, nil
		}
		for _, e := range evs {
			r.Checked++
			if got := sha256Hex(e.Raw); got != e.RawRef.SHA256 {
				r.Mismatches = append(r.Mismatches, Mismatch{IngestID: e.ID, RawKey: e.RawRef.Key,
					Reason: "the stored bytes hash to " + got + ", not " + e.RawRef.SHA256})
			}
			if e.ArchivedAt == nil {
				continue
			}
			r.Archived++
			if m, err := s.verifyArchived(ctx, e); err != nil {
				return r, err
			} else if m != "" {
				r.Mismatches = append(r.Mismatches, Mismatch{IngestID: e.ID, RawKey: e.RawRef.Key, Reason: m})
			}
		}
		after = evs[len(evs)-1].ID
		if progress != nil {
			progress(r.Checked)
		}
	}
}

// verifyArchived hashes an event's archived object; it returns why it
// does not match, or "".
func (s *Service) verifyArchived(ctx context.Context, e Event) (string, error) {
	rc, err := s.Blobs.Get(ctx, e.RawRef.Key)
	if apperr.Is(err, apperr.NotFound) {
		return "the archived object is missing", nil
	}
	if err != nil {
		return "", fmt.Errorf("ingest.Verify %s: %w", e.ID, err)
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", fmt.Errorf("ingest.Verify %s: %w", e.ID, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != e.RawRef.SHA256 {
		return "the archived object hashes to " + got + ", not " + e.RawRef.SHA256, nil
	}
	return "", nil
}
