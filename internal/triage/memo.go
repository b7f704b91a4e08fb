package triage

import "sync"

// memoSize is how many recent calls a memo keeps: enough for the emails
// triaged at once, each read by several steps of one decision.
const memoSize = 8

// memo keeps the results of the last calls of a function that depends on
// nothing but its key. One decision reads the same email in several steps
// (the offline triage, its summary, the guardrails, the confidence); each
// would otherwise do the same work again. Results are shared: they must
// not be changed.
type memo[K comparable, V any] struct {
	mu   sync.Mutex
	keys [memoSize]K
	vals [memoSize]V
	used int // entries filled
	next int // the entry written next
}

// get is the result for k, computed when no recent call had k.
func (m *memo[K, V]) get(k K, compute func() V) V {
	m.mu.Lock()
	for i := range m.used {
		if m.keys[i] == k {
			v := m.vals[i]
			m.mu.Unlock()
			return v
		}
	}
	m.mu.Unlock()
	v := compute()
	m.mu.Lock()
	m.keys[m.next], m.vals[m.next] = k, v
	m.next, m.used = (m.next+1)%memoSize, min(m.used+1, memoSize)
	m.mu.Unlock()
	return v
}
