package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vendorsync/vendorsync/internal/obs"
)

// burst keeps more events than pressureEvents waiting for commits, as
// concurrent senders of a burst do, until the returned stop is called.
func burst(s *Service) (stop func()) {
	done, quit := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			s.pressure.enter(pressureEvents+1, time.Now())
			s.pressure.leave(pressureEvents + 1)
			select {
			case <-quit:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	for !s.pressure.high(time.Now()) {
		time.Sleep(time.Millisecond)
	}
	return func() { close(quit); <-done }
}

// Under a burst of accepts, the passes over accepted events wait, at most
// AcceptsFirst in a row: then they run alongside until the burst ends.
func TestPassesWaitForABurstOfAcceptsAtMostAWhile(t *testing.T) {
	m := obs.NewMetrics()
	s := &Service{AcceptsFirst: 150 * time.Millisecond, Metrics: &m.Ingest}
	ctx := context.Background()

	pa := pause{pass: "normalize"}
	s.acceptsFirst(ctx, "t1", &pa)
	if !pa.since.IsZero() || pa.spent || testutil.CollectAndCount(m.Ingest.Paused) != 0 {
		t.Fatalf("a pass waited with no accepts under way: %+v", pa)
	}
	// A sender at a steady rate keeps a handful of events waiting: no burst.
	s.pressure.enter(pressureEvents, time.Now())
	s.acceptsFirst(ctx, "t1", &pa)
	s.pressure.leave(pressureEvents)
	if !pa.since.IsZero() {
		t.Fatal("a pass waited for a handful of events waiting for their commit")
	}

	stop := burst(s)
	s.acceptsFirst(ctx, "t1", &pa)
	if !pa.spent || pa.since.IsZero() {
		t.Fatalf("under a burst the pass did not wait until its limit: %+v", pa)
	}
	if got := testutil.ToFloat64(m.Ingest.Paused.WithLabelValues("normalize")); got <= 0 {
		t.Errorf("paused seconds = %v, want > 0", got)
	}
	// Having waited its limit, it runs alongside the burst, and so does
	// a new pass of the same kind.
	before := testutil.ToFloat64(m.Ingest.Paused.WithLabelValues("normalize"))
	s.acceptsFirst(ctx, "t1", &pa)
	next := pause{pass: "normalize"}
	s.acceptsFirst(ctx, "t1", &next)
	if after := testutil.ToFloat64(m.Ingest.Paused.WithLabelValues("normalize")); after != before || !pa.spent || !next.spent {
		t.Fatalf("a pass that had waited its limit, or a new one, waited again: paused %v -> %v", before, after)
	}
	stop()
	for s.pressure.high(time.Now()) {
		time.Sleep(pauseStep)
	}
	s.acceptsFirst(ctx, "t1", &pa)
	if pa.spent || !pa.since.IsZero() {
		t.Fatalf("after the burst the pass still counts its wait: %+v", pa)
	}
	if w := s.pressure.waiting.Load(); w != 0 {
		t.Errorf("%d events still counted waiting", w)
	}
}

// A pass stops waiting when its context ends, and never waits when
// waiting is turned off.
func TestPassesWaitNotWhenOffOrCancelled(t *testing.T) {
	s := &Service{AcceptsFirst: -1}
	stop := burst(s)
	defer stop()
	pa := pause{pass: "archive"}
	s.acceptsFirst(context.Background(), "t1", &pa)
	if !pa.since.IsZero() {
		t.Fatal("a pass waited with waiting turned off")
	}

	s.AcceptsFirst = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	returned := make(chan struct{})
	go func() {
		s.acceptsFirst(ctx, "t1", &pa)
		close(returned)
	}()
	time.Sleep(3 * pauseStep)
	select {
	case <-returned:
		t.Fatal("a pass under a burst did not wait")
	default:
	}
	cancel()
	<-returned
}
