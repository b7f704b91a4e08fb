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
	var ids idSource
	prev := ""
	for i := range 2000 {
		_ = ulid.MustNew(ulid.Timestamp(time.Now().Add(time.Duration(i)*time.Millisecond)), ulid.DefaultEntropy())
		id := ids.next(at)
		if id <= prev {
			t.Fatalf("id %d %s sorts before the one accepted before it %s", i, id, prev)
		}
		prev = id
	}
}

// An id asked for with a time read just before the last id's (another
// request got its id first) still sorts after it, at the last id's
// millisecond; one asked for with a time an hour back (a clock set back)
// is dated an hour back.
func TestIngestIDsFollowEachOtherAcrossClockReads(t *testing.T) {
	var ids idSource
	now := time.Now()
	first := ids.next(now)
	for _, back := range []time.Duration{time.Millisecond, 20 * time.Millisecond, time.Second} {
		id := ids.next(now.Add(-back))
		if id <= first {
			t.Fatalf("an id asked for %s before the last one's time %s sorts before it: %s", back, first, id)
		}
		if got, want := ulid.MustParse(id).Time(), ulid.MustParse(first).Time(); got != want {
			t.Errorf("an id asked for %s before the last one's time is dated %d, want the last one's %d", back, got, want)
		}
		first = id
	}
	past := now.Add(-time.Hour)
	id := ids.next(past)
	if got := ulid.MustParse(id).Time(); got != ulid.Timestamp(past) {
		t.Errorf("an id asked for an hour back is dated %d, want %d", got, ulid.Timestamp(past))
	}
}

// Each service hands out its own ids: one whose clock stands still (a
// test's) keeps its ids in accept order while another service, on a
// clock an hour ahead, hands out ids in between.
func TestIngestIDsOfOneServiceIgnoreAnothersClock(t *testing.T) {
	var frozen, ahead idSource
	at := time.Now()
	prev := ""
	for i := range 200 {
		id := frozen.next(at)
		if id <= prev {
			t.Fatalf("id %d %s sorts before the one accepted before it %s", i, id, prev)
		}
		prev = id
		_ = ahead.next(at.Add(time.Hour))
	}
}
