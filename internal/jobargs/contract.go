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
