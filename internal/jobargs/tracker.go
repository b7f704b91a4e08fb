package jobargs

// TrackerCreate creates the tracker issue of one (ticket, application);
// one per link waits or runs at a time.
type TrackerCreate struct {
	Tenant
	TicketID      string `json:"ticket_id"`
	ApplicationID string `json:"application_id"`
	// Cause, when set, says what asked for this attempt beyond the ticket
	// itself (a connection saved at a given time). Jobs are one per args,
	// so a new cause is never dropped as the duplicate of an attempt
	// running on older facts; the link's lease still keeps attempts apart.
	Cause string `json:"cause,omitempty"`
}

// Kind names the job.
func (TrackerCreate) Kind() string { return "tracker.create_issue" }

// OnePerArgs: one attempt per link at a time.
func (TrackerCreate) OnePerArgs() {}

// TrackerSync syncs the status of one tenant's tracker issues; one per
// tenant waits or runs at a time.
type TrackerSync struct {
	Tenant
}

// Kind names the job.
func (TrackerSync) Kind() string { return "tracker.sync" }

// OnePerArgs: one sync per tenant at a time.
func (TrackerSync) OnePerArgs() {}

// TrackerSyncAll enqueues a sync of every tenant with an enabled
// connection.
type TrackerSyncAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (TrackerSyncAll) Kind() string { return "tracker.sync_all" }

// TrackerRetry re-enqueues the creation of orphaned and stale pending
// links of every tenant.
type TrackerRetry struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (TrackerRetry) Kind() string { return "tracker.retry_orphans" }

// TrackerWebhook processes recorded webhook deliveries, in order: each
// linked issue's state is read from its delivery and drives the ticket.
// The deliveries that arrived together are one job (a redelivery asked
// for from the log is a job of its own).
type TrackerWebhook struct {
	Tenant
	// DeliveryID is a delivery's row id (not the tracker's delivery id).
	DeliveryID string `json:"delivery_id,omitempty"`
	// DeliveryIDs are the row ids of deliveries committed together, after
	// DeliveryID when both are set.
	DeliveryIDs []string `json:"delivery_ids,omitempty"`
}

// IDs are the row ids of the job's deliveries, in order.
func (w TrackerWebhook) IDs() []string {
	if w.DeliveryID == "" {
		return w.DeliveryIDs
	}
	return append([]string{w.DeliveryID}, w.DeliveryIDs...)
}

// Kind names the job.
func (TrackerWebhook) Kind() string { return "tracker.webhook" }

// OnePerArgs: a redelivery asked for while one waits is the same work.
func (TrackerWebhook) OnePerArgs() {}

// TrackerPoll reconciles one tracker connection by listing the issues
// changed since its cursor; one per connection waits or runs at a time.
type TrackerPoll struct {
	Tenant
	ConnectionID string `json:"connection_id"`
}

// Kind names the job.
func (TrackerPoll) Kind() string { return "tracker.poll" }

// OnePerArgs: one poll per connection at a time.
func (TrackerPoll) OnePerArgs() {}

// TrackerPollAll enqueues a poll of every enabled connection.
type TrackerPollAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (TrackerPollAll) Kind() string { return "tracker.poll_all" }

// TrackerPush pushes a linked issue's queued outbox changes to its
// tracker; one per link waits or runs at a time.
type TrackerPush struct {
	Tenant
	LinkID string `json:"link_id"`
}

// Kind names the job.
func (TrackerPush) Kind() string { return "tracker.push" }

// OnePerArgs: one push per link at a time.
func (TrackerPush) OnePerArgs() {}

// TrackerPushDue enqueues a push of every link whose outbox has a change
// due (a retry whose backoff ran out, or one whose job was lost).
type TrackerPushDue struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (TrackerPushDue) Kind() string { return "tracker.push_due" }

// TrackerCloseIssues closes a closed ticket's linked issues at trackers
// whose connection says so.
type TrackerCloseIssues struct {
	Tenant
	TicketID string `json:"ticket_id"`
}

// Kind names the job.
func (TrackerCloseIssues) Kind() string { return "tracker.close_issues" }

// TrackerDueDates gives a ticket's linked issues the ticket's due date
// after its effective date moved.
type TrackerDueDates struct {
	Tenant
	TicketID string `json:"ticket_id"`
}

// Kind names the job.
func (TrackerDueDates) Kind() string { return "tracker.due_dates" }
