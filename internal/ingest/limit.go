package ingest

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// vendorTTL is how long a vendor's set-up and signing secrets are read
// from memory before the store is asked again: an edit on another replica
// applies within it (on this one, at once).
const vendorTTL = 2 * time.Second

// limiters holds each vendor's rate limiter and short-lived copies of
// what the accept path needs about it (its set-up, the vendor a signed
// endpoint's address names, its active signing secrets), so that a
// request does not read them from the store.
type limiters struct {
	// loads makes concurrent requests that find the same copy stale wait
	// for one read of it, instead of each reading it: at thousands of
	// requests a second, every request in flight when a copy expired
	// read the store at once, and the slowest of them stalled for it.
	loads   singleflight.Group
	mu      sync.Mutex
	edits   uint64 // forget calls so far: a read begun before one is not kept
	vendors map[string]cached[VendorSetup]
	hooks   map[string]cached[VendorSetup] // by tenant slug and source
	secrets map[string]cached[[]string]
	rates   map[string]*rate.Limiter
}

// cached is a copy read from the store at a time.
type cached[T any] struct {
	v  T
	at time.Time
}

func limiterKey(tenantID, vendorID string) string { return tenantID + "/" + vendorID }

// fresh returns m[k] when it was read less than vendorTTL before now, or
// else reads it with load, once for all the callers asking meanwhile, and
// keeps it. kind names m among the maps of l.
func fresh[T any](l *limiters, m *map[string]cached[T], kind, k string, now time.Time, load func() (T, error)) (T, error) {
	l.mu.Lock()
	c, ok := (*m)[k]
	l.mu.Unlock()
	if ok && now.Sub(c.at) < vendorTTL && now.Sub(c.at) >= 0 {
		return c.v, nil
	}
	v, err, _ := l.loads.Do(kind+"\x00"+k, func() (any, error) {
		l.mu.Lock()
		edits := l.edits
		l.mu.Unlock()
		v, err := load()
		if err != nil {
			return v, err
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.edits != edits {
			return v, nil // read before an edit: used once, not kept
		}
		if *m == nil {
			*m = map[string]cached[T]{}
		}
		(*m)[k] = cached[T]{v: v, at: now}
		return v, nil
	})
	return v.(T), err
}

// vendor returns the cached set-up of a vendor, loading it when stale.
func (l *limiters) vendor(_ context.Context, now time.Time, tenantID, vendorID string, load func() (VendorSetup, error)) (VendorSetup, error) {
	return fresh(l, &l.vendors, "vendor", limiterKey(tenantID, vendorID), now, load)
}

// hookVendor returns the cached vendor a signed endpoint's tenant slug
// and source name, loading it when stale.
func (l *limiters) hookVendor(now time.Time, slug, source string, load func() (VendorSetup, error)) (VendorSetup, error) {
	return fresh(l, &l.hooks, "hook", slug+"\x00"+source, now, load)
}

// signingSecrets returns the cached active signing secrets of a vendor,
// loading them when stale.
func (l *limiters) signingSecrets(now time.Time, tenantID, vendorID string, load func() ([]string, error)) ([]string, error) {
	return fresh(l, &l.secrets, "secrets", limiterKey(tenantID, vendorID), now, load)
}

// forget drops a vendor's cached set-up, secrets and limiter after an
// edit (and every cached signed endpoint, which are few).
func (l *limiters) forget(tenantID, vendorID string) {
	k := limiterKey(tenantID, vendorID)
	// Requests after the edit read it, not what a read under way returns.
	l.loads.Forget("vendor\x00" + k)
	l.loads.Forget("secrets\x00" + k)
	l.mu.Lock()
	l.edits++
	delete(l.vendors, k)
	delete(l.secrets, k)
	delete(l.rates, k)
	clear(l.hooks)
	l.mu.Unlock()
}

// allow takes one request from v's budget at now; when there is none it
// returns how long until there is.
func (l *limiters) allow(v VendorSetup, now time.Time) (bool, time.Duration) {
	k := limiterKey(v.TenantID, v.VendorID)
	l.mu.Lock()
	lim, ok := l.rates[k]
	if !ok || lim.Limit() != rate.Limit(v.RatePerSecond) || lim.Burst() != v.Burst {
		if l.rates == nil {
			l.rates = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Limit(v.RatePerSecond), v.Burst)
		l.rates[k] = lim
	}
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// unavailable is the answer when the store cannot commit: nothing was
// stored, so the sender must retry.
func unavailable(err error) error {
	e := apperr.Wrap(apperr.Unavailable, err, "the event could not be stored right now; retry later")
	e.RetryAfter = 5 * time.Second
	return e
}
