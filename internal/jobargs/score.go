package jobargs

import "time"

// ScoreSignal is the seam through which every module's facts about a
// vendor become score signals: a module's consequence returns one per fact
// (a ticket breached, a price mismatch, a quarantined event), enqueued in
// the transaction of the change that established it, and the score worker
// submits it as an ordinary signal under its source.
type ScoreSignal struct {
	Tenant
	Signal SignalFact `json:"signal"`
}

// Kind names the job.
func (ScoreSignal) Kind() string { return "score.signal" }

// SignalFact is one fact about a vendor, as plain data.
type SignalFact struct {
	// EventID is unique per fact ("ticket:<id>:deadline"): a retried
	// change submits it again and it counts once.
	EventID string `json:"event_id"`
	// Source is the module: "changes", "trackers", "ingest", "contracts".
	Source string `json:"source"`
	// VendorID names the vendor; Domain does when the module knows only
	// an email domain.
	VendorID   string    `json:"vendor_id,omitempty"`
	Domain     string    `json:"domain,omitempty"`
	Code       string    `json:"code"`
	Value      float64   `json:"value"`
	ObservedAt time.Time `json:"observed_at"`
	Note       string    `json:"note,omitempty"`
}

// Signal returns the job that submits fact f of tenant tenantID.
func Signal(tenantID string, f SignalFact) ScoreSignal {
	return ScoreSignal{Tenant: For(tenantID), Signal: f}
}

// ScoreRescore rescores one vendor after its signals changed; one per
// vendor waits or runs at a time.
type ScoreRescore struct {
	Tenant
	VendorID string `json:"vendor_id"`
}

// Kind names the job.
func (ScoreRescore) Kind() string { return "score.rescore" }

// OnePerArgs: one rescore per vendor at a time.
func (ScoreRescore) OnePerArgs() {}

// ScoreRescoreTenant rescores every vendor of a tenant (a new rule).
type ScoreRescoreTenant struct {
	Tenant
}

// Kind names the job.
func (ScoreRescoreTenant) Kind() string { return "score.rescore_tenant" }

// OnePerArgs: one full rescore per tenant at a time.
func (ScoreRescoreTenant) OnePerArgs() {}

// ScoreRescoreAll is the daily full rescore of every tenant.
type ScoreRescoreAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (ScoreRescoreAll) Kind() string { return "score.rescore_all" }

// SignalPartitions creates the signal table's monthly partitions ahead
// (PostgreSQL; nothing on SQLite).
type SignalPartitions struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (SignalPartitions) Kind() string { return "score.signal_partitions" }

// ScoreMonthlySummaries renders each tenant's monthly summary once its
// month is over.
type ScoreMonthlySummaries struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (ScoreMonthlySummaries) Kind() string { return "score.monthly_summaries" }
