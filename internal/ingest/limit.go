package ingest

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// vendorTTL is how long a vendor's set-up is read from memory before the
// store is asked again: an edit on another replica applies within it.
const vendorTTL = 2 * time.Second

// limiters holds each vendor's rate limiter and a short-lived copy of its
// set-up, so that the accept path does not read the set-up per request.
type limiters struct {
	mu      sync.Mutex
	vendors map[string]cachedVendor
	rates   map[string]*rate.Limiter
}

type cachedVendor struct {
	v  VendorSetup
	at time.Time
}

func limiterKey(tenantID, vendorID string) string { return tenantID + "/" + vendorID }

// vendor returns the cached set-up of a vendor, loading it when stale.
func (l *limiters) vendor(ctx context.Context, now time.Time, tenantID, vendorID string, load func() (VendorSetup, error)) (VendorSetup, error) {
	k := limiterKey(tenantID, vendorID)
	l.mu.Lock()
	c, ok := l.vendors[k]
	l.mu.Unlock()
	if ok && now.Sub(c.at) < vendorTTL && now.Sub(c.at) >= 0 {
		return c.v, nil
	}
	v, err := load()
	if err != nil {
		return VendorSetup{}, err
	}
	l.mu.Lock()
	if l.vendors == nil {
		l.vendors = map[string]cachedVendor{}
	}
	l.vendors[k] = cachedVendor{v: v, at: now}
	l.mu.Unlock()
	return v, nil
}

// forget drops a vendor's cached set-up and limiter after an edit.
func (l *limiters) forget(tenantID, vendorID string) {
	k := limiterKey(tenantID, vendorID)
	l.mu.Lock()
	delete(l.vendors, k)
	delete(l.rates, k)
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
