package groupcommit_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/groupcommit"
)

// recorder is a commit that remembers its groups and answers each item
// with its double.
type recorder struct {
	mu     sync.Mutex
	groups [][]int
	// hold, when set, keeps the first commit open until it is closed, so
	// the callers behind it gather into one group.
	hold chan struct{}
	fail error
}

func (r *recorder) commit(_ context.Context, items []int) ([]int, error) {
	r.mu.Lock()
	first := len(r.groups) == 0
	r.groups = append(r.groups, append([]int(nil), items...))
	r.mu.Unlock()
	if first && r.hold != nil {
		<-r.hold
	}
	if r.fail != nil {
		return nil, r.fail
	}
	out := make([]int, len(items))
	for i, v := range items {
		out[i] = 2 * v
	}
	return out, nil
}

// waitQueued returns once n callers wait for a commit.
func waitQueued(g *groupcommit.Group[int, int], n int) {
	for groupcommit.Queued(g) < n {
		time.Sleep(time.Millisecond)
	}
}

// gather starts n callers while the first commit is held open, and
// returns once all of them wait, with their results to come on res.
func gather(t *testing.T, g *groupcommit.Group[int, int], r *recorder, n, weight, limit int) (res []int, errs []error) {
	t.Helper()
	r.hold = make(chan struct{})
	res, errs = make([]int, n+1), make([]error, n+1)
	var wg sync.WaitGroup
	started := make(chan struct{})
	wg.Go(func() {
		close(started)
		res[0], errs[0] = g.Do(t.Context(), 0, weight, limit, r.commit)
	})
	<-started
	// The first caller commits alone and holds its commit open; the
	// others queue up behind it.
	for {
		r.mu.Lock()
		n := len(r.groups)
		r.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for i := 1; i <= n; i++ {
		wg.Go(func() { res[i], errs[i] = g.Do(t.Context(), i, weight, limit, r.commit) })
	}
	waitQueued(g, n)
	close(r.hold)
	wg.Wait()
	return res, errs
}

func TestCallersShareCommitsAndGetTheirOwnResult(t *testing.T) {
	var g groupcommit.Group[int, int]
	r := &recorder{}
	res, errs := gather(t, &g, r, 40, 1, 16)
	for i := range res {
		if errs[i] != nil || res[i] != 2*i {
			t.Fatalf("caller %d: %d, %v; want %d", i, res[i], errs[i], 2*i)
		}
	}
	// 40 callers queued behind the first commit, at most 16 per commit.
	if len(r.groups) != 4 {
		t.Fatalf("%d commits %v, want 1 + 3 of at most 16", len(r.groups), r.groups)
	}
	seen := map[int]bool{}
	for _, gr := range r.groups[1:] {
		if len(gr) > 16 {
			t.Errorf("a commit carried %d items, over the limit of 16", len(gr))
		}
		for _, v := range gr {
			seen[v] = true
		}
	}
	if len(seen) != 40 {
		t.Errorf("%d distinct items committed after the first, want 40", len(seen))
	}
}

func TestHeavyItemIsCommittedAlone(t *testing.T) {
	var g groupcommit.Group[int, int]
	r := &recorder{}
	_, errs := gather(t, &g, r, 3, 10, 5)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	for _, gr := range r.groups {
		if len(gr) != 1 {
			t.Errorf("items heavier than the limit were committed together: %v", gr)
		}
	}
}

func TestFailedCommitFailsEveryCallerOfItsGroup(t *testing.T) {
	var g groupcommit.Group[int, int]
	boom := errors.New("disk full")
	r := &recorder{fail: boom}
	_, errs := gather(t, &g, r, 8, 1, 100)
	for i, err := range errs {
		if !errors.Is(err, boom) {
			t.Errorf("caller %d: %v, want the commit's error", i, err)
		}
	}
}

func TestLoneCallerCommitsAtOnce(t *testing.T) {
	var g groupcommit.Group[int, int]
	r := &recorder{}
	for i := range 3 {
		got, err := g.Do(context.Background(), i, 1, 10, r.commit)
		if err != nil || got != 2*i {
			t.Fatalf("Do(%d) = %d, %v", i, got, err)
		}
	}
	if len(r.groups) != 3 {
		t.Errorf("sequential callers made %d commits, want 3", len(r.groups))
	}
}

// TestFlusherIsAnsweredWithItsOwnCommit: the caller that became the
// flusher returns once the commit carrying its item is done, even while
// later callers keep the Group busy with commits of their own.
func TestFlusherIsAnsweredWithItsOwnCommit(t *testing.T) {
	var g groupcommit.Group[int, int]
	firstHeld, second := make(chan struct{}), make(chan struct{})
	releaseFirst, releaseSecond := make(chan struct{}), make(chan struct{})
	var calls sync.Mutex
	n := 0
	commit := func(_ context.Context, items []int) ([]int, error) {
		calls.Lock()
		n++
		k := n
		calls.Unlock()
		switch k {
		case 1:
			close(firstHeld)
			<-releaseFirst
		case 2:
			close(second)
			<-releaseSecond
		}
		out := make([]int, len(items))
		for i, v := range items {
			out[i] = 2 * v
		}
		return out, nil
	}
	type answer struct {
		res int
		err error
	}
	flusher, other := make(chan answer, 1), make(chan answer, 1)
	go func() {
		res, err := g.Do(t.Context(), 1, 1, 16, commit)
		flusher <- answer{res, err}
	}()
	<-firstHeld
	go func() {
		res, err := g.Do(t.Context(), 2, 1, 16, commit)
		other <- answer{res, err}
	}()
	waitQueued(&g, 1)
	close(releaseFirst)
	<-second // the later caller's commit has begun and is held open
	select {
	case a := <-flusher:
		if a.err != nil || a.res != 2 {
			t.Errorf("flusher: %d, %v; want 2", a.res, a.err)
		}
	case <-time.After(10 * time.Second):
		close(releaseSecond)
		t.Fatal("the flusher was still waiting while a later caller's commit ran")
	}
	close(releaseSecond)
	if a := <-other; a.err != nil || a.res != 4 {
		t.Errorf("later caller: %d, %v; want 4", a.res, a.err)
	}
}
