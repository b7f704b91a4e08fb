package sqlstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/secret"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// kindMigration is the migration that gave tracker connections a kind.
const kindMigration = 7

// bind numbers the ? placeholders of q for PostgreSQL.
func bind(d sqlstore.Dialect, q string) string {
	if d != sqlstore.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestJiraConnectionsSurviveTheKindMigration: the Jira connections saved
// before connections had a kind keep their rows, settings, state and
// tokens: the flavor becomes the kind and the email the username. The
// migration also runs back down to the old shape.
func TestJiraConnectionsSurviveTheKindMigration(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, storetest.URL(t, d), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Keys = secret.NewForTest()
			if err := db.MigrateSchemaTo(ctx, kindMigration-1); err != nil {
				t.Fatal(err)
			}
			authn := &auth.Service{Store: db, Keys: db.Keys}
			saved := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
			old := []struct{ slug, flavor, email, reason string }{
				{"cloudco", "cloud", "bot@cloudco.example", ""},
				{"serverco", "server", "", "Jira rejected the credentials (HTTP 401)"},
			}
			tenants := map[string]string{}
			for _, o := range old {
				b, err := authn.CreateTenant(ctx, o.slug, o.slug, "admin@"+o.slug+".example")
				if err != nil {
					t.Fatal(err)
				}
				tenants[o.slug] = b.Tenant.ID
				if _, err := db.WritePool().ExecContext(ctx, bind(d, `INSERT INTO tracker_connections (tenant_id, provider,
					base_url, flavor, email, enabled, disabled_reason, created_at, updated_at, updated_by)
					VALUES (?, 'jira', ?, ?, ?, ?, ?, ?, ?, 'admin')`), b.Tenant.ID, "https://"+o.slug+".example",
					o.flavor, o.email, o.reason == "", o.reason, saved, saved); err != nil {
					t.Fatal(err)
				}
				ev := audit.Record(auth.System(b.Tenant.ID), "secret.set", "secret", link.TokenSecret("jira"), nil, nil)
				if err := db.SetSecret(ctx, b.Tenant.ID, link.TokenSecret("jira"), []byte(o.slug+"-token"), ev); err != nil {
					t.Fatal(err)
				}
			}
			check := func(when string) {
				t.Helper()
				for _, o := range old {
					c, err := db.TrackerConnection(ctx, tenants[o.slug])
					if err != nil {
						t.Fatalf("%s: %s: %v", when, o.slug, err)
					}
					want := link.Connection{TenantID: tenants[o.slug], Configured: true, Kind: tracker.Kind("jira_" + o.flavor),
						Provider: "jira", BaseURL: "https://" + o.slug + ".example", Username: o.email,
						ConnectionState: link.ConnectionState{Enabled: o.reason == "", DisabledReason: o.reason, TokenSet: true,
							CreatedAt: saved, UpdatedAt: saved, UpdatedBy: "admin"}}
					if c != want {
						t.Errorf("%s: %s connection\n got %+v\nwant %+v", when, o.slug, c, want)
					}
					token, err := db.TrackerToken(ctx, tenants[o.slug], c.Provider)
					if err != nil || string(token) != o.slug+"-token" {
						t.Errorf("%s: %s token %q, %v", when, o.slug, token, err)
					}
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			check("after the migration")

			if err := db.MigrateSchemaTo(ctx, kindMigration-1); err != nil {
				t.Fatal(err)
			}
			for _, o := range old {
				var flavor, email string
				if err := db.WritePool().QueryRowContext(ctx, bind(d, `SELECT flavor, email FROM tracker_connections
					WHERE tenant_id = ?`), tenants[o.slug]).Scan(&flavor, &email); err != nil {
					t.Fatal(err)
				}
				if flavor != o.flavor || email != o.email {
					t.Errorf("after going back: %s has flavor %q, email %q", o.slug, flavor, email)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			check("after migrating again")
		})
	}
}
