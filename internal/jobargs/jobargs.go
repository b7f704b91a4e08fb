// Package jobargs names the jobs VendorSync runs: their arguments as plain
// data, with no queue behind them. Domains import it to say which jobs a
// change causes; internal/jobs runs them on River, and internal/app's table
// of consequences declares which domain events cause which. It imports
// nothing of the product, so any package may depend on it.
//
// Every job's JSON carries "tenant_id" (embed Tenant): the queue refuses a
// job without it, and a tenant's administrators see and retry only their own
// dead letters.
package jobargs

import "encoding/json"

// Args is a job's arguments; River's JobArgs is the same interface.
type Args interface {
	// Kind names the job, "tracker.create_issue"; workers are chosen by it.
	Kind() string
}

// OnePerArgs marks jobs of which at most one with the same arguments may
// wait or run at a time: a second insert while one does is dropped, so a
// retry, a periodic round and a button press never stack attempts.
type OnePerArgs interface {
	Args
	OnePerArgs()
}

// Tenant is embedded in every job's args, first, so "tenant_id" leads the
// stored JSON. Jobs that serve every tenant carry SystemTenant.
type Tenant struct {
	TenantID string `json:"tenant_id"`
}

// SystemTenant is the tenant_id of jobs that belong to no tenant. No
// tenant's dead-letter list shows them; operators see them in the logs.
const SystemTenant = ""

// For returns the embedded args of a job of tenant id.
func For(id string) Tenant { return Tenant{TenantID: id} }

// TenantOf reads tenant_id from a job's encoded args; ok is false when the
// args do not carry one.
func TenantOf(encodedArgs []byte) (tenantID string, ok bool) {
	var probe struct {
		TenantID *string `json:"tenant_id"`
	}
	if err := json.Unmarshal(encodedArgs, &probe); err != nil || probe.TenantID == nil {
		return "", false
	}
	return *probe.TenantID, true
}
