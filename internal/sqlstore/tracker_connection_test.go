package sqlstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

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

// openAt opens a new database of dialect d migrated up to version.
func openAt(t *testing.T, d sqlstore.Dialect, version int64) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, storetest.URL(t, d), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Keys = secret.NewForTest()
	if err := db.MigrateSchemaTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	return db
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
			db := openAt(t, d, kindMigration-1)
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
					c, err := db.TrackerConnection(ctx, tenants[o.slug], "")
					if err != nil {
						t.Fatalf("%s: %s: %v", when, o.slug, err)
					}
					name := map[string]string{"cloud": "Jira Cloud", "server": "Jira Server"}[o.flavor]
					if _, err := uuid.Parse(c.ID); err != nil {
						t.Errorf("%s: %s connection id %q: %v", when, o.slug, c.ID, err)
					}
					want := link.Connection{TenantID: tenants[o.slug], ID: c.ID, Name: name, TokenSecret: "jira.token",
						Configured: true, Kind: tracker.Kind("jira_" + o.flavor),
						Provider: "jira", BaseURL: "https://" + o.slug + ".example", Username: o.email,
						ConnectionState: link.ConnectionState{Enabled: o.reason == "", DisabledReason: o.reason, TokenSet: true,
							CreatedAt: saved, UpdatedAt: saved, UpdatedBy: "admin"}}
					if c != want {
						t.Errorf("%s: %s connection\n got %+v\nwant %+v", when, o.slug, c, want)
					}
					token, err := db.TrackerToken(ctx, tenants[o.slug], c.ID)
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

// syncMigration is the migration that gave a tenant several connections.
const syncMigration = 20

// TestOneConnectionBecomesTheFirstOfSeveral: a tenant's connection saved
// before a tenant could have several keeps its settings and token, gets
// an id, and the applications that open issues route to it; a second
// connection can then be added beside it. The migration also runs back.
func TestOneConnectionBecomesTheFirstOfSeveral(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := openAt(t, d, syncMigration-1)
			b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "acme", "Acme", "admin@acme.example")
			if err != nil {
				t.Fatal(err)
			}
			tenant := b.Tenant.ID
			saved := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
			if _, err := db.WritePool().ExecContext(ctx, bind(d, `INSERT INTO tracker_connections (tenant_id, provider, kind,
				base_url, username, enabled, created_at, updated_at, updated_by)
				VALUES (?, 'jira', 'jira_cloud', 'https://acme.atlassian.net', 'bot@acme.example', ?, ?, ?, 'admin')`),
				tenant, true, saved, saved); err != nil {
				t.Fatal(err)
			}
			ev := audit.Record(auth.System(tenant), "secret.set", "secret", link.TokenSecret("jira"), nil, nil)
			if err := db.SetSecret(ctx, tenant, link.TokenSecret("jira"), []byte("acme-token"), ev); err != nil {
				t.Fatal(err)
			}
			for _, a := range []struct {
				id      string
				tracker bool
			}{{"01900000-0000-7000-8000-00000000000a", true}, {"01900000-0000-7000-8000-00000000000b", false}} {
				if _, err := db.WritePool().ExecContext(ctx, bind(d, `INSERT INTO applications (id, tenant_id, name,
					creates_tracker_issue, tracker_project_key, tracker_issue_type, created_at, updated_at)
					VALUES (?, ?, ?, ?, 'PAY', 'Task', ?, ?)`), a.id, tenant, "App "+a.id[len(a.id)-1:], a.tracker, saved, saved); err != nil {
					t.Fatal(err)
				}
			}
			check := func(when string) link.Connection {
				t.Helper()
				cs, err := db.TrackerConnections(ctx, tenant)
				if err != nil || len(cs) != 1 {
					t.Fatalf("%s: connections %+v %v", when, cs, err)
				}
				c := cs[0]
				if c.Name != "Jira Cloud" || c.Kind != "jira_cloud" || c.BaseURL != "https://acme.atlassian.net" ||
					c.Username != "bot@acme.example" || !c.TokenSet || !c.Enabled || !c.CreatedAt.Equal(saved) {
					t.Errorf("%s: connection %+v", when, c)
				}
				if token, err := db.TrackerToken(ctx, tenant, c.ID); err != nil || string(token) != "acme-token" {
					t.Errorf("%s: token %q, %v", when, token, err)
				}
				routed, err := db.Application(ctx, tenant, "01900000-0000-7000-8000-00000000000a")
				if err != nil || routed.TrackerConnectionID != c.ID {
					t.Errorf("%s: tracker application routes to %q, want %q (%v)", when, routed.TrackerConnectionID, c.ID, err)
				}
				plain, err := db.Application(ctx, tenant, "01900000-0000-7000-8000-00000000000b")
				if err != nil || plain.TrackerConnectionID != "" {
					t.Errorf("%s: application without tracker routes to %q (%v)", when, plain.TrackerConnectionID, err)
				}
				return c
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			check("after the migration")
			if err := db.MigrateSchemaTo(ctx, syncMigration-1); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			first := check("after migrating again")

			now := time.Now().UTC().Truncate(time.Microsecond)
			second := link.Connection{TenantID: tenant, ID: "01900000-0000-7000-8000-0000000000c1", Name: "Platform GitHub",
				Kind: "github", Provider: "github", BaseURL: "https://github.com", TokenSecret: link.ConnectionTokenSecret("c1"),
				ConnectionState: link.ConnectionState{Enabled: true, CreatedAt: now, UpdatedAt: now}}
			if err := db.SaveTrackerConnection(ctx, second, []byte("gh-token"), audit.Record(auth.System(tenant),
				"tracker.connection.update", "tracker_connection", second.ID, nil, nil), nil); err != nil {
				t.Fatal(err)
			}
			cs, err := db.TrackerConnections(ctx, tenant)
			if err != nil || len(cs) != 2 || cs[0].ID != first.ID || cs[1].ID != second.ID {
				t.Fatalf("two connections: %+v %v", cs, err)
			}
			if token, err := db.TrackerToken(ctx, tenant, second.ID); err != nil || string(token) != "gh-token" {
				t.Errorf("second token %q, %v", token, err)
			}
			if c, err := db.TrackerConnection(ctx, tenant, ""); err != nil || c.ID != first.ID {
				t.Errorf("the first connection is %+v, %v", c, err)
			}
		})
	}
}
