package jobargs

// ERPSyncItems reads one ERP connector's item catalog into the item store:
// everything when Full or before the first full sync, otherwise what
// changed since the last one. One per connector waits or runs at a time.
type ERPSyncItems struct {
	Tenant
	ConnectorID string `json:"connector_id"`
	Full        bool   `json:"full,omitempty"`
}

// Kind names the job as the seed does (sync_p21_items), in the queue's
// area.verb form.
func (ERPSyncItems) Kind() string { return "erp.sync_p21_items" }

// OnePerArgs: one sync per connector (and fullness) at a time.
func (ERPSyncItems) OnePerArgs() {}

// Sync is the sync asked for, whichever kind it was queued under.
func (a ERPSyncItems) Sync() ERPSyncItems { return a }

// ERPSyncItemsOldKind is a sync queued under the job's former kind,
// erp.sync_items: rows of that kind may still wait in the queue after an
// upgrade, so a worker for it runs them as ERPSyncItems. Nothing queues
// it any more.
type ERPSyncItemsOldKind struct {
	ERPSyncItems
}

// Kind is the former kind.
func (ERPSyncItemsOldKind) Kind() string { return "erp.sync_items" }

// ERPSyncAll is the nightly round that queues a sync of every active
// connector of every tenant.
type ERPSyncAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (ERPSyncAll) Kind() string { return "erp.sync_all" }
