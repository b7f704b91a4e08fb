package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Source is a mailbox the changes module polls: IMAP, Microsoft 365 (Graph)
// or Gmail. Adapters keep no state between calls; their position in the
// mailbox is the Checkpoint the caller stores.
//
// The caller's loop is what makes ingestion lossless and idempotent:
//
//	msgs, next, err := src.Fetch(ctx, cp, 50)
//	// one transaction: store every msg (raw blob + SourceEmail, keyed by
//	// Message-ID, so a repeat is a no-op) and save next as the new checkpoint
//	err = src.Done(ctx, ids) // after commit; may be retried
//
// Fetch never moves, flags or deletes anything, so a crash before the
// commit only means the same messages are fetched again (and deduplicated by
// Message-ID). Fetch with a checkpoint returned earlier never returns a
// message that checkpoint already covers, except after the mailbox itself
// was reset (IMAP UIDVALIDITY change, expired Gmail history), when the
// adapter starts over and the Message-ID dedup removes the repeats.
type Source interface {
	// Test connects and authenticates, and checks the configured folder or
	// label exists, for the "test connection" button. The REST adapters
	// (Graph, Gmail) classify failures in the remote-error taxonomy
	// (*httpx.Error: Auth for bad credentials, Permission for missing
	// permissions, NotFound for a missing folder, Transient for network
	// failures); IMAP returns an apperr (Unauthorized, NotFound,
	// Unavailable).
	Test(ctx context.Context) error
	// Fetch returns up to max messages after cp in the mailbox's arrival
	// order (a nil cp means the beginning) and the checkpoint that covers
	// exactly those messages. Store next even when no message came: the
	// first poll of an empty mailbox, for one, records its position. On
	// error nothing is returned and cp stays valid.
	Fetch(ctx context.Context, cp Checkpoint, max int) (msgs []Fetched, next Checkpoint, err error)
	// Done post-processes stored messages (mark read, move, label) as
	// configured; with nothing configured it does nothing. ids are
	// Fetched.ID values. It is idempotent: a message already processed or
	// gone is not an error.
	Done(ctx context.Context, ids []string) error
}

// Fetched is one raw message as a Source delivered it.
type Fetched struct {
	// ID identifies the message in its mailbox for Done (an IMAP
	// "uidvalidity:uid", a Graph message id, a Gmail message id). It is not
	// the Message-ID; use Parse for that.
	ID string
	// Raw is the full RFC 5322 message.
	Raw []byte
	// ReceivedAt is when the mailbox received the message (IMAP
	// INTERNALDATE, Graph receivedDateTime, Gmail internalDate), UTC;
	// zero when the server did not say.
	ReceivedAt time.Time
}

// Checkpoint is an adapter's position in its mailbox, as JSON. It is opaque
// to callers: store it verbatim (it marshals as the JSON it holds) and hand
// it back to the same adapter. Nil means "from the beginning".
type Checkpoint []byte

// MarshalJSON emits the checkpoint's JSON as is, null when empty.
func (c Checkpoint) MarshalJSON() ([]byte, error) {
	if len(c) == 0 {
		return []byte("null"), nil
	}
	return c, nil
}

// UnmarshalJSON keeps the JSON value as the checkpoint; null means empty.
func (c *Checkpoint) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*c = nil
		return nil
	}
	*c = bytes.Clone(b)
	return nil
}

// EncodeCheckpoint marshals an adapter's checkpoint struct.
func EncodeCheckpoint(v any) (Checkpoint, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode mail checkpoint: %w", err)
	}
	return Checkpoint(b), nil
}

// DecodeCheckpoint unmarshals cp into an adapter's checkpoint struct,
// leaving v untouched when cp is empty. A checkpoint that is not valid JSON
// for v is an apperr.Invalid: silently starting over would re-ingest the
// whole mailbox.
func DecodeCheckpoint(cp Checkpoint, v any) error {
	if len(bytes.TrimSpace(cp)) == 0 || bytes.Equal(bytes.TrimSpace(cp), []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(cp, v); err != nil {
		return apperr.Wrap(apperr.Invalid, err, "mailbox checkpoint is corrupt")
	}
	return nil
}
