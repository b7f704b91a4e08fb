package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// maxGroup bounds how many events one shared commit carries.
const maxGroup = 2000

// committer lets concurrent accepts share one transaction (group commit):
// the first caller to find no commit running becomes the flusher and
// commits everything waiting, again and again until nothing waits; the
// others wait for the commit that carried their events. Each caller is
// answered only after that commit, so a 2xx still means durably stored,
// and under load one fsync serves many requests.
type committer struct {
	mu      sync.Mutex
	waiting []*pending
	running bool
	// caused is when each tenant's accepted-event jobs were last
	// enqueued: at most once per causeEvery, since one archiver run
	// takes every waiting event (the periodic sweep takes any left).
	caused map[string]time.Time
}

// causeEvery is how often a tenant's commits enqueue its follow-up jobs.
const causeEvery = time.Second

// pending is one caller's events and where its answer goes.
type pending struct {
	evs   []Event
	prior []*Event
	err   error
	done  chan struct{}
}

// commit stores evs through the shared committer and returns, per event,
// the event already stored under its key (nil when it is new).
func (s *Service) commit(ctx context.Context, evs []Event) ([]*Event, error) {
	p := &pending{evs: evs, done: make(chan struct{})}
	c := &s.group
	c.mu.Lock()
	c.waiting = append(c.waiting, p)
	lead := !c.running
	c.running = true
	c.mu.Unlock()
	if lead {
		// The commit serves other callers too: it must not end with this
		// caller's request.
		s.flush(context.WithoutCancel(ctx))
	}
	<-p.done
	return p.prior, p.err
}

// flush commits what waits until nothing does.
func (s *Service) flush(ctx context.Context) {
	c := &s.group
	for {
		c.mu.Lock()
		if len(c.waiting) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		n, size := 0, 0
		for n < len(c.waiting) && (n == 0 || size+len(c.waiting[n].evs) <= maxGroup) {
			size += len(c.waiting[n].evs)
			n++
		}
		group := c.waiting[:n:n]
		c.waiting = c.waiting[n:]
		c.mu.Unlock()
		s.commitGroup(ctx, group)
	}
}

// commitGroup stores a group's events in one transaction with the jobs of
// every tenant among them, and answers each caller.
func (s *Service) commitGroup(ctx context.Context, group []*pending) {
	var all []Event
	tenants := map[string]bool{}
	var jobs []jobargs.Args
	now := s.now()
	for _, p := range group {
		all = append(all, p.evs...)
		for _, e := range p.evs {
			if !tenants[e.TenantID] {
				tenants[e.TenantID] = true
				if s.causeDue(e.TenantID, now) {
					jobs = append(jobs, s.jobs(e.TenantID)...)
				}
			}
		}
	}
	prior, err := s.Store.AcceptEvents(ctx, all, jobs)
	k := 0
	for _, p := range group {
		if err != nil {
			p.err = err
		} else {
			p.prior = prior[k : k+len(p.evs)]
		}
		k += len(p.evs)
		close(p.done)
	}
}

// causeDue reports whether a commit of tenant's events at now should
// enqueue their follow-up jobs, and notes that it does.
func (s *Service) causeDue(tenantID string, now time.Time) bool {
	c := &s.group
	c.mu.Lock()
	defer c.mu.Unlock()
	if last, ok := c.caused[tenantID]; ok && now.Sub(last) < causeEvery && now.Sub(last) >= 0 {
		return false
	}
	if c.caused == nil {
		c.caused = map[string]time.Time{}
	}
	c.caused[tenantID] = now
	return true
}
