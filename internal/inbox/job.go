package inbox

// ProcessKind is the job kind that processes one received email.
const ProcessKind = "email.process"

// ProcessArgs are the args of the email.process job. TenantID is encoded
// exactly as jobs.TenantArgs encodes it ("tenant_id" first), which the queue
// requires of every job and its dead-letter list reads. Package inbox cannot
// embed jobs.TenantArgs itself: jobs depends on the store, which depends on
// this package.
type ProcessArgs struct {
	TenantID string `json:"tenant_id"`
	EmailID  string `json:"email_id"`
}

// Kind names the job for the queue.
func (ProcessArgs) Kind() string { return ProcessKind }

// Tenant reports which tenant the job works for.
func (a ProcessArgs) Tenant() string { return a.TenantID }
