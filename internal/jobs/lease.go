package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// Lease timing. A working process renews its lease every leaseRenew, so a
// lease that was not renewed for leaseTTL belongs to a process that is
// gone; the survivors look for its jobs every rescueEvery. A job of a
// killed process is back in the queue about leaseTTL+rescueEvery after the
// kill, whatever the job's own timeout.
const (
	leaseTTL    = 20 * time.Second
	leaseRenew  = 4 * time.Second
	rescueEvery = 5 * time.Second
)

// LeaseStore keeps the leases of the processes working jobs.
type LeaseStore interface {
	RenewWorkerLease(ctx context.Context, clientID string, ttl time.Duration) error
	ReleaseWorkerLease(ctx context.Context, clientID string) error
	RescueOrphanedJobs(ctx context.Context, self string) (sqlstore.RescuedJobs, error)
}

// leaser holds this process's lease and rescues the jobs of processes
// whose lease ended.
type leaser struct {
	store  LeaseStore
	id     string
	log    *slog.Logger
	wake   func() // tells this process's workers about rescued jobs
	cancel context.CancelFunc
	done   chan struct{}
}

// start takes the lease, rescues what dead processes left, and keeps both
// going until stop.
func (l *leaser) start(ctx context.Context) error {
	if err := l.store.RenewWorkerLease(ctx, l.id, leaseTTL); err != nil {
		return err
	}
	l.rescue(ctx)
	ctx, l.cancel = context.WithCancel(context.WithoutCancel(ctx))
	l.done = make(chan struct{})
	go l.run(ctx)
	return nil
}

func (l *leaser) run(ctx context.Context) {
	defer close(l.done)
	renew, rescue := time.NewTicker(leaseRenew), time.NewTicker(rescueEvery)
	defer renew.Stop()
	defer rescue.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-renew.C:
			if err := l.store.RenewWorkerLease(ctx, l.id, leaseTTL); err != nil && ctx.Err() == nil {
				l.logger().WarnContext(ctx, "cannot renew the job lease", "client", l.id, "error", err)
			}
		case <-rescue.C:
			l.rescue(ctx)
		}
	}
}

func (l *leaser) rescue(ctx context.Context) {
	n, err := l.store.RescueOrphanedJobs(ctx, l.id)
	switch {
	case err != nil && ctx.Err() == nil:
		l.logger().WarnContext(ctx, "cannot rescue the jobs of stopped processes", "error", err)
	case n.Total() > 0:
		l.logger().WarnContext(ctx, "jobs of a stopped process rescued",
			"retried", n.Retried, "discarded", n.Discarded, "cancelled", n.Cancelled)
		if l.wake != nil {
			l.wake()
		}
	}
}

// stop ends the loop and the lease, so that anything this process leaves
// running is rescued by the next process that looks.
func (l *leaser) stop(ctx context.Context) {
	if l.cancel == nil {
		return
	}
	l.cancel()
	<-l.done
	if err := l.store.ReleaseWorkerLease(context.WithoutCancel(ctx), l.id); err != nil {
		l.logger().WarnContext(ctx, "cannot release the job lease", "client", l.id, "error", err)
	}
}

func (l *leaser) logger() *slog.Logger {
	if l.log != nil {
		return l.log
	}
	return slog.Default()
}
