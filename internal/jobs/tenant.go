package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// requireTenant refuses to insert a job whose args carry no tenant_id, so
// the convention cannot be forgotten by a new job kind.
var requireTenant = river.JobInsertMiddlewareFunc(func(ctx context.Context, many []*rivertype.JobInsertParams,
	doInner func(context.Context) ([]*rivertype.JobInsertResult, error),
) ([]*rivertype.JobInsertResult, error) {
	for _, p := range many {
		if _, ok := jobargs.TenantOf(p.EncodedArgs); !ok {
			return nil, fmt.Errorf("insert job %s: args carry no tenant_id (embed jobargs.Tenant)", p.Kind)
		}
		p.Queue = queueOf(p.Kind, p.Queue)
	}
	return doInner(ctx)
})

// whileWaiting keeps one job per args while one waits or runs.
var whileWaiting = river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}}}

// insertOpts are the queue options a job's args ask for.
func insertOpts(job jobargs.Args) *river.InsertOpts {
	if _, ok := job.(jobargs.OnePerArgs); ok {
		opts := whileWaiting
		return &opts
	}
	return nil
}

// QueueTrackers holds the jobs that talk to issue trackers. A tracker paces
// its callers (a forge client sends 5 requests a second by default, a
// tracker may answer 429 for minutes), so its jobs can wait long on the
// tracker; in a queue of their own they never hold every worker while the
// emails behind them wait to be triaged.
const QueueTrackers = "trackers"

// Queues are the queues this product's workers work, each woken after a
// commit that may have enqueued into it.
var Queues = []string{river.QueueDefault, QueueTrackers}

// queueOf is the queue a job of kind goes to: tracker jobs to theirs,
// every other job where it was asked to go.
func queueOf(kind, asked string) string {
	if strings.HasPrefix(kind, "tracker.") && (asked == "" || asked == river.QueueDefault) {
		return QueueTrackers
	}
	return asked
}
