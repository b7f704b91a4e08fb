package ingest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Requests that find a vendor's copy stale at once wait for one read of it:
// before, each read the store, and the slowest stalled the tail latency.
func TestStaleCopyIsReadOnceForConcurrentRequests(t *testing.T) {
	var l limiters
	var reads atomic.Int32
	release := make(chan struct{})
	load := func() ([]string, error) {
		reads.Add(1)
		<-release
		return []string{"whsec_a"}, nil
	}
	now := time.Now()
	var wg sync.WaitGroup
	got := make([][]string, 32)
	for i := range got {
		wg.Go(func() {
			got[i], _ = l.signingSecrets(now, "t1", "v1", load)
		})
	}
	// Let the callers pile up behind the first read, then finish it.
	for reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	// One read; a caller the scheduler started only after it ended reads
	// again, which a loaded machine may allow once or twice.
	if n := reads.Load(); n > 3 {
		t.Errorf("%d reads for 32 concurrent requests, want one", n)
	}
	for i, g := range got {
		if len(g) != 1 || g[0] != "whsec_a" {
			t.Fatalf("caller %d got %q", i, g)
		}
	}
	// Within the TTL nothing is read.
	if _, err := l.signingSecrets(now.Add(time.Second), "t1", "v1", load); err != nil || reads.Load() > 3 {
		t.Errorf("a fresh copy was read again: %d reads, %v", reads.Load(), err)
	}
}

// An edit while a read is under way: the read's answer is not kept, so the
// next request reads the edited vendor.
func TestReadUnderWayWhenEditedIsNotKept(t *testing.T) {
	var l limiters
	now := time.Now()
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = l.vendor(context.Background(), now, "t1", "v1", func() (VendorSetup, error) {
			close(started)
			<-release
			return VendorSetup{VendorKey: "before"}, nil
		})
	}()
	<-started
	l.forget("t1", "v1")
	close(release)
	<-done
	v, err := l.vendor(context.Background(), now, "t1", "v1", func() (VendorSetup, error) { return VendorSetup{VendorKey: "after"}, nil })
	if err != nil || v.VendorKey != "after" {
		t.Fatalf("vendor = %q, %v; want the edited one", v.VendorKey, err)
	}
}
