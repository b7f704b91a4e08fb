package sqlstore

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

const teamColumns = `id, tenant_id, name, email, slack_channel, manager_email, is_active, created_at, updated_at`

func scanTeam(r interface{ Scan(...any) error }) (auth.Team, error) {
	var t auth.Team
	err := r.Scan(&t.ID, &t.TenantID, &t.Name, &t.Email, &t.SlackChannel, &t.ManagerEmail, &t.IsActive, &t.CreatedAt, &t.UpdatedAt)
	return t, err
}

// CreateTeam adds a team.
func (db *DB) CreateTeam(ctx context.Context, t auth.Team, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO teams (`+teamColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.TenantID, t.Name, t.Email, t.SlackChannel, t.ManagerEmail, true, tx.now, tx.now)
		if err != nil {
			return translate(err, "team "+t.Name)
		}
		return tx.Audit(ctx, ev)
	})
}

// UpdateTeam saves a team, including deactivation.
func (db *DB) UpdateTeam(ctx context.Context, t auth.Team, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE teams SET name = ?, email = ?, slack_channel = ?, manager_email = ?, is_active = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ?`, t.Name, t.Email, t.SlackChannel, t.ManagerEmail, t.IsActive, tx.now, t.TenantID, t.ID)
		if err := mustAffect(res, err, "team "+t.Name); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// Team returns one team of a tenant.
func (db *DB) Team(ctx context.Context, tenantID, id string) (auth.Team, error) {
	t, err := scanTeam(db.reader().queryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return t, translate(err, "team")
}

// ListTeams pages through a tenant's teams by name.
func (db *DB) ListTeams(ctx context.Context, tenantID string, f auth.TeamFilter) ([]auth.Team, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.activeOnly(f.IncludeInactive)
	c.search(f.Query, "name")
	c.after(keys, "name")
	return listByName(ctx, db, "teams", teamColumns, "teams", "name", c, f.Limit, scanTeam,
		func(t auth.Team) (string, string) { return t.Name, t.ID })
}
