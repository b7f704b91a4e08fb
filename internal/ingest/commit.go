package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/groupcommit"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// maxGroup bounds how many events one shared commit carries.
const maxGroup = 2000

// committer lets concurrent accepts share one transaction (group commit),
// each caller answered only after the commit that carried its events, so a
// 2xx still means durably stored, and under load one fsync serves many
// requests.
type committer struct {
	group groupcommit.Group[[]Event, []*Event]

	mu sync.Mutex
	// caused is when each tenant's accepted-event jobs were last
	// enqueued: at most once per causeEvery, since one archiver run
	// takes every waiting event (the periodic sweep takes any left).
	caused map[string]time.Time
}

// causeEvery is how often a tenant's commits enqueue its follow-up jobs.
const causeEvery = time.Second

// commit stores evs through the shared committer and returns, per event,
// the event already stored under its key (nil when it is new).
func (s *Service) commit(ctx context.Context, evs []Event) ([]*Event, error) {
	now := time.Now()
	s.pressure.enter(len(evs), now)
	s.tell(now)
	defer s.pressure.leave(len(evs))
	return s.group.group.Do(ctx, evs, len(evs), maxGroup, s.commitGroup)
}

// commitGroup stores a group's events in one transaction with the jobs of
// every tenant among them, and returns each caller's prior events.
func (s *Service) commitGroup(ctx context.Context, group [][]Event) ([][]*Event, error) {
	var all []Event
	tenants := map[string]bool{}
	var jobs []jobargs.Args
	now := s.now()
	for _, evs := range group {
		all = append(all, evs...)
		for _, e := range evs {
			if !tenants[e.TenantID] {
				tenants[e.TenantID] = true
				if s.causeDue(e.TenantID, now) {
					jobs = append(jobs, s.jobs(e.TenantID)...)
				}
			}
		}
	}
	prior, err := s.Store.AcceptEvents(ctx, all, jobs)
	if err != nil {
		return nil, err
	}
	out := make([][]*Event, len(group))
	k := 0
	for i, evs := range group {
		out[i] = prior[k : k+len(evs)]
		k += len(evs)
	}
	return out, nil
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
