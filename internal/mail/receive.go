package mail

import "context"

// The kinds of SourceRef: where raw messages come from.
const (
	SourceUpload = "upload" // POST /api/v1/emails or the UI upload form
	SourceImport = "import" // vendorsync email import
	SourceDemo   = "demo"   // serve --demo
	SourceIMAP   = "imap"
	SourceGraph  = "graph"
	SourceGmail  = "gmail"
)

// SourceRef names where a batch of raw messages came from: a mailbox (Kind
// imap, graph or gmail, and the mail source's id) or a person (Kind upload,
// import or demo, with an empty ID).
type SourceRef struct {
	Kind string
	ID   string
}

// SourceCheckpoint is a mailbox's new position (EncodeCheckpoint's output),
// saved with the messages it covers.
type SourceCheckpoint struct {
	SourceID string
	Value    []byte
}

// Receiver stores raw messages for triage; the inbox service implements it
// and mailbox pollers call it.
//
// ReceiveBatch parses every raw message (a malformed one is stored with its
// parse errors, never dropped), writes the raw bytes and attachments
// write-once to the blob store, then in one transaction stores the emails
// (a repeated Message-ID of the tenant becomes a "duplicate" row pointing at
// the first), enqueues their processing and, when cp is not nil, saves the
// mailbox's checkpoint, fetched total and last success. So a crash either
// loses nothing or repeats a fetch that the Message-ID dedup absorbs. It
// returns how many of raws were new, non-duplicate emails.
type Receiver interface {
	ReceiveBatch(ctx context.Context, tenantID string, src SourceRef, raws [][]byte, cp *SourceCheckpoint) (int, error)
}
