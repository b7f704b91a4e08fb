// Package groupcommit lets concurrent writers share one database
// transaction (group commit). Under load one commit, and its one fsync,
// serves many requests, while each caller is still answered only after
// the commit that carried its item: a success answered means durably
// stored.
package groupcommit

import (
	"context"
	"fmt"
	"sync"
)

// Commit stores a group's items, in the order they arrived, in one
// transaction and returns one result per item. An error fails every item
// of the group.
type Commit[T, R any] func(ctx context.Context, items []T) ([]R, error)

// Group gathers the items of concurrent callers into shared commits: the
// first caller to find no commit running becomes the flusher and commits
// the group its item is in; if more callers wait by then, a goroutine of
// the Group's own goes on committing until nothing waits, so the flusher
// is answered with its commit like everyone else, not when the queue
// happens to run dry. The others wait for the commit that carried their
// item. Nobody waits for a timer: a lone
// caller commits at once, and a group is whatever arrived while the
// previous commit ran. The zero value is ready for use.
type Group[T, R any] struct {
	mu      sync.Mutex
	waiting []*call[T, R]
	running bool
}

// call is one caller's item and where its answer goes.
type call[T, R any] struct {
	item   T
	weight int
	commit Commit[T, R]
	res    R
	err    error
	done   chan struct{}
}

// Do commits item together with the items other callers hand in
// meanwhile, through commit, and returns item's result once that commit
// is done. weight is what item counts against limit, the most one commit
// carries (an item heavier than limit is committed alone). Every caller of
// one Group passes the same commit; the flusher's is used for a group.
func (g *Group[T, R]) Do(ctx context.Context, item T, weight, limit int, commit Commit[T, R]) (R, error) {
	c := &call[T, R]{item: item, weight: weight, commit: commit, done: make(chan struct{})}
	g.mu.Lock()
	g.waiting = append(g.waiting, c)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if lead {
		// The commit serves other callers too: it must not end with this
		// caller's request.
		ctx := context.WithoutCancel(ctx)
		if g.commitNext(ctx, limit) {
			go g.flush(ctx, limit)
		}
	}
	<-c.done
	return c.res, c.err
}

// flush commits what waits until nothing does.
func (g *Group[T, R]) flush(ctx context.Context, limit int) {
	for g.commitNext(ctx, limit) {
	}
}

// commitNext commits the next group of waiting callers and reports
// whether more wait; when none do, it marks the Group idle, so that the
// next caller becomes the flusher.
func (g *Group[T, R]) commitNext(ctx context.Context, limit int) (more bool) {
	g.mu.Lock()
	n, size := 0, 0
	for n < len(g.waiting) && (n == 0 || size+g.waiting[n].weight <= limit) {
		size += g.waiting[n].weight
		n++
	}
	group := g.waiting[:n:n]
	g.waiting = g.waiting[n:]
	g.mu.Unlock()
	if n > 0 {
		commitGroup(ctx, group)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.waiting) == 0 {
		g.running = false
		return false
	}
	return true
}

// commitGroup commits one group and answers each of its callers.
func commitGroup[T, R any](ctx context.Context, group []*call[T, R]) {
	items := make([]T, len(group))
	for i, c := range group {
		items[i] = c.item
	}
	res, err := group[0].commit(ctx, items)
	if err == nil && len(res) != len(items) {
		err = fmt.Errorf("group commit: %d results for %d items", len(res), len(items))
	}
	for i, c := range group {
		if err != nil {
			c.err = err
		} else {
			c.res = res[i]
		}
		close(c.done)
	}
}
