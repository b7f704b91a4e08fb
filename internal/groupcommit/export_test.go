package groupcommit

// Queued is how many callers wait for a commit.
func Queued[T, R any](g *Group[T, R]) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.waiting)
}
