package jobs

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/obs"
)

// observer is the worker middleware every job runs through: log lines of the
// job carry its tenant, kind and id, failures are logged, and outcomes are
// counted in Prometheus.
type observer struct {
	river.MiddlewareDefaults
	log     *slog.Logger
	metrics *obs.Metrics
}

// Work runs the job with correlation ids in its context.
func (o *observer) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	tenant, _ := jobargs.TenantOf(job.EncodedArgs)
	ctx = obs.With(ctx, "tenant_id", tenant, "job_kind", job.Kind, "job_id", strconv.FormatInt(job.ID, 10))
	err := doInner(ctx)
	outcome := "ok"
	if err != nil {
		outcome = "error"
		if job.Attempt >= job.MaxAttempts {
			outcome = "dead_letter"
		}
		if o.log != nil {
			o.log.WarnContext(ctx, "job failed", "attempt", job.Attempt, "max_attempts", job.MaxAttempts, "err", err.Error())
		}
	}
	if o.metrics != nil {
		o.metrics.JobsWorked.WithLabelValues(job.Kind, outcome).Inc()
	}
	return err
}

var _ rivertype.WorkerMiddleware = &observer{}
