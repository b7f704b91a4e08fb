package sqlstore

import (
	"context"
	"database/sql"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/registry"
)

const applicationColumns = `id, tenant_id, name, description, owner_team_id, is_critical, creates_tracker_issue,
	tracker_project_key, tracker_issue_type, tracker_labels, tracker_default_assignee, is_active, created_at, updated_at,
	tracker_connection_id`

func scanApplication(r interface{ Scan(...any) error }) (registry.Application, error) {
	var a registry.Application
	var team sql.NullString
	var labels string
	err := r.Scan(&a.ID, &a.TenantID, &a.Name, &a.Description, &team, &a.IsCritical, &a.CreatesTrackerIssue,
		&a.TrackerProjectKey, &a.TrackerIssueType, &labels, &a.TrackerDefaultAssignee, &a.IsActive, &a.CreatedAt, &a.UpdatedAt,
		&a.TrackerConnectionID)
	a.OwnerTeamID, a.TrackerLabels, a.VendorIDs = team.String, parseList(labels), []string{}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

// optionalRef stores "" as NULL, for optional references.
func optionalRef(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// setApplicationVendors replaces an application's vendor links. Each vendor
// must belong to the application's tenant: the insert selects it from there.
func (tx *Tx) setApplicationVendors(ctx context.Context, a registry.Application) error {
	if _, err := tx.exec(ctx, `DELETE FROM application_vendors WHERE tenant_id = ? AND application_id = ?`, a.TenantID, a.ID); err != nil {
		return translate(err, "application vendors")
	}
	for _, vendor := range a.VendorIDs {
		res, err := tx.exec(ctx, `INSERT INTO application_vendors (tenant_id, application_id, vendor_id)
			SELECT tenant_id, ?, id FROM vendors WHERE tenant_id = ? AND id = ?`, a.ID, a.TenantID, vendor)
		if err != nil {
			return translate(err, "application vendor")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return invalidRef("vendor_ids", vendor)
		}
	}
	return nil
}

// CreateApplication adds an application, its vendor links and its audit row.
func (db *DB) CreateApplication(ctx context.Context, a registry.Application, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.requireRef(ctx, refTeams, "owner_team_id", a.TenantID, a.OwnerTeamID); err != nil {
			return err
		}
		if err := tx.requireRef(ctx, refTrackerConnections, "tracker_connection_id", a.TenantID, a.TrackerConnectionID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO applications (`+applicationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.TenantID, a.Name, a.Description, optionalRef(a.OwnerTeamID), a.IsCritical, a.CreatesTrackerIssue,
			a.TrackerProjectKey, a.TrackerIssueType, jsonList(a.TrackerLabels), a.TrackerDefaultAssignee, a.IsActive,
			a.CreatedAt, a.UpdatedAt, a.TrackerConnectionID)
		if err != nil {
			return translate(err, "application "+a.Name)
		}
		if err := tx.setApplicationVendors(ctx, a); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// UpdateApplication saves an application and its vendor links, with its
// audit row.
func (db *DB) UpdateApplication(ctx context.Context, a registry.Application, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.requireRef(ctx, refTeams, "owner_team_id", a.TenantID, a.OwnerTeamID); err != nil {
			return err
		}
		if err := tx.requireRef(ctx, refTrackerConnections, "tracker_connection_id", a.TenantID, a.TrackerConnectionID); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE applications SET name = ?, description = ?, owner_team_id = ?, is_critical = ?,
			creates_tracker_issue = ?, tracker_project_key = ?, tracker_issue_type = ?, tracker_labels = ?,
			tracker_default_assignee = ?, is_active = ?, updated_at = ?, tracker_connection_id = ? WHERE tenant_id = ? AND id = ?`,
			a.Name, a.Description, optionalRef(a.OwnerTeamID), a.IsCritical, a.CreatesTrackerIssue, a.TrackerProjectKey,
			a.TrackerIssueType, jsonList(a.TrackerLabels), a.TrackerDefaultAssignee, a.IsActive, a.UpdatedAt,
			a.TrackerConnectionID, a.TenantID, a.ID)
		if err := mustAffect(res, err, "application "+a.Name); err != nil {
			return err
		}
		if err := tx.setApplicationVendors(ctx, a); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// loadApplicationVendors fills the vendor ids of apps (all of one tenant) in
// one query.
func (db *DB) loadApplicationVendors(ctx context.Context, apps []registry.Application) error {
	if len(apps) == 0 {
		return nil
	}
	idx := make(map[string]int, len(apps))
	args := make([]any, 0, len(apps)+1)
	args = append(args, apps[0].TenantID)
	for i, a := range apps {
		idx[a.ID] = i
		apps[i].VendorIDs = []string{}
		args = append(args, a.ID)
	}
	rows, err := db.reader().query(ctx, `SELECT application_id, vendor_id FROM application_vendors WHERE tenant_id = ?
		AND application_id IN (`+placeholders(len(apps))+`) ORDER BY vendor_id`, args...)
	if err != nil {
		return translate(err, "application vendors")
	}
	defer rows.Close()
	for rows.Next() {
		var aid, vid string
		if err := rows.Scan(&aid, &vid); err != nil {
			return translate(err, "application vendors")
		}
		apps[idx[aid]].VendorIDs = append(apps[idx[aid]].VendorIDs, vid)
	}
	return translate(rows.Err(), "application vendors")
}

// Application returns one application of a tenant with its vendor ids.
func (db *DB) Application(ctx context.Context, tenantID, id string) (registry.Application, error) {
	a, err := scanApplication(db.reader().queryRow(ctx, `SELECT `+applicationColumns+` FROM applications WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return a, translate(err, "application")
	}
	as := []registry.Application{a}
	err = db.loadApplicationVendors(ctx, as)
	return as[0], err
}

// ListApplications pages through a tenant's applications by name, with
// their vendor ids.
func (db *DB) ListApplications(ctx context.Context, tenantID string, f registry.ApplicationFilter) ([]registry.Application, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.activeOnly(f.IncludeInactive)
	if f.OwnerTeamID != "" {
		c.add("owner_team_id = ?", f.OwnerTeamID)
	}
	if f.VendorID != "" {
		c.add("id IN (SELECT application_id FROM application_vendors WHERE tenant_id = ? AND vendor_id = ?)", tenantID, f.VendorID)
	}
	c.search(f.Query, "name", "description")
	c.after(keys, "name")
	out, next, err := listByName(ctx, db, "applications", applicationColumns, "applications", "name", c, f.Limit, scanApplication,
		func(a registry.Application) (string, string) { return a.Name, a.ID })
	if err != nil {
		return nil, "", err
	}
	return out, next, db.loadApplicationVendors(ctx, out)
}
