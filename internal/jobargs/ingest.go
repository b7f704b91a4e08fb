package jobargs

// IngestArchive writes a tenant's accepted events' raw bytes to the blob
// store, write-once; one per tenant waits or runs at a time, and it works
// until none is left.
type IngestArchive struct {
	Tenant
}

// Kind names the job.
func (IngestArchive) Kind() string { return "ingest.archive" }

// OnePerArgs: one archiver per tenant at a time.
func (IngestArchive) OnePerArgs() {}

// IngestArchiveAll is the periodic sweep that archives what no job took
// (an event committed while its tenant's archiver was finishing, or within
// a second of the last enqueue).
type IngestArchiveAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (IngestArchiveAll) Kind() string { return "ingest.archive_all" }

// IngestNormalize validates, maps and stores a tenant's RECEIVED events as
// canonical events (or quarantines them); one per tenant waits or runs at
// a time, and it works until none is left.
type IngestNormalize struct {
	Tenant
}

// Kind names the job.
func (IngestNormalize) Kind() string { return "ingest.normalize" }

// OnePerArgs: one normalizer per tenant at a time.
func (IngestNormalize) OnePerArgs() {}

// IngestNormalizeAll is the periodic sweep that normalizes what no job
// took.
type IngestNormalizeAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (IngestNormalizeAll) Kind() string { return "ingest.normalize_all" }

// IngestDeliver sends a tenant's due deliveries to its subscriptions; one
// per tenant waits or runs at a time, and it works until none is due.
type IngestDeliver struct {
	Tenant
}

// Kind names the job.
func (IngestDeliver) Kind() string { return "ingest.deliver" }

// OnePerArgs: one sender per tenant at a time.
func (IngestDeliver) OnePerArgs() {}

// IngestDeliverAll is the periodic sweep that sends deliveries whose
// retry came due.
type IngestDeliverAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (IngestDeliverAll) Kind() string { return "ingest.deliver_all" }

// IngestReplay works a background replay (ingest_replays) page by page to
// its end; one per replay waits or runs at a time.
type IngestReplay struct {
	Tenant
	ReplayID string `json:"replay_id"`
}

// Kind names the job.
func (IngestReplay) Kind() string { return "ingest.replay" }

// OnePerArgs: one job per replay.
func (IngestReplay) OnePerArgs() {}
