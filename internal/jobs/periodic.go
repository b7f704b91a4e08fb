package jobs

import (
	"time"

	"github.com/riverqueue/river"
)

// Periodic builds a job that runs every interval (at least a second), once
// per cluster. River enqueues periodic jobs on the elected leader only; on top
// of that each run is unique within its interval-long time slot (River's
// UniqueOpts.ByPeriod, keyed on the run's scheduled time), so when leadership
// moves and the old and new leader both enqueue around the hand-over, the
// database still refuses a second job for the same slot. RunOnStart runs it as
// soon as a leader starts, unless the current slot already has its run.
func Periodic(id string, interval time.Duration, args func() river.JobArgs) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return args(), &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: interval}}
		},
		&river.PeriodicJobOpts{ID: id, RunOnStart: true})
}
