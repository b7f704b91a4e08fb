package jobargs

// ContractImport imports a vendor price file whose column mapping was
// confirmed into its contract and lines.
type ContractImport struct {
	Tenant
	FileID string `json:"file_id"`
}

// Kind names the job.
func (ContractImport) Kind() string { return "contract.import_file" }

// OnePerArgs: one import of a file at a time.
func (ContractImport) OnePerArgs() {}

// ContractReconcile runs one queued reconciliation run of a contract.
type ContractReconcile struct {
	Tenant
	RunID string `json:"run_id"`
}

// Kind names the job.
func (ContractReconcile) Kind() string { return "contract.reconcile" }

// OnePerArgs: a run is executed once at a time.
func (ContractReconcile) OnePerArgs() {}

// ContractReconcileAll is the scheduled round that queues a run of every
// active contract of every tenant.
type ContractReconcileAll struct {
	Tenant // SystemTenant
}

// Kind names the job.
func (ContractReconcileAll) Kind() string { return "contract.reconcile_all" }

// ContractReconcileImported queues the reconciliation run that follows a
// contract's import.
type ContractReconcileImported struct {
	Tenant
	ContractID string `json:"contract_id"`
}

// Kind names the job.
func (ContractReconcileImported) Kind() string { return "contract.reconcile_imported" }

// OnePerArgs: an import queues one run.
func (ContractReconcileImported) OnePerArgs() {}
