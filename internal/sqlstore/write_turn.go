package sqlstore

import (
	"context"
	"sync"
)

// writeTurn hands SQLite's one write connection to the store's
// transactions in turn, those a sender waits on first: when a transaction
// ends, a waiting urgent one (an ingest accept, answered only after its
// commit) starts next, before any background one (normalization outcomes,
// archive bookkeeping) that queued earlier. The pool alone would pick a
// waiter at random, so an accept could wait behind several background
// transactions. Urgent and background alternate at worst — the one
// urgent writer at a time, the group commit, queues again only after its
// commit — so background work is never starved. PostgreSQL writes
// concurrently and takes no turns.
type writeTurn struct {
	mu     sync.Mutex
	busy   bool
	urgent []chan struct{}
	normal []chan struct{}
}

// acquire waits for the turn; urgent ones are served first. It fails only
// when ctx ends before the turn comes.
func (w *writeTurn) acquire(ctx context.Context, urgent bool) error {
	w.mu.Lock()
	if !w.busy {
		w.busy = true
		w.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if urgent {
		w.urgent = append(w.urgent, ch)
	} else {
		w.normal = append(w.normal, ch)
	}
	w.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		w.mu.Lock()
		if w.remove(ch) {
			w.mu.Unlock()
			return ctx.Err()
		}
		w.mu.Unlock()
		// The turn was handed over as ctx ended: pass it on.
		w.release()
		return ctx.Err()
	}
}

// remove takes ch out of the queues and reports whether it was there.
func (w *writeTurn) remove(ch chan struct{}) bool {
	for _, q := range []*[]chan struct{}{&w.urgent, &w.normal} {
		for i, c := range *q {
			if c == ch {
				*q = append((*q)[:i:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// release ends the turn, handing it to the next waiter.
func (w *writeTurn) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	var next chan struct{}
	switch {
	case len(w.urgent) > 0:
		next, w.urgent = w.urgent[0], w.urgent[1:]
	case len(w.normal) > 0:
		next, w.normal = w.normal[0], w.normal[1:]
	default:
		w.busy = false
		return
	}
	close(next)
}

// waiting counts the transactions waiting for the turn, for tests.
func (w *writeTurn) waiting() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.urgent) + len(w.normal)
}
