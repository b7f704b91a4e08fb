package ingest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// archiveBatch is how many events one round of the archiver reads. The
// round's objects are flushed to disk together (blob.Store.Sync) before
// they are recorded as archived, in chunks (see inChunks).
const archiveBatch = 200

// writeChunk is the most events one background transaction (outcomes,
// archive records) writes where transactions take turns. SQLite has one
// writer, and an accept waits for the background transaction under way
// (never for one queued after it), so each is kept short.
const writeChunk = 100

// inChunks calls write for consecutive ranges of n items and stops at the
// first error: writeChunk at a time where the store's transactions take
// turns, else all at once, in one transaction, so that a round waits for
// one durable commit rather than one per chunk (PostgreSQL).
func (s *Service) inChunks(n int, write func(from, to int) error) error {
	size := n
	if s.Store.WritesTakeTurns() {
		size = writeChunk
	}
	for from := 0; from < n; from += size {
		if err := write(from, min(from+size, n)); err != nil {
			return err
		}
	}
	return nil
}

// markArchivedChunks records that the events ids are archived, in chunks.
func (s *Service) markArchivedChunks(ctx context.Context, tenantID string, ids []string) error {
	at := s.now()
	return s.inChunks(len(ids), func(from, to int) error { return s.Store.MarkArchived(ctx, tenantID, ids[from:to], at) })
}

// Archive writes the raw bytes of the tenant's events not archived yet to
// the blob store, write-once, until none is left, and returns how many it
// archived. An object already under an event's key with other bytes is an
// alarm: it is never overwritten, the event records why, and it is logged
// as an error.
func (s *Service) Archive(ctx context.Context, tenantID string) (int, error) {
	return s.archiving.pass(tenantID, false, func(done func() bool) (int, error) { return s.archive(ctx, tenantID, done) })
}

// ArchiveWaiting archives as Archive does, unless a pass over the tenant's
// events is under way in this process: that pass then looks once more
// before it stops, and ArchiveWaiting returns 0 at once. Jobs and the
// sweep use it.
func (s *Service) ArchiveWaiting(ctx context.Context, tenantID string) (int, error) {
	return s.archiving.pass(tenantID, true, func(done func() bool) (int, error) { return s.archive(ctx, tenantID, done) })
}

// archive is a pass over the tenant's unarchived events; done says
// whether a pass that found none left may stop.
func (s *Service) archive(ctx context.Context, tenantID string, done func() bool) (int, error) {
	n := 0
	pa := pause{pass: "archive"}
	for {
		s.acceptsFirst(ctx, tenantID, &pa)
		evs, err := s.unarchived(ctx, tenantID)
		if err != nil {
			return n, fmt.Errorf("ingest.Archive %s: %w", tenantID, err)
		}
		if len(evs) == 0 {
			if done() {
				return n, nil
			}
			continue
		}
		archived := make([]bool, len(evs))
		errs := eachAtOnce(len(evs), func(i int) (err error) {
			archived[i], err = s.archiveOne(ctx, evs[i])
			return err
		})
		var done []string
		var first error
		for i, ev := range evs {
			if errs[i] != nil {
				first = cmp.Or(first, errs[i])
			} else if archived[i] {
				done = append(done, ev.ID)
			}
		}
		if first != nil {
			s.markArchived(ctx, tenantID, done) // the failure is what is reported; the others are re-checked next round
			return n, first
		}
		if err := s.Blobs.Sync(ctx); err != nil {
			return n, fmt.Errorf("ingest.Archive %s: %w", tenantID, err)
		}
		if err := s.markArchivedChunks(ctx, tenantID, done); err != nil {
			return n, fmt.Errorf("ingest.Archive %s: %w", tenantID, err)
		}
		n += len(done)
	}
}

// unarchived returns the next events whose raw bytes wait for the
// archive. While a normalization pass over the tenant is under way in
// this process, the events still RECEIVED are left to it: it archives
// them as it normalizes them and records both in one write.
func (s *Service) unarchived(ctx context.Context, tenantID string) ([]Event, error) {
	if s.normalizing.active(tenantID) {
		return s.Store.UnarchivedTaken(ctx, tenantID, archiveBatch)
	}
	return s.Store.UnarchivedEvents(ctx, tenantID, archiveBatch)
}

// archiveOutcomes archives, before the outcomes of evs are stored, the
// raw bytes of those of evs not archived yet, as the archiver would, and
// the normalized bytes of those newly received, as ArchiveNormalized
// would once they are stored; one flush to disk serves both. It marks
// the outcomes so that their write records them archived: one update of
// each event instead of two, and no update of its normalized event
// (which is stored archived). What fails here is logged and left to the
// archivers.
func (s *Service) archiveOutcomes(ctx context.Context, evs []Event, outs []Outcome) {
	var raw, first []int
	for i, ev := range evs {
		if ev.ArchivedAt == nil && ev.ArchiveError == "" {
			raw = append(raw, i)
		}
		if ev.Status == Received && outs[i].Normalized != nil {
			first = append(first, i)
		}
	}
	if len(raw)+len(first) == 0 {
		return
	}
	archived := make([]bool, len(raw))
	revisions := make([]int, len(first))
	errs := eachAtOnce(len(raw)+len(first), func(k int) (err error) {
		if k < len(raw) {
			archived[k], err = s.archiveOne(ctx, evs[raw[k]])
			return err
		}
		k -= len(raw)
		revisions[k], err = s.archiveFirstRevision(ctx, outs[first[k]].Normalized)
		return err
	})
	if err := s.Blobs.Sync(ctx); err != nil {
		s.log().ErrorContext(ctx, "ingest raw archive flush failed", "tenant", evs[0].TenantID, "err", err.Error())
		return
	}
	for k, i := range raw {
		switch {
		case errs[k] != nil:
			ev := evs[i]
			s.log().ErrorContext(ctx, "ingest raw archive failed", append(ev.logKeys(), "rawKey", ev.RawRef.Key, "err", errs[k].Error())...)
		case archived[k]:
			outs[i].RawArchived = true
		}
	}
	for k, i := range first {
		n := outs[i].Normalized
		if err := errs[len(raw)+k]; err != nil {
			s.log().ErrorContext(ctx, "ingest normalized archive failed", append(evs[i].logKeys(), "err", err.Error())...)
			continue
		}
		at := outs[i].At
		n.Revision, n.ArchivedAt, n.BlobKey = revisions[k], &at, NormalizedKey(n.EventType, n.IngestID, revisions[k])
	}
}

// unstoredRevisions bounds how many revisions' keys archiveFirstRevision
// tries.
const unstoredRevisions = 4

// archiveFirstRevision writes a newly received event's normalized bytes
// under the key of its first revision and returns that revision. The key
// holds other bytes only when a pass archived them but never stored them
// (the process stopped in between, and the rules changed since), or a
// replay of the event raced the pass: the key is never overwritten, and
// the bytes go under the next revision's key instead, stored as that
// revision.
func (s *Service) archiveFirstRevision(ctx context.Context, n *NormalizedEvent) (int, error) {
	var err error
	for rev := 1; rev <= unstoredRevisions; rev++ {
		_, err = s.Blobs.Put(ctx, NormalizedKey(n.EventType, n.IngestID, rev), bytes.NewReader(n.Body))
		if !apperr.Is(err, apperr.Conflict) {
			return rev, err
		}
	}
	return 0, fmt.Errorf("ingest archive normalized %s: %w", n.IngestID, err)
}

// markArchived records, after a failure, the events archived before it,
// once their bytes are on disk; what it cannot record is archived again
// next round (the same bytes again are a no-op).
func (s *Service) markArchived(ctx context.Context, tenantID string, ids []string) {
	if len(ids) == 0 || s.Blobs.Sync(ctx) != nil {
		return
	}
	_ = s.markArchivedChunks(ctx, tenantID, ids)
}

// archiveWriters is how many objects an archiver writes at once: in a
// local store the objects written together share one transaction of its
// pack, and S3's round trips overlap.
const archiveWriters = 64

// eachAtOnce calls write for 0…n-1, archiveWriters at a time, and returns
// each call's error.
func eachAtOnce(n int, write func(i int) error) []error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(archiveWriters, n) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				errs[i] = write(i)
			}
		})
	}
	wg.Wait()
	return errs
}

// archiveOne writes one event's raw bytes and reports whether they are
// archived; a conflicting object is recorded on the event instead.
func (s *Service) archiveOne(ctx context.Context, ev Event) (bool, error) {
	obj, err := s.Blobs.Put(ctx, ev.RawRef.Key, bytes.NewReader(ev.Raw))
	switch {
	case apperr.Is(err, apperr.Conflict):
		return false, s.alarm(ctx, ev, "the blob store already holds other bytes under "+ev.RawRef.Key+"; they were not overwritten")
	case err != nil:
		return false, fmt.Errorf("ingest archive %s: %w", ev.ID, err)
	case obj.SHA256 != ev.RawRef.SHA256:
		return false, s.alarm(ctx, ev, "the archived object's SHA-256 "+obj.SHA256+" differs from the received bytes' "+ev.RawRef.SHA256)
	}
	return true, nil
}

// alarm logs a checksum mismatch as an error and records it on the event,
// which the archiver then leaves alone.
func (s *Service) alarm(ctx context.Context, ev Event, reason string) error {
	s.log().ErrorContext(ctx, "ingest raw archive checksum mismatch", append(ev.logKeys(), "rawKey", ev.RawRef.Key, "reason", reason)...)
	if err := s.Store.MarkArchiveFailed(ctx, ev.TenantID, ev.ID, reason); err != nil {
		return fmt.Errorf("ingest archive %s: %w", ev.ID, err)
	}
	return nil
}

// ArchiveAll archives every tenant's waiting events (the periodic sweep).
func (s *Service) ArchiveAll(ctx context.Context) (int, error) {
	ts, err := s.Store.TenantsWithUnarchived(ctx)
	if err != nil {
		return 0, fmt.Errorf("ingest.ArchiveAll: %w", err)
	}
	n := 0
	for _, t := range ts {
		k, err := s.ArchiveWaiting(ctx, t)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
