package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// TenantArgs is embedded in every job's args. It puts "tenant_id" at the top
// of the stored JSON, so a tenant's dead letters can be listed and a job id
// from another tenant answers not found. Jobs that serve every tenant (such
// as maintenance) carry SystemTenant.
type TenantArgs struct {
	TenantID string `json:"tenant_id"`
}

// SystemTenant is the tenant_id of jobs that belong to no tenant. No tenant's
// dead-letter list shows them; operators see them in the logs.
const SystemTenant = ""

// ForTenant returns the embedded args for a job of tenant id.
func ForTenant(id string) TenantArgs { return TenantArgs{TenantID: id} }

// Tenant reports which tenant the job works for.
func (a TenantArgs) Tenant() string { return a.TenantID }

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

// requireTenant refuses to insert a job whose args carry no tenant_id, so
// the convention cannot be forgotten by a new job kind.
var requireTenant = river.JobInsertMiddlewareFunc(func(ctx context.Context, many []*rivertype.JobInsertParams,
	doInner func(context.Context) ([]*rivertype.JobInsertResult, error),
) ([]*rivertype.JobInsertResult, error) {
	for _, p := range many {
		if _, ok := TenantOf(p.EncodedArgs); !ok {
			return nil, fmt.Errorf("insert job %s: args carry no tenant_id (embed jobs.TenantArgs)", p.Kind)
		}
	}
	return doInner(ctx)
})
