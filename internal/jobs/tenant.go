package jobs

import (
	"context"
	"fmt"

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
