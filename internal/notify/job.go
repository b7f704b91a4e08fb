package notify

import "github.com/vendorsync/vendorsync/internal/jobargs"

// PlanJob plans the deliveries of one notification event (a new ticket, a
// breach, a vendor email threaded onto a ticket, an unknown-vendor email, a
// provisioned user, a tracker alert) into the notification log. It is
// enqueued in the transaction of what caused the event; planning is keyed
// by the log's dedup keys, so a retry after a crash adds nothing twice. Its
// args carry notify's own data, so they are declared here rather than in
// package jobargs — still plain data, with no queue behind them.
type PlanJob struct {
	jobargs.Tenant
	Event Event `json:"event"`
	// Snapshot is frozen by the cause for events that are not about a
	// ticket, and for a thread update's email; tickets are snapshotted
	// when planned.
	Snapshot *Snapshot `json:"snapshot,omitempty"`
}

// Kind names the job.
func (PlanJob) Kind() string { return "notify.plan" }
