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
// The signal is this process's own accepts. With --role web and worker
// processes apart, each web process also records in the database until
// when its accepts queue (PressureTell, at most every tellEvery), and the
// workers read it (PressureHeed, at most every pauseStep): the database
// they share is what the accepts wait on.

// PressureSharing says whether a process shares the signal with others.
type PressureSharing int

const (
	// PressureOwn: one process accepts and runs the passes; its own
	// accepts are the signal.
	PressureOwn PressureSharing = iota
	// PressureTell: a web process; it records its bursts for workers.
	PressureTell
	// PressureHeed: a worker process; it heeds the bursts web processes
	// record.
	PressureHeed
)

const (
	// tellEvery is how often a web process under a burst records it.
	tellEvery = 200 * time.Millisecond
	// toldHold is how long a recorded burst counts: a few tells, so
	// that a tell that is late or a clock a little apart between
	// machines does not end it early.
	toldHold = time.Second
)

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
	// told is when (Unix nanoseconds) this process last recorded a burst
	// for other processes (PressureTell).
	told atomic.Int64
	// heard is when (Unix nanoseconds) this process last read the bursts
	// other processes recorded, and heardUntil until when they said
	// accepts queue (PressureHeed).
	heard, heardUntil atomic.Int64
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

// tell records, for worker processes, that this process's accepts queue
// (PressureTell, under a burst, at most every tellEvery). It does not
// wait for the database: the record is written in the background.
func (s *Service) tell(now time.Time) {
	if s.Pressure != PressureTell || !s.pressure.high(now) {
		return
	}
	last := s.pressure.told.Load()
	if now.Sub(time.Unix(0, last)) < tellEvery || !s.pressure.told.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Store.SetAcceptPressure(ctx, now.Add(toldHold)); err != nil {
			s.log().Warn("could not record a burst of ingest accepts for the workers", "err", err)
		}
	}()
}

// busy reports whether accepts are under a burst: this process's, or
// (PressureHeed) one a web process recorded, read at most every pauseStep.
func (s *Service) busy(ctx context.Context, now time.Time) bool {
	if s.pressure.high(now) {
		return true
	}
	if s.Pressure != PressureHeed {
		return false
	}
	if now.Sub(time.Unix(0, s.pressure.heard.Load())) >= pauseStep {
		until, err := s.Store.AcceptPressure(ctx)
		if err != nil {
			s.log().WarnContext(ctx, "could not read whether ingest accepts are under a burst", "err", err)
		}
		s.pressure.heard.Store(now.UnixNano())
		s.pressure.heardUntil.Store(until.UnixNano())
	}
	return now.UnixNano() < s.pressure.heardUntil.Load()
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
		if limit < 0 || !s.busy(ctx, now) {
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
