package jobargs

// EmailProcess threads or triages one received email.
type EmailProcess struct {
	Tenant
	EmailID string `json:"email_id"`
}

// Kind names the job.
func (EmailProcess) Kind() string { return "email.process" }

// MailPoll polls one mailbox; one per mailbox waits or runs at a time, so
// a slow mailbox never piles up polls behind it.
type MailPoll struct {
	Tenant
	MailboxID string `json:"mailbox_id"`
}

// Kind names the job.
func (MailPoll) Kind() string { return "mail.poll" }

// OnePerArgs: one poll per mailbox at a time.
func (MailPoll) OnePerArgs() {}

// MailPollAll enqueues a poll of every active mailbox of every tenant.
type MailPollAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (MailPollAll) Kind() string { return "mail.poll_all" }

// SessionCleanup removes expired web sessions of every tenant.
type SessionCleanup struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (SessionCleanup) Kind() string { return "maintenance.session_cleanup" }

// AuditCheckpoint writes a signed checkpoint of every tenant's audit chain
// to the blob store.
type AuditCheckpoint struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (AuditCheckpoint) Kind() string { return "maintenance.audit_checkpoint" }

// Reconcile re-enqueues work of every tenant that no live job will finish
// (emails left received, notifications left queued).
type Reconcile struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (Reconcile) Kind() string { return "maintenance.reconcile" }

// DeadlineMonitor runs the ticket deadline monitor over every tenant.
type DeadlineMonitor struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (DeadlineMonitor) Kind() string { return "tickets.deadline_monitor" }

// NotifyDeliver makes one attempt at one logged notification. (Planning a
// notification event carries the event's frozen snapshot, notify's own
// data, so its args are notify.PlanJob, beside that type.)
type NotifyDeliver struct {
	Tenant
	NotificationID string `json:"notification_id"`
}

// Kind names the job.
func (NotifyDeliver) Kind() string { return "notify.deliver" }
