package jobargs

// ERPSyncItems reads one ERP connector's item catalog into the item store:
// everything when Full or before the first full sync, otherwise what
// changed since the last one. One per connector waits or runs at a time.
type ERPSyncItems struct {
	Tenant
	ConnectorID string `json:"connector_id"`
	Full        bool   `json:"full,omitempty"`
}

// Kind names the job.
func (ERPSyncItems) Kind() string { return "erp.sync_items" }

// OnePerArgs: one sync per connector (and fullness) at a time.
func (ERPSyncItems) OnePerArgs() {}

// ERPSyncAll is the nightly round that queues a sync of every active
// connector of every tenant.
type ERPSyncAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (ERPSyncAll) Kind() string { return "erp.sync_all" }
