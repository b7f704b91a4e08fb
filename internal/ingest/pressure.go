package ingest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Accepts come first. Under a burst that keeps more events waiting for a
// shared commit than pressureEvents, the database is what limits how fast
// senders are answered; the background passes over accepted events
// (normalizing and archiving their raw bytes) then wait between batches,
// so that the commits senders wait on get the machine, and they catch up
// when the burst ends. A pass waits at most AcceptsFirst in a row: under
// overload that lasts, it runs alongside the accepts again.
//
// The signal is this process's own accepts: with --role web and worker
// processes apart, the workers never wait (they share no processor with
// the accepts).

// DefaultAcceptsFirst is how long in a row a background pass may wait
// for accepts under a burst, when Service.AcceptsFirst is 0.
const DefaultAcceptsFirst = time.Minute

const (
	// pressureEvents: more events than this waiting for a shared commit
	// means accepts queue for the database. A sender at 2,000 events/s
	// keeps a handful waiting; a burst that saturates the machine keeps
	// one per concurrent sender.
	pressureEvents = 32
	// pressureHold is how long a burst counts after accepts last queued.
	pressureHold = 250 * time.Millisecond
	// pauseStep is how long a waiting pass sleeps before it looks again.
	pauseStep = 50 * time.Millisecond
)

// pressure follows how many events wait for a shared commit.
type pressure struct {
	waiting atomic.Int64
	// queued is when (Unix nanoseconds) more than pressureEvents last
	// waited.
	queued atomic.Int64
	// spent holds "tenant/pass" for the passes that have waited their
	// limit during the burst under way.
	spent sync.Map
}

// enter notes n events waiting for a commit at now; leave is its undo.
func (p *pressure) enter(n int, now time.Time) {
	if p.waiting.Add(int64(n)) > pressureEvents {
		p.queued.Store(now.UnixNano())
	}
}

func (p *pressure) leave(n int) { p.waiting.Add(-int64(n)) }

// high reports whether accepts queued within pressureHold of now.
func (p *pressure) high(now time.Time) bool {
	q := p.queued.Load()
	return q != 0 && now.Sub(time.Unix(0, q)) < pressureHold
}

// pause is one background pass's waiting for accepts.
type pause struct {
	pass string
	// since is when the current run of waits began (zero: not waiting).
	since time.Time
	// spent is set once the pass has waited AcceptsFirst in a row: it
	// then runs alongside the accepts until the burst ends.
	spent bool
}

// acceptsFirst waits, before a pass's next batch, while accepts are under
// a burst, until the burst ends, ctx ends or the pass has waited
// AcceptsFirst in a row.
func (s *Service) acceptsFirst(ctx context.Context, tenantID string, pa *pause) {
	limit := s.AcceptsFirst
	if limit == 0 {
		limit = DefaultAcceptsFirst
	}
	key := tenantID + "/" + pa.pass
	if _, ok := s.pressure.spent.Load(key); ok {
		// An earlier pass of this burst has waited its limit: a new one
		// does not wait again while the burst goes on.
		pa.spent = true
	}
	for {
		now := time.Now()
		if limit < 0 || !s.pressure.high(now) {
			s.pressure.spent.Delete(key)
			if !pa.since.IsZero() {
				s.log().InfoContext(ctx, "ingest pass resumed after a burst of accepts", "tenant", tenantID, "pass", pa.pass,
					"waited", now.Sub(pa.since).Round(time.Millisecond).String())
			}
			pa.since, pa.spent = time.Time{}, false
			return
		}
		if pa.spent {
			return
		}
		if pa.since.IsZero() {
			pa.since = now
			s.log().InfoContext(ctx, "ingest pass waits for a burst of accepts", "tenant", tenantID, "pass", pa.pass,
				"at_most", limit.String())
		} else if now.Sub(pa.since) >= limit {
			pa.spent = true
			s.pressure.spent.Store(key, true)
			s.log().WarnContext(ctx, "ingest pass runs alongside accepts: the burst has lasted longer than it may wait",
				"tenant", tenantID, "pass", pa.pass, "waited", now.Sub(pa.since).Round(time.Millisecond).String())
			return
		}
		t := time.NewTimer(pauseStep)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		s.metrics().paused(pa.pass, time.Since(now))
	}
}
