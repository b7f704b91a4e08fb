package auth

import (
	"sync"
	"time"
)

// keyCacheTTL is how long a verified API key is trusted without reading it
// again. A key revoked through this process stops working at once; one
// revoked through another replica stops within this time.
const keyCacheTTL = 5 * time.Second

// keyCacheMax bounds the cache; past it the cache starts over.
const keyCacheMax = 10000

// keyCache remembers recently verified API keys by prefix, so that a client
// sending many requests costs one read of its key every few seconds rather
// than one per request. The presented key is still checked against the
// stored MAC on every request; only the database read is saved.
type keyCache struct {
	mu      sync.Mutex
	entries map[string]keyCacheEntry
}

type keyCacheEntry struct {
	key    APIKey
	readAt time.Time
}

// get returns the key read for prefix within the TTL before now.
func (c *keyCache) get(prefix string, now time.Time) (APIKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[prefix]
	if !ok || now.Sub(e.readAt) >= keyCacheTTL || now.Before(e.readAt) {
		return APIKey{}, false
	}
	return e.key, true
}

// put remembers k as read at readAt.
func (c *keyCache) put(k APIKey, readAt time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= keyCacheMax {
		c.entries = make(map[string]keyCacheEntry)
	}
	c.entries[k.Prefix] = keyCacheEntry{key: k, readAt: readAt}
}

// touched records a new last-used time on a cached key.
func (c *keyCache) touched(prefix string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[prefix]; ok {
		e.key.LastUsedAt = &at
		c.entries[prefix] = e
	}
}

// forget drops a key, e.g. when it is revoked.
func (c *keyCache) forget(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, prefix)
}
