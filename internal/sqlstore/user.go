package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

const userColumns = `id, tenant_id, email, name, role, password_hash, oidc_subject, slack_user_id, is_active,
	created_at, updated_at, last_login_at`

func scanUser(r interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var last sql.NullTime
	err := r.Scan(&u.ID, &u.TenantID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.OIDCSubject, &u.SlackUserID,
		&u.IsActive, &u.CreatedAt, &u.UpdatedAt, &last)
	if last.Valid {
		t := last.Time.UTC()
		u.LastLoginAt = &t
	}
	u.HasPassword = u.PasswordHash != ""
	u.SSO = u.OIDCSubject != ""
	return u, err
}

func (tx *Tx) insertUser(ctx context.Context, u auth.User) error {
	_, err := tx.exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.TenantID, u.Email, u.Name, string(u.Role), u.PasswordHash, u.OIDCSubject, u.SlackUserID, true, tx.now, tx.now, nil)
	if err != nil {
		return translate(err, "user "+u.Email)
	}
	return tx.setUserTeams(ctx, u)
}

func (tx *Tx) setUserTeams(ctx context.Context, u auth.User) error {
	if _, err := tx.exec(ctx, `DELETE FROM user_teams WHERE tenant_id = ? AND user_id = ?`, u.TenantID, u.ID); err != nil {
		return translate(err, "user teams")
	}
	for _, team := range u.TeamIDs {
		// The team must belong to the same tenant: the insert selects it from there.
		res, err := tx.exec(ctx, `INSERT INTO user_teams (tenant_id, user_id, team_id)
			SELECT tenant_id, ?, id FROM teams WHERE tenant_id = ? AND id = ?`, u.ID, u.TenantID, team)
		if err != nil {
			return translate(err, "user team")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return invalidRef("team_ids", team)
		}
	}
	return nil
}

// CreateUser adds a user to a tenant.
func (db *DB) CreateUser(ctx context.Context, u auth.User, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.insertUser(ctx, u); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

// ProvisionUser adds a user created at its first SSO sign-in, with the
// jobs that announce it, in one transaction.
func (db *DB) ProvisionUser(ctx context.Context, u auth.User, ev audit.Event, jobs []jobargs.Args) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.insertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		if err := tx.EnqueueAll(ctx, jobs); err != nil {
			return err
		}
		return nil
	})
}

// UpdateUser saves a user's name, role, teams, password, SSO subject and
// state. It refuses to leave the tenant without an active admin: demotions
// are serialised on the tenant row so two concurrent ones cannot both pass.
func (db *DB) UpdateUser(ctx context.Context, u auth.User, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var role string
		var active bool
		err := tx.queryRow(ctx, `SELECT role, is_active FROM users WHERE tenant_id = ? AND id = ?`, u.TenantID, u.ID).Scan(&role, &active)
		if err != nil {
			return translate(err, "user")
		}
		demoting := role == string(auth.RoleAdmin) && active && (u.Role != auth.RoleAdmin || !u.IsActive)
		if demoting {
			// A no-op write takes the tenant row's lock on both engines.
			if _, err := tx.exec(ctx, `UPDATE tenants SET is_active = is_active WHERE id = ?`, u.TenantID); err != nil {
				return translate(err, "tenant")
			}
		}
		res, err := tx.exec(ctx, `UPDATE users SET name = ?, role = ?, password_hash = ?, oidc_subject = ?, slack_user_id = ?,
			is_active = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			u.Name, string(u.Role), u.PasswordHash, u.OIDCSubject, u.SlackUserID, u.IsActive, tx.now, u.TenantID, u.ID)
		if err := mustAffect(res, err, "user"); err != nil {
			return err
		}
		if demoting {
			var admins int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE tenant_id = ? AND role = ? AND is_active = ?`,
				u.TenantID, string(auth.RoleAdmin), true).Scan(&admins); err != nil {
				return translate(err, "users")
			}
			if admins == 0 {
				return apperr.E(apperr.Conflict, "%s is the last active admin; make another user an admin first", u.Email)
			}
		}
		if err := tx.setUserTeams(ctx, u); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
}

func (db *DB) loadTeams(ctx context.Context, users []auth.User) error {
	if len(users) == 0 {
		return nil
	}
	idx := make(map[string]int, len(users))
	args := make([]any, 0, len(users)+1)
	args = append(args, users[0].TenantID)
	for i, u := range users {
		idx[u.ID] = i
		users[i].TeamIDs = []string{}
		args = append(args, u.ID)
	}
	rows, err := db.reader().query(ctx, `SELECT user_id, team_id FROM user_teams WHERE tenant_id = ? AND user_id IN (`+
		placeholders(len(users))+`) ORDER BY team_id`, args...)
	if err != nil {
		return translate(err, "user teams")
	}
	defer rows.Close()
	for rows.Next() {
		var uid, tid string
		if err := rows.Scan(&uid, &tid); err != nil {
			return translate(err, "user teams")
		}
		users[idx[uid]].TeamIDs = append(users[idx[uid]].TeamIDs, tid)
	}
	return translate(rows.Err(), "user teams")
}

// User returns one user of a tenant.
func (db *DB) User(ctx context.Context, tenantID, id string) (auth.User, error) {
	u, err := scanUser(db.reader().queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return u, translate(err, "user")
	}
	us := []auth.User{u}
	err = db.loadTeams(ctx, us)
	return us[0], err
}

// UserByEmail finds a user of a tenant by (normalised) email.
func (db *DB) UserByEmail(ctx context.Context, tenantID, email string) (auth.User, error) {
	u, err := scanUser(db.reader().queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = ? AND email = ?`, tenantID, email))
	if err != nil {
		return u, translate(err, "user")
	}
	us := []auth.User{u}
	err = db.loadTeams(ctx, us)
	return us[0], err
}

// UserByOIDCSubject finds the user linked to an SSO identity.
func (db *DB) UserByOIDCSubject(ctx context.Context, tenantID, subject string) (auth.User, error) {
	if subject == "" {
		return auth.User{}, apperr.NotFoundf("user not found")
	}
	u, err := scanUser(db.reader().queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = ? AND oidc_subject = ?
		ORDER BY created_at, id LIMIT 1`, tenantID, subject))
	if err != nil {
		return u, translate(err, "user")
	}
	us := []auth.User{u}
	err = db.loadTeams(ctx, us)
	return us[0], err
}

// ListUsers pages through a tenant's users by email.
func (db *DB) ListUsers(ctx context.Context, tenantID string, f auth.UserFilter) ([]auth.User, string, error) {
	keys, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return nil, "", err
	}
	c := tenantScoped(tenantID)
	c.activeOnly(f.IncludeInactive)
	if f.Role != "" {
		c.add("role = ?", string(f.Role))
	}
	c.search(f.Query, "email", "name")
	c.after(keys, "email")
	out, next, err := listByName(ctx, db, "users", userColumns, "users", "email", c, f.Limit, scanUser,
		func(u auth.User) (string, string) { return u.Email, u.ID })
	if err != nil {
		return nil, "", err
	}
	return out, next, db.loadTeams(ctx, out)
}

// CountUsers counts a tenant's users, active or not.
func (db *DB) CountUsers(ctx context.Context, tenantID string) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM users WHERE tenant_id = ?`, tenantID).Scan(&n)
	return n, translate(err, "users")
}

// TouchLogin records a successful sign-in.
func (db *DB) TouchLogin(ctx context.Context, tenantID, userID string, at time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE users SET last_login_at = ? WHERE tenant_id = ? AND id = ?`, at.UTC(), tenantID, userID)
		return translate(err, "user")
	})
}

// AdminEmails lists the addresses of a tenant's active admins.
func (db *DB) AdminEmails(ctx context.Context, tenantID string) ([]string, error) {
	rows, err := db.reader().query(ctx, `SELECT email FROM users WHERE tenant_id = ? AND role = ? AND is_active = ? ORDER BY email`,
		tenantID, string(auth.RoleAdmin), true)
	if err != nil {
		return nil, translate(err, "users")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, translate(err, "users")
		}
		out = append(out, e)
	}
	return out, translate(rows.Err(), "users")
}
