package ingest

import (
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
)

// Events accepted in one millisecond get ids in the order they were
// accepted, even when ids of other kinds are taken at other times in
// between (the normalize pass, the archive and the window of the drift
// profile all go by id).
func TestIngestIDsFollowAcceptOrder(t *testing.T) {
	at := time.Now().Add(-time.Hour)
	prev := ""
	for i := range 2000 {
		_ = ulid.MustNew(ulid.Timestamp(time.Now().Add(time.Duration(i)*time.Millisecond)), ulid.DefaultEntropy())
		id := newIngestID(at)
		if id <= prev {
			t.Fatalf("id %d %s sorts before the one accepted before it %s", i, id, prev)
		}
		prev = id
	}
}
