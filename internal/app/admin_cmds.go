package app

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// MigrateCmd applies migrations.
type MigrateCmd struct{}

// Run migrates (opening the store migrates) and reports the version.
func (MigrateCmd) Run(ctx context.Context, g *Globals) error {
	e, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer e.close()
	fmt.Fprintf(g.stdout, "database is up to date (%s)\n", e.db.Dialect)
	return nil
}

// TenantCmd groups tenant commands.
type TenantCmd struct {
	Create TenantCreateCmd `cmd:"" help:"Create a tenant with its first admin; prints the admin's one-time password."`
}

// TenantCreateCmd creates a tenant.
type TenantCreateCmd struct {
	Slug       string `arg:"" help:"Short name used at sign-in, e.g. acme."`
	Name       string `help:"Display name (default: the slug)."`
	AdminEmail string `name:"admin-email" required:"" help:"Email of the tenant's first admin."`
}

// Run creates the tenant.
func (c TenantCreateCmd) Run(ctx context.Context, g *Globals) error {
	e, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer e.close()
	name := c.Name
	if name == "" {
		name = c.Slug
	}
	b, err := e.auth.CreateTenant(ctx, c.Slug, name, c.AdminEmail)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "tenant %s created\nadmin: %s\none-time password: %s\n", b.Tenant.Slug, b.Admin.Email, b.Password)
	return nil
}

// UserCmd groups user commands.
type UserCmd struct {
	Create UserCreateCmd `cmd:"" help:"Create a user with a password (read from stdin, or generated and printed)."`
}

// UserCreateCmd creates a user.
type UserCreateCmd struct {
	Email         string `arg:"" help:"Email address (the sign-in name)."`
	Tenant        string `default:"default" help:"Tenant slug."`
	Role          string `default:"viewer" enum:"admin,change_manager,procurement_analyst,owner,viewer" help:"Role (${enum})."`
	Name          string `help:"Display name."`
	PasswordStdin bool   `name:"password-stdin" help:"Read the password from standard input instead of generating one."`
}

// Run creates the user.
func (c UserCreateCmd) Run(ctx context.Context, g *Globals, stdin stdinReader) error {
	e, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer e.close()
	t, err := e.tenant(ctx, c.Tenant)
	if err != nil {
		return err
	}
	password := ""
	if c.PasswordStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	u, generated, err := e.auth.CreateUser(ctx, auth.System(t.ID), auth.NewUser{
		Email: c.Email, Name: c.Name, Role: auth.Role(c.Role), Password: password, GeneratePassword: password == "",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "user %s created in %s with role %s\n", u.Email, t.Slug, u.Role)
	if generated != "" {
		fmt.Fprintf(g.stdout, "one-time password: %s\n", generated)
	}
	return nil
}

// APIKeyCmd groups API key commands.
type APIKeyCmd struct {
	Create APIKeyCreateCmd `cmd:"" help:"Create an API key; the key is printed once."`
}

// APIKeyCreateCmd creates an API key.
type APIKeyCreateCmd struct {
	Name    string        `arg:"" help:"What the key is for, e.g. ci-pipeline."`
	Tenant  string        `default:"default" help:"Tenant slug."`
	Role    string        `default:"viewer" enum:"admin,change_manager,procurement_analyst,owner,viewer" help:"Role the key acts with (${enum})."`
	Expires time.Duration `help:"Expire after this long (e.g. 720h); default never."`
	Teams   []string      `name:"team" help:"Team (by name) an owner key works for; repeat for several."`
}

// Run creates the key.
func (c APIKeyCreateCmd) Run(ctx context.Context, g *Globals) error {
	e, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer e.close()
	t, err := e.tenant(ctx, c.Tenant)
	if err != nil {
		return err
	}
	var exp *time.Time
	if c.Expires > 0 {
		x := time.Now().UTC().Add(c.Expires)
		exp = &x
	}
	teamIDs, err := e.teamIDs(ctx, t.ID, c.Teams)
	if err != nil {
		return err
	}
	k, full, err := e.auth.CreateAPIKey(ctx, auth.System(t.ID), c.Name, auth.Role(c.Role), exp, teamIDs...)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "API key %q (%s) created in %s.\nStore it now; it is not shown again:\n%s\n", k.Name, k.Role, t.Slug, full)
	return nil
}

// AuditCmd groups audit commands.
type AuditCmd struct {
	Verify AuditVerifyCmd `cmd:"" help:"Verify the audit hash chain; exits non-zero at the first broken row."`
}

// AuditVerifyCmd verifies the chain.
type AuditVerifyCmd struct {
	Tenant string `help:"Only this tenant (default: all)."`
}

// Run verifies each tenant's chain.
func (c AuditVerifyCmd) Run(ctx context.Context, g *Globals) error {
	e, blobs, done, err := g.openWithBlobs(ctx)
	if err != nil {
		return err
	}
	defer done()
	tenants, err := e.db.ListTenants(ctx)
	if err != nil {
		return err
	}
	broken := 0
	for _, t := range tenants {
		if c.Tenant != "" && t.Slug != c.Tenant {
			continue
		}
		cps, forged, err := audit.Checkpoints(ctx, blobs, t.ID, e.db.AuditKey)
		if err != nil {
			return err
		}
		res, err := audit.VerifyAgainst(ctx, e.db, t.ID, e.db.AuditKey, cps)
		if err != nil {
			return err
		}
		for _, name := range forged {
			broken++
			fmt.Fprintf(g.stdout, "%s: FORGED checkpoint %s (its signature does not verify)\n", t.Slug, name)
		}
		if res.OK {
			fmt.Fprintf(g.stdout, "%s: OK (%d rows, %d checkpoints)\n", t.Slug, res.Checked, len(cps))
			continue
		}
		broken++
		fmt.Fprintf(g.stdout, "%s: BROKEN at row %d: %s\n", t.Slug, res.BrokenSeq, res.Reason)
	}
	if broken > 0 {
		return fmt.Errorf("audit chain broken in %d tenant(s)", broken)
	}
	return nil
}

// teamIDs resolves team names of a tenant to ids.
func (e *env) teamIDs(ctx context.Context, tenantID string, names []string) ([]string, error) {
	var ids []string
	for _, name := range names {
		teams, _, err := e.auth.ListTeams(ctx, auth.System(tenantID), auth.TeamFilter{Query: name, Limit: 500})
		if err != nil {
			return nil, err
		}
		found := ""
		for _, t := range teams {
			if strings.EqualFold(t.Name, name) {
				found = t.ID
			}
		}
		if found == "" {
			return nil, fmt.Errorf("no team named %q", name)
		}
		ids = append(ids, found)
	}
	return ids, nil
}
