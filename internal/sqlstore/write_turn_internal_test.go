package sqlstore

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

// TestWriteTurnCancelledWaiter: a waiter whose context ends leaves the
// queue, and the turn still passes to the others in order.
func TestWriteTurnCancelledWaiter(t *testing.T) {
	var w writeTurn
	if err := w.acquire(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error)
	go func() { gone <- w.acquire(ctx, true) }()
	next := make(chan error)
	go func() { next <- w.acquire(context.Background(), false) }()
	for w.waiting() < 2 {
		runtime.Gosched() // until both are queued
	}
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v, want context.Canceled", err)
	}
	w.release()
	if err := <-next; err != nil {
		t.Fatal(err)
	}
	w.release()
	if err := w.acquire(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if w.waiting() != 0 {
		t.Fatalf("%d waiting, want 0", w.waiting())
	}
}
