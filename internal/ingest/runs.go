package ingest

import "sync"

// runs tracks which tenants a pass (normalizing, archiving) is working
// on in this process, so that a job or the periodic sweep leaves a tenant
// whose pass is under way to that pass instead of reading the same events
// beside it: doing their work twice, counting them twice in the metrics
// and learning them twice into the vendor's field profile.
type runs struct {
	mu sync.Mutex
	at map[string]*run
}

type run struct {
	n     int  // passes under way
	again bool // a sweep came by: look once more before stopping
}

// start notes a pass over tenantID.
func (r *runs) start(tenantID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at == nil {
		r.at = map[string]*run{}
	}
	st := r.at[tenantID]
	if st == nil {
		st = &run{}
		r.at[tenantID] = st
	}
	st.n++
}

// finish is called by a pass that found nothing left. It reports false,
// and the pass looks again, when a sweep came by meanwhile; otherwise the
// pass is over.
func (r *runs) finish(tenantID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.at[tenantID]
	if st.again {
		st.again = false
		return false
	}
	r.end(tenantID, st)
	return true
}

// abort ends a pass that stops on an error.
func (r *runs) abort(tenantID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.end(tenantID, r.at[tenantID])
}

func (r *runs) end(tenantID string, st *run) {
	if st.n--; st.n == 0 {
		delete(r.at, tenantID)
	}
}

// active reports whether a pass over tenantID is under way.
func (r *runs) active(tenantID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.at[tenantID] != nil
}

// startAlone notes a pass over tenantID unless one is under way; then it
// asks that pass to look once more before it stops, which takes what this
// caller came for, and reports false.
func (r *runs) startAlone(tenantID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st := r.at[tenantID]; st != nil {
		st.again = true
		return false
	}
	if r.at == nil {
		r.at = map[string]*run{}
	}
	r.at[tenantID] = &run{n: 1}
	return true
}

// pass runs fn as a pass over tenantID: alone, only when no pass over it
// is under way (0 otherwise, as startAlone says). fn calls done when it
// finds nothing left, and stops when done reports true.
func (r *runs) pass(tenantID string, alone bool, fn func(done func() bool) (int, error)) (int, error) {
	if !alone {
		r.start(tenantID)
	} else if !r.startAlone(tenantID) {
		return 0, nil
	}
	over := false
	defer func() {
		if !over {
			r.abort(tenantID)
		}
	}()
	return fn(func() bool {
		over = r.finish(tenantID)
		return over
	})
}
