package triage

import (
	"hash/maphash"
	"sync"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// The application index and the registry's term counts are most of the
// work of an offline decision and depend only on the registry's texts,
// which change rarely: they are kept for the registries seen lately,
// keyed by a hash of those texts.
var (
	indexSeed  = maphash.MakeSeed()
	indexCache = struct {
		sync.Mutex
		m map[uint64]cachedIndex
	}{m: map[uint64]cachedIndex{}}
)

// maxCachedIndexes bounds the cache; past it, it starts again.
const maxCachedIndexes = 64

type cachedIndex struct {
	ix *appIndex
	df registryDF
}

// indexesOf returns the application index and term counts of snap.
// The index carries snap's own applications; only the texts are shared.
func indexesOf(snap registry.Snapshot) (*appIndex, registryDF) {
	h := appsHash(snap.Applications)
	h.WriteByte(1)
	for _, r := range snap.Rules {
		h.WriteString(r.Name)
		h.WriteByte(0)
		h.WriteString(r.Text)
		h.WriteByte(0)
	}
	key := h.Sum64()
	indexCache.Lock()
	c, ok := indexCache.m[key]
	indexCache.Unlock()
	if !ok {
		c.ix = newAppIndex(snap.Applications)
		c.df = newRegistryDF(snap, c.ix)
		indexCache.Lock()
		if len(indexCache.m) >= maxCachedIndexes {
			clear(indexCache.m)
		}
		indexCache.m[key] = c
		indexCache.Unlock()
	}
	ix := *c.ix
	ix.apps = snap.Applications
	return &ix, c.df
}

// appsHash is a hash of the applications' names and descriptions, the
// texts the cached values of a registry are read from; callers add the
// rest of what their values depend on.
func appsHash(apps []registry.Application) *maphash.Hash {
	h := &maphash.Hash{}
	h.SetSeed(indexSeed)
	for _, a := range apps {
		h.WriteString(a.Name)
		h.WriteByte(0)
		h.WriteString(a.Description)
		h.WriteByte(0)
	}
	return h
}
