package jobs

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"

	"github.com/riverqueue/river/riverdriver"
)

// insertTopic is what River's producers listen for: a job was inserted
// into the queue the payload names, fetch now.
const insertTopic = "river_insert"

// insertPayload is the notification for queue, as River's producers read it.
func insertPayload(queue string) string { return `{"queue":"` + queue + `"}` }

// insertPayloads are the notifications that wake every queue.
var insertPayloads = func() []string {
	p := make([]string, len(Queues))
	for i, q := range Queues {
		p[i] = insertPayload(q)
	}
	return p
}()

// wakeDriver is the SQLite driver with an in-process listener: SQLite has
// no LISTEN, so the store tells the queue after each commit that enqueued
// jobs (Queue.Committed) and the listener hands River an insert
// notification, which makes the workers fetch at once instead of at the
// next poll. Jobs inserted by another process are still found by polling.
type wakeDriver struct {
	riverdriver.Driver[*sql.Tx]
	listener *wakeListener
}

func (d *wakeDriver) SupportsListener() bool { return true }

func (d *wakeDriver) GetListener(*riverdriver.GetListenenerParams) riverdriver.Listener {
	return d.listener
}

// wakeListener delivers in-process insert notifications to River's
// notifier. A wake-up while one is pending is dropped: one fetch serves
// every job committed before it.
type wakeListener struct {
	wake chan struct{}
	// due are the queues still to be told of the last wake-up: one
	// notification names one queue, and a commit may have enqueued into any.
	due []string

	mu        sync.Mutex
	listening bool
}

func newWakeListener() *wakeListener { return &wakeListener{wake: make(chan struct{}, 1)} }

// notify wakes the listener without blocking.
func (l *wakeListener) notify() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *wakeListener) Close(context.Context) error   { return nil }
func (l *wakeListener) Connect(context.Context) error { return nil }
func (l *wakeListener) Ping(context.Context) error    { return nil }
func (l *wakeListener) Schema() string                { return "" }
func (l *wakeListener) SetAfterConnectExec(string)    {}

func (l *wakeListener) Listen(_ context.Context, topic string) error {
	if topic == insertTopic {
		l.mu.Lock()
		l.listening = true
		l.mu.Unlock()
	}
	return nil
}

func (l *wakeListener) Unlisten(_ context.Context, topic string) error {
	if topic == insertTopic {
		l.mu.Lock()
		l.listening = false
		l.mu.Unlock()
	}
	return nil
}

// WaitForNotification blocks until a commit enqueued jobs or ctx ends.
func (l *wakeListener) WaitForNotification(ctx context.Context) (*riverdriver.Notification, error) {
	for {
		l.mu.Lock()
		if l.listening && len(l.due) > 0 {
			q := l.due[0]
			l.due = l.due[1:]
			l.mu.Unlock()
			return &riverdriver.Notification{Topic: insertTopic, Payload: insertPayload(q)}, nil
		}
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-l.wake:
			l.mu.Lock()
			if l.listening {
				l.due = append(l.due[:0], Queues...)
			}
			l.mu.Unlock()
		}
	}
}

// commitNotifier sends the PostgreSQL insert notification after commits
// that enqueued jobs. One goroutine sends; commits while a send is under
// way ask for one more, so every commit is followed by a notification that
// left after it, and a burst costs about one notification per round trip.
type commitNotifier struct {
	pending chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
}

func startCommitNotifier(send func(context.Context) error, log *slog.Logger) *commitNotifier {
	ctx, stop := context.WithCancel(context.Background())
	n := &commitNotifier{pending: make(chan struct{}, 1), stop: stop, done: make(chan struct{})}
	go func() {
		defer close(n.done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-n.pending:
			}
			if err := send(ctx); err != nil && ctx.Err() == nil && log != nil {
				// Workers still find the jobs at their next poll.
				log.Warn("job queue: notify after commit", "err", err)
			}
		}
	}()
	return n
}

// committed asks for a notification without blocking the committer.
func (n *commitNotifier) committed() {
	select {
	case n.pending <- struct{}{}:
	default:
	}
}

// close stops the sender after the send under way, if any.
func (n *commitNotifier) close() {
	n.stop()
	<-n.done
}
