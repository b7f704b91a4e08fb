package ingest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// RefusalCount is how many of a vendor's requests (or batch items) were
// refused in one hour (UTC) for one reason before anything was stored:
// invalid, forbidden, too_large, rate_limited or signature.
type RefusalCount struct {
	TenantID, VendorID string
	Hour               time.Time
	Reason             string
	N                  int
}

// refusals tallies refused requests in memory, so a flood of bad
// requests costs no database write each; FlushRefusals writes the tally.
type refusals struct {
	mu sync.Mutex
	m  map[refusalKey]int
}

type refusalKey struct {
	tenant, vendor string
	hour           time.Time
	reason         string
}

// refuse counts one of vendor v's requests or batch items refused for
// reason, on /metrics and in the vendor's tally.
func (s *Service) refuse(v VendorSetup, reason string) {
	s.metrics().refused(reason)
	k := refusalKey{v.TenantID, v.VendorID, s.now().Truncate(time.Hour), reason}
	s.refused.mu.Lock()
	if s.refused.m == nil {
		s.refused.m = map[refusalKey]int{}
	}
	s.refused.m[k]++
	s.refused.mu.Unlock()
}

// FlushRefusals adds the refusals tallied since the last flush to the
// vendors' hourly counts, where every replica's add up; a tally that
// cannot be written is kept for the next flush. The server flushes every
// few seconds and when it stops, so only a crash loses the last seconds'
// refusals.
func (s *Service) FlushRefusals(ctx context.Context) error {
	s.refused.mu.Lock()
	m := s.refused.m
	s.refused.m = nil
	s.refused.mu.Unlock()
	if len(m) == 0 {
		return nil
	}
	out := make([]RefusalCount, 0, len(m))
	for k, n := range m {
		out = append(out, RefusalCount{TenantID: k.tenant, VendorID: k.vendor, Hour: k.hour, Reason: k.reason, N: n})
	}
	slices.SortFunc(out, func(a, b RefusalCount) int {
		return strings.Compare(a.TenantID+"/"+a.VendorID+"/"+a.Hour.Format(time.RFC3339)+"/"+a.Reason,
			b.TenantID+"/"+b.VendorID+"/"+b.Hour.Format(time.RFC3339)+"/"+b.Reason)
	})
	if err := s.Store.AddRefusals(ctx, out); err != nil {
		s.refused.mu.Lock()
		if s.refused.m == nil {
			s.refused.m = map[refusalKey]int{}
		}
		for k, n := range m {
			s.refused.m[k] += n
		}
		s.refused.mu.Unlock()
		return fmt.Errorf("ingest.FlushRefusals: %w", err)
	}
	return nil
}
